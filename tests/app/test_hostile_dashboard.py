"""The dashboard on a run folder holding a FIFO where trainer_state.json and trainmon_log.jsonl should be,
and on an outputs folder it may not list: the readable checkpoint is shown, what was skipped is said, and
``q`` still ends the app.

A regression blocks the reload worker in ``open()`` on a FIFO; the test then fails on its wait, and the
``finally`` gives the blocked reader its end of file (a writer that opens and closes), so nothing hangs.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from trainmon_tui.files import discovery
from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.live.schema import LIVE_LOG_FILE

SIZE = (100, 32)


def _unblock(fifo: Path) -> None:
    for _ in range(3):  # one per reader that may be blocked on it
        with contextlib.suppress(OSError):  # ENXIO: no reader is waiting
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))


def _write_state(folder: Path, step: int) -> None:
    folder.mkdir(parents=True)
    log = [{"loss": 1.0 / s, "step": s} for s in range(1, step + 1)]
    state = {"global_step": step, "log_history": log, "max_steps": 10}
    (folder / STATE_FILE).write_text(json.dumps(state, indent=2, sort_keys=True))


async def test_fifos_in_the_run_folder(tmp_path: Path, poll_interval, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    (outputs / "checkpoint-10").mkdir()
    fifos = [outputs / "checkpoint-10" / STATE_FILE, outputs / LIVE_LOG_FILE]
    for fifo in fifos:
        os.mkfifo(fifo)
    app, notes = make_app(outputs, poll_interval)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state), timeout=5)
            assert app.snapshot is not None and app.snapshot.state is not None
            assert app.snapshot.state.name == "checkpoint-5"
            await wait_for(pilot, lambda: any("is a FIFO, not a regular file" in n for n in notes), timeout=5)
            await pilot.press("q")
        assert app.return_code == 0
    finally:
        for fifo in fifos:
            _unblock(fifo)


async def test_an_outputs_folder_it_may_not_list(tmp_path: Path, make_app, wait_for, monkeypatch) -> None:
    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, (str, os.PathLike)) and Path(path) == outputs:  # watchdog passes bytes too
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: any("cannot read: permission denied" in n for n in notes), timeout=5)
        assert app.snapshot is not None and app.snapshot.state is None
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_newest_state_that_cannot_be_read_is_shown_as_such(
    tmp_path: Path, make_app, wait_for
) -> None:
    """The older checkpoint is shown, and which file was skipped and why stays on screen (not only a
    notification that is gone after a few seconds)."""
    from trainmon_tui.ui.widgets.summary import SummaryPane

    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    newest = outputs / "checkpoint-10" / STATE_FILE
    newest.parent.mkdir()
    newest.write_text('{"global_step": 1' + "0" * 30 + ', "log_history": []}')  # a step beyond 2^63
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state))
        assert app.snapshot is not None and app.snapshot.state is not None
        assert app.snapshot.state.name == "checkpoint-5"
        problems = str(app.query_one("#problems").render())
        assert "checkpoint-10" in problems and "out of range" in problems
        assert "1 skipped" in str(app.query_one("#info").render())
        assert "Waiting" not in str(app.query_one(SummaryPane).render())


async def test_an_unlistable_outputs_folder_says_why_instead_of_waiting(
    tmp_path: Path, make_app, wait_for, monkeypatch
) -> None:
    from trainmon_tui.ui.widgets.summary import SummaryPane

    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    real = os.scandir

    def scandir(path: Any = ".") -> Any:
        if isinstance(path, (str, os.PathLike)) and Path(path) == outputs:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(discovery.os, "scandir", scandir)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None)
        summary = str(app.query_one(SummaryPane).render())
        assert "cannot read: permission denied" in summary
        assert "Waiting" not in summary


async def test_a_chart_that_cannot_be_prepared_leaves_the_state_on_screen(
    tmp_path: Path, make_app, wait_for, monkeypatch
) -> None:
    from trainmon_tui.pipeline import snapshot as snapshot_module

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError("Too many bins for data range")

    monkeypatch.setattr(snapshot_module, "prepare", broken)
    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state))
        assert "Too many bins" in str(app.query_one("#problems").render())
        assert app.snapshot is not None and app.snapshot.summary is not None


async def test_a_deleted_outputs_folder_leaves_no_old_curves(tmp_path: Path, make_app, wait_for) -> None:
    import shutil

    from trainmon_tui.ui.widgets.chart import ChartPane

    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state))
        assert not app.query_one("#chart-loss", ChartPane).data.is_empty("loss")
        shutil.rmtree(outputs)
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state is None, timeout=10)
        await wait_for(pilot, lambda: all(p.data.is_empty(p.chart) for p in app.query(ChartPane)))


async def test_falling_back_to_an_older_checkpoint_is_not_a_new_one(
    tmp_path: Path, make_app, wait_for
) -> None:
    import shutil

    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    _write_state(outputs / "checkpoint-8", 8)
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state))
        assert app.snapshot is not None and app.snapshot.checkpoint == "checkpoint-8"
        shutil.rmtree(outputs / "checkpoint-8")
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.checkpoint == "checkpoint-5")
        _write_state(outputs / "checkpoint-9", 9)  # a newer one afterwards is news again
        await wait_for(pilot, lambda: any("checkpoint-9" in n for n in notes))
        assert not any("checkpoint-5" in n for n in notes)


async def test_a_live_log_with_bad_lines_or_unreadable_is_said(tmp_path: Path, make_app, wait_for) -> None:
    """``-u`` reported the live log's bad lines on stderr; the dashboard said nothing."""
    from trainmon_tui.live.schema import LIVE_LOG_FILE

    outputs = tmp_path / "outputs"
    _write_state(outputs / "checkpoint-5", 5)
    (outputs / LIVE_LOG_FILE).write_text('not json\n{"t": "log", "step": 1' + "0" * 30 + "}\n")
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: bool(app.snapshot and app.snapshot.state))
        await wait_for(pilot, lambda: "bad line" in str(app.query_one("#problems").render()))
        assert any(LIVE_LOG_FILE in n and "bad line" in n for n in notes)
