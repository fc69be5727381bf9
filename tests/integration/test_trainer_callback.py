"""TrainmonCallback inside a real ``transformers.Trainer`` on the CPU: the JSONL against the checkpoints.

A tiny language model built in code (no download), a synthetic dataset, logging every step, evaluation and
saves every 4 steps with rotation; then a resumed run appending to the same live log.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from trainmon_tui.callback import TrainmonCallback  # noqa: E402
from trainmon_tui.files.discovery import find_latest  # noqa: E402
from trainmon_tui.files.state import load_state  # noqa: E402
from trainmon_tui.live.follower import read_live_log  # noqa: E402
from trainmon_tui.live.livelog import LiveLog  # noqa: E402
from trainmon_tui.live.merge import merge_live  # noqa: E402
from trainmon_tui.live.progress import live_progress  # noqa: E402
from trainmon_tui.live.schema import LIVE_LOG_FILE  # noqa: E402
from trainmon_tui.views.endreport import REPORT_JSON, REPORT_PNG, REPORT_TEXT, core_state  # noqa: E402
from trainmon_tui.views.stats import summarize  # noqa: E402

SEQ = 8
MAX_STEPS = 10
BATCH = 4


@pytest.fixture(scope="module")
def make_trainer(tiny_trainer: Callable[..., Any]) -> Callable[[Path, TrainmonCallback], Any]:
    def make(out: Path, callback: TrainmonCallback) -> Any:
        return tiny_trainer(
            out,
            max_steps=MAX_STEPS,
            batch=BATCH,
            seq=SEQ,
            callbacks=[callback],
            include_num_input_tokens_seen=True,
            report_to="none",
        )

    return make


def entries(live: LiveLog) -> list[dict[str, Any]]:
    """The live records as ``log_history`` entries."""
    return [{**r.values, "step": r.step} for r in live.logs]


def same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """Equal entry by entry, NaN equal to NaN."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if x.keys() != y.keys():
            return False
        for key in x:
            u, v = x[key], y[key]
            both_nan = isinstance(u, float) and isinstance(v, float) and math.isnan(u) and math.isnan(v)
            if u != v and not both_nan:
                return False
    return True


@pytest.fixture(scope="module")
def first_run(
    tmp_path_factory: pytest.TempPathFactory, make_trainer: Callable[[Path, TrainmonCallback], Any]
) -> tuple[Path, Any, TrainmonCallback]:
    out = tmp_path_factory.mktemp("run")
    callback = TrainmonCallback(report=True)
    trainer = make_trainer(out, callback)
    trainer.train()
    return out, trainer, callback


