"""The alerts in the dashboard (Pilot): a notification, the bell, the info bar's count and the ``a`` list
when one fires; ``--no-bell``; ``--on-alert`` run in a thread; the process gone noticed by the ticks."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from builders import livelog
from builders.apps import make_app, until, until_shown
from rich.cells import cell_len
from rich.console import Console
from textual.widgets import Static

from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui.alertsscreen import AlertsScreen
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.info import InfoBar


def _app(outputs: Path, **options: object) -> tuple[TrainmonApp, list[str], list[int]]:
    """The dashboard (no watcher: reloads on ``r``), its notifications and its bells recorded."""
    app, notes = make_app(outputs, watch=False, **options)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    return app, notes, bells


def _listed(app: TrainmonApp) -> str:
    """The alerts list's table as the screen shows it, as plain text."""
    console = Console(width=120, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#alerts-table", Static).content)
    return console.export_text()


def _bar(app: TrainmonApp) -> str:
    return str(app.query_one(InfoBar).render())


def _run(outputs: Path, **config: object) -> SimulatedRun:
    return SimulatedRun(outputs, RunConfig(max_steps=200, save_steps=20, eval_steps=None, **config))  # type: ignore[arg-type]


async def test_a_nan_that_arrives_is_told_once_rings_and_is_counted_and_listed(tmp_path):
    outputs = tmp_path / "run"
    run = _run(outputs, nan_steps=frozenset(range(30, 41)))
    run.save_at(20)
    app, notes, bells = _app(outputs)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        assert "✖" not in _bar(app) and bells == []
        run.save_at(40)
        await pilot.press("r")
        await until(app, lambda: any("Loss is NaN at step 30" in n for n in notes))
        assert bells == [1, 1]  # the loss (critical) and the grad norm (warning) went NaN at step 30
        assert "✖ 1" in _bar(app) and "⚠ 1" in _bar(app)
        run.save_at(60)  # NaN to 40, then 20 finite logs: the same episodes go on, and end at 60
        await pilot.press("r")
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-60")
        assert sum(n.startswith("Loss is NaN") for n in notes) == 1
        await pilot.press("a")
        await until(app, lambda: isinstance(app.screen, AlertsScreen))
        table = _listed(app)
        assert "Loss is NaN at step 30 (11 non-finite since)" in table and "cleared" in table
        assert "✖" not in _bar(app)


async def test_the_bell_rings_for_warnings_and_above_only_and_not_with_no_bell(tmp_path):
    outputs = tmp_path / "run"
    run = _run(outputs, nan_steps=frozenset({30}))
    run.save_at(20)
    app, notes, bells = _app(outputs, bell=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        run.save_at(40)
        await pilot.press("r")
        await until(app, lambda: any("Loss is NaN at step 30" in n for n in notes))
        assert bells == []


@pytest.mark.parametrize("width", [60, 80])
async def test_the_alert_count_fits_the_info_bar(tmp_path, width):
    outputs = tmp_path / "a-rather-long-outputs-folder-name"
    run = _run(outputs, nan_steps=frozenset({19, 20}))
    run.save_at(20)
    app, _, _ = _app(outputs)
    async with app.run_test(size=(width, 24)):
        await until(app, lambda: "✖ 1" in _bar(app))
        text = _bar(app)
        seen = text[: len(text)]
        while cell_len(seen) > width - 2:  # the bar's padding: one column each side
            seen = seen[:-1]
        assert "step 20" in seen and "✖ 1" in seen and "⚠ 1" in seen


async def test_opening_on_an_old_episode_lists_it_without_a_toast(tmp_path):
    outputs = tmp_path / "run"
    run = _run(outputs, nan_steps=frozenset({5}))
    run.save_at(60)  # the NaN at 5 ended 20 finite logs later
    app, notes, bells = _app(outputs)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_shown(app, lambda s: s.health is not None and len(s.health.history) == 2)
        assert not any("NaN" in n for n in notes) and bells == []
        await pilot.press("a")
        await until(app, lambda: isinstance(app.screen, AlertsScreen))
        assert "cleared" in _listed(app)


async def test_on_alert_runs_the_command_in_a_thread(tmp_path):
    outputs = tmp_path / "run"
    run = _run(outputs, nan_steps=frozenset({30}))
    run.save_at(20)
    seen = tmp_path / "env.json"
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith('TRAINMON_')}\n"
        "open(sys.argv[1] + '.' + env['TRAINMON_KIND'], 'w').write(json.dumps(env))\n"
    )
    app, _, _ = _app(outputs, on_alert=[sys.executable, str(script), str(seen)])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        run.save_at(40)
        await pilot.press("r")
        target = Path(f"{seen}.nan_loss")
        await until(app, target.exists)
        await app.workers.wait_for_complete()
        env = json.loads(target.read_text())
        assert env["TRAINMON_STEP"] == "30" and env["TRAINMON_SEVERITY"] == "critical"


