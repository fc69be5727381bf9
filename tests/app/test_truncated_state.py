"""A state file cut short for good (unchanged for longer than a save takes) is a lasting warning, not a
quiet retry: on screen as a ⚠ line, counted as skipped, and said when it is the pinned checkpoint."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from builders.apps import until, until_shown

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.files.state import SETTLED_SECONDS

SIZE = (100, 32)


def _state_text(step: int) -> str:
    log = [{"loss": 1.0 / s, "step": s} for s in range(1, step + 1)]
    return json.dumps({"global_step": step, "log_history": log, "max_steps": 40}, indent=2, sort_keys=True)


def _write(outputs: Path, step: int, *, cut: bool = False, age: float = 0.0) -> Path:
    path = outputs / f"checkpoint-{step}" / STATE_FILE
    path.parent.mkdir(parents=True)
    text = _state_text(step)
    path.write_text(text[: len(text) // 2] if cut else text)
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


async def test_an_old_cut_short_state_alone_is_said_not_waited_for(tmp_path: Path, make_app) -> None:
    from trainmon_tui.ui.widgets.summary import SummaryPane

    outputs = tmp_path / "outputs"
    _write(outputs, 20, cut=True, age=SETTLED_SECONDS + 50)
    app, notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: bool(s.lasting_warnings))
        problems = str(app.query_one("#problems").render())
        assert "checkpoint-20" in problems and "JSON ends early" in problems
        assert "still being written" not in problems
        assert "1 skipped" in str(app.query_one("#info").render())
        assert any("checkpoint-20" in n for n in notes)
        assert not app.snapshot.incomplete  # no retry: waiting will not fix it
        assert "Waiting" in str(app.query_one(SummaryPane).render())


async def test_a_fresh_cut_short_state_is_retried_quietly(tmp_path: Path, make_app) -> None:
    outputs = tmp_path / "outputs"
    _write(outputs, 10)
    _write(outputs, 20, cut=True)
    app, notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        snapshot = await until_shown(app, lambda s: s.state is not None)
        assert snapshot.state is not None and snapshot.state.name == "checkpoint-10"
        assert snapshot.incomplete and not snapshot.lasting_warnings
        assert not app.query_one("#problems").display
        assert not any("checkpoint-20" in n for n in notes)


async def test_a_fresh_cut_short_state_that_stays_so_becomes_a_warning(tmp_path: Path, make_app) -> None:
    """The quiet retries see the file age past the limit (the clock moved on, the file did not)."""
    outputs = tmp_path / "outputs"
    _write(outputs, 10)
    _write(outputs, 20, cut=True)
    offset = [0.0]
    app, _notes = make_app(outputs, None, watch=False, clock=lambda: time.time() + offset[0])
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: s.incomplete)
        offset[0] = SETTLED_SECONDS + 5
        await until_shown(app, lambda s: bool(s.lasting_warnings), timeout=15)
        assert "checkpoint-20" in str(app.query_one("#problems").render())


async def test_pinning_a_cut_short_checkpoint_says_why(tmp_path: Path, make_app) -> None:
    from trainmon_tui.ui.widgets.checkpoints import CheckpointList

    outputs = tmp_path / "outputs"
    _write(outputs, 10)
    broken = _write(outputs, 20, cut=True, age=SETTLED_SECONDS + 50)
    app, _notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: s.state is not None)
        assert app.query_one(CheckpointList) is not None
        app.pinned = broken
        snapshot = await until_shown(app, lambda s: s.fingerprint[2] == broken)
        assert snapshot.state is not None and snapshot.state.name == "checkpoint-10"
        await until(app, lambda: app.query_one("#problems").display)
        problems = str(app.query_one("#problems").render())
        assert problems.count("checkpoint-20") == 1 and "JSON ends early" in problems
