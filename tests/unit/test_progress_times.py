"""Speed and ETA from checkpoint modification times are shown only when those times are plausible.

A copied folder (``cp -r``, an unpacked archive, a download) has every file written within moments of the
others: those mtimes say when the copy was made, not how fast the run trained. See docs/live-log.md.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import pytest

from trainmon_tui.files.state import StateCache, load_state
from trainmon_tui.live.progress import checkpoint_progress, progress_for
from trainmon_tui.pipeline import take_snapshot
from trainmon_tui.simulate import RunConfig, write_run

T0 = 1_000_000.0


@pytest.mark.parametrize(
    "points",
    [
        [(500, T0), (4500, T0 + 0.0007)],  # cp -r: milliseconds apart
        [(4500, T0), (500, T0 + 0.0007)],  # ... in directory order: not a resume from 500
        [(500, T0), (4500, T0 + 30.0)],  # big checkpoints copied: 133 steps/s, no real run is that fast
    ],
)
def test_copied_checkpoints_give_no_speed_eta_or_last_update(points: list[tuple[int, float]]) -> None:
    p = checkpoint_progress(points, T0 + 60, max_steps=8660, save_steps=500)
    assert p.steps_per_second is None and p.eta_seconds is None
    assert p.last_update is None and p.seconds_since_update is None and not p.stalled
    assert p.step == 4500 and p.next_checkpoint_step == 5000 and not p.finished


def test_a_copy_then_resumed_uses_the_new_checkpoints_only() -> None:
    copied = [(100, T0), (200, T0 + 0.01), (300, T0 + 0.02)]
    p = checkpoint_progress([*copied, (400, T0 + 100), (500, T0 + 200)], T0 + 210, max_steps=1000)
    assert p.step == 500 and p.steps_per_second == pytest.approx(200 / (200 - 0.02))
    assert p.last_update == T0 + 200


def test_plausible_times_still_give_speed() -> None:
    p = checkpoint_progress([(100, T0), (200, T0 + 1.0), (300, T0 + 2.0)], T0 + 2, max_steps=1000)
    assert p.steps_per_second == pytest.approx(100.0)  # the bound itself is plausible


def test_a_finished_run_copied_says_finished_not_when_it_was_copied() -> None:
    root = (8660, math.nan)  # the root trainer_state.json: its step counts, its time does not
    p = checkpoint_progress([(500, T0), (4500, T0 + 0.001), root], T0 + 600, max_steps=8660, save_steps=500)
    assert p.finished and p.eta_seconds == 0.0 and p.next_checkpoint_step is None
    assert p.last_update is None and p.steps_per_second is None and not p.stalled


def _run(outputs: Path, max_steps: int = 100, save_steps: int = 10) -> None:
    config = RunConfig(max_steps=max_steps, save_steps=save_steps, save_total_limit=None, eval_steps=None)
    write_run(outputs, range(save_steps, max_steps + 1, save_steps), config).finish()


def _spread(outputs: Path, seconds: float) -> None:
    """Checkpoint mtimes ``seconds`` apart by step, as a real run leaves them."""
    for n, folder in enumerate(sorted(outputs.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))):
        os.utime(folder / "trainer_state.json", (T0 + n * seconds, T0 + n * seconds))
    os.utime(outputs / "trainer_state.json", (T0 + 1e4, T0 + 1e4))


def test_a_pinned_old_checkpoint_of_a_finished_run(tmp_path: Path) -> None:
    outputs = tmp_path / "run"
    _run(outputs)
    _spread(outputs, 60.0)
    snap = take_snapshot(outputs, pinned=outputs / "checkpoint-40" / "trainer_state.json", cache=StateCache())
    assert snap is not None and snap.state is not None and snap.state.global_step == 40
    p = snap.progress
    assert p is not None and p.finished and p.eta_seconds == 0.0 and p.next_checkpoint_step is None
    # what the dashboard recomputes every few seconds gives the same
    again = progress_for(snap.state, snap.live, snap.checkpoint_times, T0 + 2e4)
    assert again.finished and again.next_checkpoint_step is None


def test_next_checkpoint_of_a_pinned_checkpoint_comes_from_save_steps(tmp_path: Path) -> None:
    outputs = tmp_path / "run"
    config = RunConfig(max_steps=8660, save_steps=500, save_total_limit=None, eval_steps=None)
    write_run(outputs, [500, 4500], config)
    shutil.copytree(outputs, tmp_path / "copy")  # copytree keeps mtimes: make them a copy's
    for n, name in enumerate(("checkpoint-4500", "checkpoint-500")):  # the later copy is the lower step
        os.utime(tmp_path / "copy" / name / "trainer_state.json", (T0 + n / 1000, T0 + n / 1000))
    copy = tmp_path / "copy"
    pinned = load_state(copy / "checkpoint-4500")
    snap = take_snapshot(copy, pinned=pinned.source, cache=StateCache())
    assert snap is not None and snap.progress is not None
    assert snap.progress.next_checkpoint_step == 5000 and snap.progress.steps_per_second is None
    latest = take_snapshot(copy, cache=StateCache())
    assert latest is not None and latest.progress is not None
    assert latest.progress.next_checkpoint_step == 5000 and latest.progress.eta_seconds is None


def test_a_copied_real_run_on_the_command_line(tmp_path: Path, run_cli, helpers) -> None:
    real = helpers.real / "run_mistral_translator"
    if not real.is_dir():
        pytest.skip("the real fixtures are not here")
    copy = tmp_path / "copy"
    shutil.copytree(real, copy)  # its files are all written within a millisecond
    data = json.loads(run_cli(copy, "--format", "json").stdout)
    assert (data["steps_per_second"], data["eta_seconds"], data["last_update"]) == (None, 0.0, None)
    unfinished = tmp_path / "unfinished"  # no root state: no ETA, and the next save after 4500
    unfinished.mkdir()
    for folder in real.glob("checkpoint-*"):
        shutil.copytree(folder, unfinished / folder.name)
    result = run_cli(unfinished, "-u")
    assert "Next checkpoint     5000" in result.stdout and "Steps/s" not in result.stdout
    assert "Last update" not in result.stdout