async def test_a_failing_on_alert_command_is_a_notification(tmp_path):
    outputs = tmp_path / "run"
    _run(outputs, nan_steps=frozenset({20})).save_at(20)
    app, notes, _ = _app(outputs, on_alert=["no-such-command-x"])
    async with app.run_test(size=(100, 30)):
        await until(app, lambda: any("--on-alert failed: no-such-command-x" in n for n in notes))


async def test_the_training_process_gone_is_told(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    outputs = tmp_path / "run"
    import time

    now = time.time()
    livelog.write(
        outputs,
        livelog.start(time=now - 30, max_steps=100, pid=child.pid, host=socket.gethostname()),
        *(
            livelog.log(s, time=now - 30 + s, values={"loss": 1.0, "learning_rate": 1e-4})
            for s in range(1, 6)
        ),
    )
    app, notes, bells = _app(outputs)
    async with app.run_test(size=(100, 30)):
        await until(app, lambda: any(f"(pid {child.pid}) is gone" in n for n in notes))
        assert bells == [1] and "✖ 1" in _bar(app)


async def test_the_configured_theme_is_applied(tmp_path):
    outputs = tmp_path / "run"
    _run(outputs).save_at(20)
    app, _, _ = _app(outputs, theme="nord")
    async with app.run_test(size=(100, 30)):
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        assert app.theme == "nord"


async def test_a_resumed_run_clears_the_alert_and_says_so(tmp_path):
    outputs = tmp_path / "run"
    _run(outputs, nan_steps=frozenset({30})).save_at(40)
    app, notes, _ = _app(outputs, on_alert=[sys.executable, "-c", "pass"])
    async with app.run_test(size=(100, 30)) as pilot:
        await until(app, lambda: "✖ 1" in _bar(app))
        _run(outputs, seed=1).save_at(40)  # resumed from checkpoint-20: step 40 again, other values, no NaN
        await pilot.press("r")
        await until(app, lambda: any(n.startswith("over: Loss is NaN at step 30") for n in notes))
        assert "✖" not in _bar(app)
        _run(outputs, seed=2, nan_steps=frozenset({35})).save_at(40)  # NaN again, within the minute
        await pilot.press("r")
        await until(app, lambda: any("Loss is NaN at step 35" in n for n in notes))
        await until(app, lambda: any("--on-alert not run for nan_loss" in e.text for e in app.events))


async def test_a_run_gone_silent_is_told_by_the_ticks(tmp_path):
    import time

    outputs = tmp_path / "run"
    start = time.time()
    livelog.write(
        outputs,
        livelog.start(time=start, max_steps=100, pid=os.getpid(), host="elsewhere"),
        *(livelog.log(s, time=start + s, values={"loss": 1.0, "learning_rate": 1e-4}) for s in range(1, 11)),
    )
    now = [start + 11]
    app, notes = make_app(outputs, clock=lambda: now[0], rescan_seconds=0.2)
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)):
        await until_shown(app, lambda s: s.state is not None and s.health is not None)
        assert not any("No new log" in n for n in notes)
        now[0] = start + 10 + 11 * 60  # eleven minutes of silence: the rescan's progress says STALLED
        await until(
            app,
            lambda: (
                app.snapshot is not None
                and app.snapshot.progress is not None
                and app.snapshot.progress.stalled
            ),
        )
        app.alerting.tick()  # what its timer does every 5 s
        await until(app, lambda: any("No new log for 11 min (step 10)" in n for n in notes))
        assert bells == [1] and "⚠ 1" in _bar(app)
