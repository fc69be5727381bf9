"""A real ``transformers.Trainer`` on the CPU with ``report_to="tensorboard"`` and no TrainmonCallback: the
event files it writes, read back by the TensorBoard follower, hold the same entries as its ``log_history``,
and the dashboard's reload shows them over the checkpoints. Skipped without torch, transformers or
tensorboard."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
pytest.importorskip("tensorboard")

from trainmon_tui.files.state import StateCache  # noqa: E402
from trainmon_tui.live.schema import LIVE_LOG_FILE  # noqa: E402
from trainmon_tui.live.source import LiveSource  # noqa: E402
from trainmon_tui.live.tbevents import read_event_files  # noqa: E402
from trainmon_tui.pipeline import take_snapshot  # noqa: E402

MAX_STEPS = 10


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_trainer: Callable[..., Any]) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("tb") / "outputs"
    os.environ.pop("TENSORBOARD_LOGGING_DIR", None)
    trainer = tiny_trainer(out, max_steps=MAX_STEPS, report_to="tensorboard")
    trainer.train()
    return out, trainer


def test_event_files_hold_the_log_history(trained: tuple[Path, Any]) -> None:
    out, trainer = trained
    assert not (out / LIVE_LOG_FILE).exists()
    live = read_event_files(out)
    assert not live.empty and live.bad_lines == 0 and live.pending_bytes == 0
    history = trainer.state.log_history
    assert [r.step for r in live.logs] == [e["step"] for e in history]
    for record, entry in zip(live.logs, history, strict=True):
        numbers = {k: v for k, v in entry.items() if k != "step" and isinstance(v, (int, float))}
        assert record.values.keys() == numbers.keys()
        for key, value in numbers.items():  # TensorBoard keeps float32
            assert math.isclose(record.values[key], value, rel_tol=1e-6, abs_tol=1e-30), (entry["step"], key)
    kinds = [r.kind for r in live.logs]
    assert kinds.count("eval") == sum("eval_loss" in e for e in history) == 3  # steps 4, 8 and the last
    assert kinds[-1] == "final"
    assert live.start is not None and live.start.max_steps == MAX_STEPS and live.start.save_steps == 4
    assert live.finished and live.end is not None and live.end.step == MAX_STEPS


def test_the_reload_shows_the_summary_no_checkpoint_holds(trained: tuple[Path, Any]) -> None:
    out, _ = trained
    snapshot = take_snapshot(out, cache=StateCache(), follower=LiveSource(out))
    assert snapshot is not None and snapshot.state is not None and snapshot.live is not None
    assert snapshot.checkpoint == f"checkpoint-{MAX_STEPS}" and snapshot.live.path.parent.name == "runs"
    assert snapshot.state.final is not None and "train_runtime" in snapshot.state.final
    assert snapshot.progress is not None and snapshot.progress.finished