def test_records_match_every_checkpoints_log_history(first_run: tuple[Path, Any, TrainmonCallback]) -> None:
    out, trainer, _ = first_run
    live = read_live_log(out / LIVE_LOG_FILE)
    assert live.bad_lines == 0 and live.pending_bytes == 0 and not live.resumes
    checkpoints = sorted(out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    assert [p.name for p in checkpoints] == ["checkpoint-8", "checkpoint-10"]  # save_total_limit=2
    live_entries = entries(live)
    for folder in checkpoints:
        history = json.loads((folder / "trainer_state.json").read_text())["log_history"]
        assert len(history) >= 10  # checkpoint-8: 8 training entries and 2 evaluations
        # The checkpoint holds exactly the first len(history) records: same steps, same keys, same values.
        assert same(live_entries[: len(history)], history), folder.name
    # The summary entry, logged after the last save, is in no checkpoint but is in the live log.
    last_history = json.loads((checkpoints[-1] / "trainer_state.json").read_text())["log_history"]
    assert len(live_entries) == len(last_history) + 1
    assert live.logs[-1].kind == "final"
    assert same(live_entries, trainer.state.log_history)
    assert {"train_runtime", "train_loss"} <= live.logs[-1].values.keys()


def test_plan_saves_and_end(first_run: tuple[Path, Any, TrainmonCallback]) -> None:
    out, _, _ = first_run
    live = read_live_log(out)
    start = live.start
    assert start is not None and live.from_step_zero
    assert (start.step, start.max_steps, start.logging_steps, start.eval_steps, start.save_steps) == (
        0,
        MAX_STEPS,
        1,
        4,
        4,
    )
    assert (start.world_size, start.samples_per_step) == (1, BATCH)
    assert [(s.step, s.checkpoint) for s in live.saves] == [
        (4, "checkpoint-4"),
        (8, "checkpoint-8"),
        (10, "checkpoint-10"),
    ]
    assert live.end is not None and live.end.step == MAX_STEPS
    times = [start.time, *(r.time for r in live.logs), live.end.time]
    assert times == sorted(times)
    train = [r for r in live.logs if r.kind == "train"]
    evals = [r for r in live.logs if r.kind == "eval"]
    assert [r.step for r in train] == list(range(1, MAX_STEPS + 1))
    assert [r.step for r in evals] == [4, 8, 10]
    # Tokens are tracked (include_num_input_tokens_seen): BATCH * SEQ per step.
    assert [r.num_input_tokens_seen for r in train] == [BATCH * SEQ * s for s in range(1, MAX_STEPS + 1)]
    assert all(r.gpu_mem_peak is None for r in live.logs)  # CPU run: no GPU figure


def test_merge_live_completes_a_checkpoint(first_run: tuple[Path, Any, TrainmonCallback]) -> None:
    out, trainer, _ = first_run
    live = read_live_log(out)
    full = core_state(trainer.state, out / LIVE_LOG_FILE)
    latest = find_latest(out).latest
    assert latest is not None and latest.checkpoint == "checkpoint-10" and latest.final is None
    merged = merge_live(latest, live)
    assert merged is not None and merged.final == full.final  # the summary only the live log holds
    older = merge_live(load_state(out / "checkpoint-8"), live)
    assert older is not None
    assert older.global_step == MAX_STEPS and older.checkpoint == "checkpoint-8"
    for key in ("loss", "learning_rate", "grad_norm", "eval_loss"):
        assert older.get(key).steps.tolist() == full.get(key).steps.tolist(), key
        assert older.get(key).values.tolist() == full.get(key).values.tolist(), key
    assert older.last_train == full.last_train
    assert older.latest_eval == full.latest_eval and older.latest_eval.step == MAX_STEPS
    assert summarize(older).to_json()["loss"] == summarize(full).to_json()["loss"]


def test_progress_from_the_real_run(first_run: tuple[Path, Any, TrainmonCallback]) -> None:
    out, _, _ = first_run
    live = read_live_log(out)
    assert live.end is not None
    progress = live_progress(live, now=live.end.time + 1000)
    assert progress.finished and progress.eta_seconds == 0.0 and not progress.stalled
    assert progress.steps_per_second is not None and progress.steps_per_second > 0
    assert progress.samples_per_second == pytest.approx(progress.steps_per_second * BATCH)
    assert progress.tokens_per_second is not None and progress.tokens_per_second > 0
    assert progress.elapsed_seconds == pytest.approx(live.end.time - live.start.time)


def test_end_of_training_report(first_run: tuple[Path, Any, TrainmonCallback]) -> None:
    out, trainer, callback = first_run
    assert set(callback.report_files) == {"text", "json", "png"}
    expected = summarize(core_state(trainer.state, out / LIVE_LOG_FILE)).to_json()
    written = json.loads((out / REPORT_JSON).read_text())
    assert {k: v for k, v in written.items() if k != "checkpoint_time"} == {
        k: v for k, v in expected.items() if k != "checkpoint_time"
    }
    assert written["global_step"] == MAX_STEPS
    text = (out / REPORT_TEXT).read_text()
    assert str(MAX_STEPS) in text and len(text.splitlines()) > 5
    png = (out / REPORT_PNG).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_resumed_run_appends_and_reader_replaces(
    first_run: tuple[Path, Any, TrainmonCallback], make_trainer: Callable[[Path, TrainmonCallback], Any]
) -> None:
    out, _, _ = first_run
    old_bytes = (out / LIVE_LOG_FILE).read_bytes()
    trainer = make_trainer(out, TrainmonCallback())
    trainer.train(resume_from_checkpoint=str(out / "checkpoint-8"))
    new_bytes = (out / LIVE_LOG_FILE).read_bytes()
    assert new_bytes.startswith(old_bytes) and len(new_bytes) > len(old_bytes)  # appended, not rewritten
    raw_lines = new_bytes.splitlines()
    assert sum(json.loads(line)["type"] == "start" for line in raw_lines) == 2

    live = read_live_log(out)
    assert live.bad_lines == 0
    assert len(live.resumes) == 1 and live.resumes[0].step == 8
    assert live.resumes[0].dropped == 4  # the first run's train 9 and 10, its evaluation at 10, its summary
    assert live.start is not None and live.start.step == 8
    # After the resume the live log is exactly what the resumed Trainer holds: old 1..8, new 9..10.
    assert same(entries(live), trainer.state.log_history)
    assert all(r.time >= live.start.time for r in live.logs if r.step > 8)
    assert [r.step for r in live.session_logs if r.kind == "train"] == [9, 10]
    assert [s.step for s in live.saves] == [4, 8, 10]
    progress = live_progress(live, now=live.end.time)
    assert progress.finished and progress.elapsed_seconds == pytest.approx(live.end.time - live.start.time)
