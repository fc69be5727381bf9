"""The Hub's ``last-checkpoint/`` (``push_to_hub`` with ``hub_strategy="checkpoint"``) is a checkpoint like
the others: its step is its state's ``global_step``, it is ordered with the ``checkpoint-N`` folders, and it
is shown as ``last-checkpoint``."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui.files.discovery import checkpoint_times, find_latest, list_checkpoints


def _write(helpers: SimpleNamespace, folder: Path, step: int) -> None:
    helpers.write_state(
        folder, helpers.trainer_state([{"loss": 1.0, "step": step}], global_step=step, max_steps=2000)
    )


def test_last_checkpoint_is_ordered_by_its_step(tmp_path: Path, helpers: SimpleNamespace) -> None:
    _write(helpers, tmp_path / "checkpoint-500", 500)
    _write(helpers, tmp_path / "last-checkpoint", 1000)
    _write(helpers, tmp_path / "checkpoint-1500", 1500)
    names = [c.name for c in list_checkpoints(tmp_path)]
    assert names == ["checkpoint-500", "last-checkpoint", "checkpoint-1500"]
    assert [step for step, _ in checkpoint_times(list_checkpoints(tmp_path))] == [500, 1000, 1500]
    assert find_latest(tmp_path).latest.name == "checkpoint-1500"


def test_last_checkpoint_alone_is_the_latest(tmp_path: Path, helpers: SimpleNamespace) -> None:
    _write(helpers, tmp_path / "checkpoint-500", 500)
    _write(helpers, tmp_path / "last-checkpoint", 1000)
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.name == "last-checkpoint" and latest.checkpoint == "last-checkpoint"
    assert latest.global_step == 1000


def test_last_checkpoint_in_another_layout_is_still_a_checkpoint(
    tmp_path: Path, helpers: SimpleNamespace
) -> None:
    _write(helpers, tmp_path / "checkpoint-500", 500)
    state = helpers.trainer_state([{"loss": 1.0, "step": 900}], global_step=900)
    folder = tmp_path / "last-checkpoint"
    folder.mkdir()
    (folder / "trainer_state.json").write_text(json.dumps(state))  # one line: its step is not peeked
    names = [c.name for c in list_checkpoints(tmp_path)]
    assert names == ["checkpoint-500", "last-checkpoint"]
    assert find_latest(tmp_path).latest.name == "last-checkpoint"


def test_the_real_hub_run(helpers: SimpleNamespace) -> None:
    run = helpers.real / "run_whisper_ja_hub"
    if not run.is_dir():
        pytest.skip("the real fixtures are not here")
    candidates = list_checkpoints(run)
    assert [c.name for c in candidates] == ["last-checkpoint", "trainer_state.json"]
    assert candidates[0].number == 5000
    assert find_latest(run).latest.global_step == 5000
