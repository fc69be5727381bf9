"""The simulator writes checkpoints byte for byte the way the Trainer does."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from trainmon_tui import simulate
from trainmon_tui.files.discovery import INCOMPLETE_MARKER, find_latest
from trainmon_tui.files.state import load_state
from trainmon_tui.simulate import (
    RunConfig,
    SimulatedRun,
    synthetic_log_history,
    write_run,
    write_trainer_state,
)
from trainmon_tui.views.stats import summarize


def test_writes_exactly_what_the_trainer_writes(tmp_path):
    state = {"b": [1, {"z": 2.5, "a": None}], "a": "x", "global_step": 3}
    path = tmp_path / "trainer_state.json"
    write_trainer_state(path, state)
    # TrainerState.save_to_json: json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"
    assert path.read_text(encoding="utf-8") == json.dumps(state, indent=2, sort_keys=True) + "\n"


def test_checkpoint_file_matches_json_dumps_of_the_state(tmp_path):
    run = write_run(tmp_path, [20], RunConfig(eval_steps=10, save_total_limit=None))
    text = (tmp_path / "checkpoint-20" / "trainer_state.json").read_text(encoding="utf-8")
    assert text == json.dumps(run.state_dict(), indent=2, sort_keys=True) + "\n"
    assert text.startswith('{\n  "best_global_step": ')


def test_nan_is_written_as_a_bare_token(tmp_path):
    write_run(
        tmp_path, [10], RunConfig(nan_steps=frozenset({4}), inf_grad_steps=frozenset({6}), eval_steps=None)
    )
    text = (tmp_path / "checkpoint-10" / "trainer_state.json").read_text()
    assert '"loss": NaN' in text and '"grad_norm": Infinity' in text
    summary = summarize(load_state(tmp_path / "checkpoint-10"))
    assert (summary.loss.count, summary.loss.nonfinite) == (9, 1)


def test_rotation_keeps_save_total_limit_folders(tmp_path):
    write_run(tmp_path, range(20, 201, 20), RunConfig(save_total_limit=3, eval_steps=None))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint-160",
        "checkpoint-180",
        "checkpoint-200",
    ]


def test_rotation_keeps_the_best_checkpoint(tmp_path):
    run = write_run(tmp_path, range(20, 201, 20), RunConfig(save_total_limit=2, eval_steps=20))
    assert run.best is not None
    kept = {p.name for p in tmp_path.iterdir()}
    assert len(kept) == 2 and "checkpoint-200" in kept and f"checkpoint-{run.best[1]}" in kept


def test_no_rotation_without_a_limit(tmp_path):
    write_run(tmp_path, range(10, 51, 10), RunConfig(save_total_limit=None, eval_steps=None))
    assert len(list(tmp_path.glob("checkpoint-*"))) == 5


def test_state_written_last_while_marked_incomplete(tmp_path, monkeypatch):
    seen: list[tuple[bool, list[str]]] = []
    real_write = simulate.write_trainer_state

    def spy(path: Path, state: dict) -> None:
        seen.append(
            ((path.parent / INCOMPLETE_MARKER).exists(), sorted(p.name for p in path.parent.iterdir()))
        )
        real_write(path, state)

    monkeypatch.setattr(simulate, "write_trainer_state", spy)
    write_run(tmp_path, [5], RunConfig(eval_steps=None))
    marked, files = seen[0]
    assert marked and "model.safetensors" in files and "trainer_state.json" not in files
    assert not (tmp_path / "checkpoint-5" / INCOMPLETE_MARKER).exists()


def test_finish_writes_the_root_state_with_the_summary_entry(tmp_path):
    run = write_run(tmp_path, [10, 20], RunConfig(max_steps=20, eval_steps=10, save_total_limit=None))
    run.finish()
    root = load_state(tmp_path / "trainer_state.json")
    assert root.checkpoint is None and root.global_step == 20
    assert root.final is not None and root.final["train_runtime"] is not None
    assert len(root.loss) == 20  # train_loss is not a training point
    latest = find_latest(tmp_path).latest
    assert latest is not None and latest.checkpoint is None  # root wins the tie at step 20


def test_learning_rate_schedule():
    run = SimulatedRun(Path("."), RunConfig(max_steps=210, warmup_steps=10, learning_rate=1e-4))
    assert run.learning_rate_at(0) == 0.0
    assert run.learning_rate_at(5) == pytest.approx(5e-5)
    assert run.learning_rate_at(10) == pytest.approx(1e-4)
    assert run.learning_rate_at(110) == pytest.approx(5e-5)  # half way through the cosine
    assert run.learning_rate_at(210) == pytest.approx(0.0, abs=1e-12)


def test_logging_and_eval_cadence(tmp_path):
    run = SimulatedRun(tmp_path, RunConfig(max_steps=30, logging_steps=5, eval_steps=10))
    run.advance(30)
    train = [e["step"] for e in run.log_history if "loss" in e]
    evals = [e["step"] for e in run.log_history if "eval_loss" in e]
    assert train == [5, 10, 15, 20, 25, 30] and evals == [10, 20, 30]
    run.advance(1000)
    assert run.step == 30  # never past max_steps


def test_synthetic_log_history():
    history = synthetic_log_history(1000, eval_every=100, nan_every=250)
    assert len(history) == 1010
    losses = [e["loss"] for e in history if "loss" in e]
    assert sum(math.isnan(x) for x in losses) == 4


def test_command_line(tmp_path):
    out = tmp_path / "run"
    code = simulate.main(
        [str(out), "--max-steps", "40", "--save-steps", "10", "--pace", "0", "--nan-steps", "7"]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "checkpoint-20",
        "checkpoint-30",
        "checkpoint-40",
        "trainer_state.json",
    ]
    assert summarize(load_state(out)).loss.nonfinite == 1
