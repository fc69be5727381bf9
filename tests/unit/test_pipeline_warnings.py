"""The pipeline's warnings: one list, as data, for the dashboard and the command line alike."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui.files.state import StateCache
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.source import LiveSource
from trainmon_tui.pipeline import RunWarning, Snapshot, take_snapshot

GOOD = [{"loss": 2.0, "learning_rate": 1e-5, "step": 1}, {"loss": 1.0, "learning_rate": 1e-5, "step": 2}]


def snap(outputs: Path, **kwargs: object) -> Snapshot:
    return take_snapshot(outputs, cache=StateCache(), follower=LiveSource(outputs), **kwargs)


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    folder = tmp_path / "outputs"
    helpers.write_state(folder / "checkpoint-2", helpers.trainer_state(GOOD, global_step=2))
    return folder


def test_a_clean_run_has_no_warnings(outputs: Path) -> None:
    snapshot = snap(outputs)
    assert snapshot.state is not None and snapshot.warnings == () and snapshot.lasting_warnings == ()


def test_an_invalid_state_is_a_lasting_warning_named_by_its_folder(outputs: Path, helpers) -> None:
    helpers.write_state(outputs / "checkpoint-3", '{"log_history": 7, "global_step": 3}')
    (warning,) = snap(outputs).warnings
    assert warning.source == "state" and warning.path == outputs / "checkpoint-3" / "trainer_state.json"
    assert (warning.shown, warning.heals, warning.severity) == ("checkpoint-3", False, "warning")
    assert str(warning) == f"checkpoint-3: {warning.reason}"  # the dashboard's line, as ui/app.py had it


def test_a_half_written_state_heals_and_is_not_lasting(outputs: Path, helpers) -> None:
    helpers.write_state(outputs / "checkpoint-3", '{"log_history": [')
    snapshot = snap(outputs)
    (warning,) = snapshot.warnings
    assert warning.heals and warning.severity == "information" and snapshot.incomplete
    assert snapshot.lasting_warnings == ()


def test_live_log_bad_lines_are_one_warning(outputs: Path) -> None:
    (outputs / LIVE_LOG_FILE).write_text('not json\n{"type": "log", "time": 1, "step": 3, "values": {}}\n')
    (warning,) = snap(outputs).warnings
    assert warning.source == "live" and warning.path == outputs / LIVE_LOG_FILE and not warning.heals
    assert str(warning).startswith(f"{LIVE_LOG_FILE}: 1 bad line(s) skipped, line 1: ")


def test_a_live_log_that_cannot_be_read_is_a_warning(outputs: Path) -> None:
    (outputs / LIVE_LOG_FILE).mkdir()
    (warning,) = snap(outputs).warnings
    assert warning.source == "live" and warning.shown == LIVE_LOG_FILE and "folder" in warning.reason


def test_a_file_outside_outputs_keeps_its_whole_path(tmp_path: Path, outputs: Path, helpers) -> None:
    elsewhere = helpers.write_state(tmp_path / "other", '{"log_history": 7}')
    (warning,) = snap(outputs, pinned=elsewhere).warnings
    assert warning.shown == str(tmp_path / "other")


def test_a_chart_bug_is_a_warning_of_no_file(outputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import trainmon_tui.pipeline.snapshot as pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(pipeline, "prepare", broken)
    snapshot = snap(outputs)
    assert snapshot.warnings == (
        RunWarning("charts", None, "", "charts: cannot prepare (ValueError: boom)", False, "warning"),
    )
    assert str(snapshot.warnings[0]) == snapshot.charts_error


def test_without_chart_data_nothing_is_prepared(outputs: Path) -> None:
    snapshot = snap(outputs, max_points=None)
    assert snapshot.charts is None and snapshot.summary is not None and snapshot.warnings == ()


def test_the_unusable_outputs_folder_is_no_warning(tmp_path: Path) -> None:
    """It is ``outputs_error``, the reason nothing is shown (the dashboard says it as an error)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    snapshot = snap(fifo)
    assert snapshot.outputs_error is not None
    assert [w for w in snapshot.warnings if w.source == "state"] == []


def test_a_root_state_is_named_by_its_file_not_the_folder(tmp_path: Path, helpers: SimpleNamespace) -> None:
    """The root ``trainer_state.json`` was named ``.`` (then the whole folder path): its own name says it."""
    folder = tmp_path / "outputs"
    helpers.write_state(folder, '{"log_history": [{"loss": 1.0, "st')
    (warning,) = snap(folder).warnings
    assert warning.shown == "trainer_state.json" and str(warning).startswith("trainer_state.json: JSON ends")
