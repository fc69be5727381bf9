"""Which checkpoints exist, which are ready, which is the latest."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui.files import discovery
from trainmon_tui.files.discovery import INCOMPLETE_MARKER, find_latest, list_checkpoints, resolve_target
from trainmon_tui.files.model import ErrorKind, StateError
from trainmon_tui.files.state import StateCache
from trainmon_tui.simulate import RunConfig, SimulatedRun


def make_checkpoint(outputs: Path, helpers: SimpleNamespace, step: int, name: str | None = None) -> Path:
    folder = outputs / (name or f"checkpoint-{step}")
    entries = [{"loss": 1.0 / (i + 1), "step": i + 1} for i in range(min(step, 5))]
    helpers.write_state(folder, helpers.trainer_state(entries, global_step=step))
    return folder


def test_numeric_order(tmp_path, helpers):
    for step in (1000, 999, 5, 10000, 20):
        make_checkpoint(tmp_path, helpers, step)
    names = [c.name for c in list_checkpoints(tmp_path)]
    assert names == ["checkpoint-5", "checkpoint-20", "checkpoint-999", "checkpoint-1000", "checkpoint-10000"]
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-10000"
    assert found.errors == []


def test_checkpoint_1000_comes_after_999(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 999)
    make_checkpoint(tmp_path, helpers, 1000)
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.global_step == 1000


def test_tmp_and_incomplete_folders_are_ignored(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 100)
    make_checkpoint(tmp_path, helpers, 300, name="tmp-checkpoint-300")
    incomplete = make_checkpoint(tmp_path, helpers, 200)
    (incomplete / INCOMPLETE_MARKER).write_text("")
    (tmp_path / "checkpoint-400").mkdir()  # no trainer_state.json yet: the Trainer writes it last
    (tmp_path / "checkpoint-500").write_text("a file, not a folder")
    (tmp_path / "checkpoint-final").mkdir()
    (tmp_path / "runs").mkdir()
    assert [c.name for c in list_checkpoints(tmp_path)] == ["checkpoint-100"]
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.global_step == 100


def test_root_state_wins_a_tie(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 100)
    helpers.write_state(tmp_path, helpers.trainer_state([{"loss": 0.5, "step": 100}], global_step=100))
    candidates = list_checkpoints(tmp_path)
    assert [c.name for c in candidates] == ["checkpoint-100", "trainer_state.json"]
    assert candidates[-1].is_root and candidates[0].number == 100
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.checkpoint is None


def test_newer_checkpoint_beats_an_older_root_state(tmp_path, helpers):
    helpers.write_state(tmp_path, helpers.trainer_state([{"loss": 0.5, "step": 50}], global_step=50))
    make_checkpoint(tmp_path, helpers, 100)
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.checkpoint == "checkpoint-100"


def test_only_a_root_state(tmp_path, helpers):
    helpers.write_state(tmp_path, helpers.trainer_state([], global_step=7))
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.global_step == 7 and latest.checkpoint is None


def test_unreadable_newest_falls_back_to_the_previous(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 100)
    make_checkpoint(tmp_path, helpers, 200)
    helpers.write_state(tmp_path / "checkpoint-300", '{\n  "global_step": 300,\n  "log_history": [\n')
    helpers.write_state(tmp_path / "checkpoint-400", b"")
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-200"
    assert [e.path.parent.name for e in found.errors] == ["checkpoint-400", "checkpoint-300"]
    assert {e.kind for e in found.errors} == {ErrorKind.INCOMPLETE}


def test_unreadable_root_is_reported_and_checkpoint_used(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 100)
    helpers.write_state(tmp_path, "not json at all")
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-100"
    assert len(found.errors) == 1 and found.errors[0].path == tmp_path / "trainer_state.json"


def test_nothing_ready(tmp_path, helpers):
    helpers.write_state(tmp_path / "checkpoint-1", b"")
    found = find_latest(tmp_path)
    assert found.latest is None and len(found.errors) == 1
    assert find_latest(tmp_path / "missing").latest is None
    assert list_checkpoints(tmp_path / "missing") == []
    (tmp_path / "a-file").write_text("x")
    assert list_checkpoints(tmp_path / "a-file") == []


def test_folder_deleted_during_the_scan_is_skipped(tmp_path, helpers, monkeypatch):
    """Rotation removes checkpoint-300 after it was listed and before it is read: not an error."""
    make_checkpoint(tmp_path, helpers, 200)
    newest = make_checkpoint(tmp_path, helpers, 300)
    real_load = discovery.load_state

    def load_after_rotation(path: Path):
        if Path(path).parent == newest:
            shutil.rmtree(newest)
        return real_load(path)

    monkeypatch.setattr(discovery, "load_state", load_after_rotation)
    found = find_latest(tmp_path)
    assert found.latest is not None and found.latest.checkpoint == "checkpoint-200"
    assert found.errors == []


def test_deleted_between_listing_and_loading(tmp_path, helpers):
    make_checkpoint(tmp_path, helpers, 10)
    make_checkpoint(tmp_path, helpers, 20)
    listed = list_checkpoints(tmp_path)
    shutil.rmtree(tmp_path / "checkpoint-10")
    with pytest.raises(StateError) as info:
        discovery.load_state(listed[0].path)
    assert info.value.kind is ErrorKind.MISSING
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.global_step == 20


def test_scanning_while_the_trainer_saves_and_rotates(tmp_path):
    """A simulated run saving and deleting folders while discovery runs: never an exception."""
    outputs = tmp_path / "outputs"
    config = RunConfig(max_steps=400, save_steps=5, save_total_limit=2, eval_steps=25, extra_files=False)
    run = SimulatedRun(outputs, config)
    outputs.mkdir()
    done = threading.Event()

    def train() -> None:
        try:
            run.run(seconds_per_save=0.0)
        finally:
            done.set()

    thread = threading.Thread(target=train)
    thread.start()
    seen: list[int] = []
    cache = StateCache()
    while not done.is_set():
        for use_cache in (None, cache):
            found = find_latest(outputs, use_cache)
            assert all(e.kind is not ErrorKind.MISSING for e in found.errors)
            if found.latest is not None and found.latest.global_step is not None:
                seen.append(found.latest.global_step)
    thread.join()
    final = find_latest(outputs).latest
    assert final is not None and final.global_step == 400 and final.checkpoint is None
    assert all(step % 5 == 0 for step in seen)


def test_resolve_target(tmp_path, helpers):
    folder = make_checkpoint(tmp_path, helpers, 5)
    assert resolve_target(folder) == folder / "trainer_state.json"
    assert resolve_target(folder / "trainer_state.json") == folder / "trainer_state.json"


def test_only_ascii_digits_make_a_checkpoint(tmp_path, helpers):
    from trainmon_tui.files.discovery import list_checkpoints

    for name in ("checkpoint-١٢٣", "checkpoint-２", "checkpoint-7"):
        helpers.write_state(tmp_path / name, helpers.trainer_state([], global_step=7))
    assert [c.name for c in list_checkpoints(tmp_path) if not c.is_root] == ["checkpoint-7"]
