"""The TensorBoard event-file follower: real event files written with tensorboard's own writer the way the
Trainer's ``TensorBoardCallback`` writes them; incremental reads, half-written records, tag mapping,
merging with a checkpoint, and the fallback without ``tensorboard``."""

from __future__ import annotations

import builtins
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import pytest
from builders import livelog as records

from trainmon_tui.files.state import load_state
from trainmon_tui.live.merge import merge_live
from trainmon_tui.live.progress import live_progress
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.source import LiveSource, fill_plan
from trainmon_tui.live.tbevents import TensorBoardFollower, find_event_files, plan_record
from trainmon_tui.live.tbrecords import tag_key, tensorboard_available
from trainmon_tui.live.watch import is_relevant
from trainmon_tui.simulate import RunConfig, SimulatedRun

ARGS = {
    "max_steps": 40,
    "num_train_epochs": 3.0,
    "logging_strategy": "steps",
    "logging_steps": 1,
    "eval_strategy": "steps",
    "eval_steps": 10,
    "save_strategy": "steps",
    "save_steps": 20,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 2,
}


def rewrite_logs(logs: dict[str, float]) -> dict[str, float]:
    """transformers.integrations.integration_utils.rewrite_logs."""
    out = {}
    for key, value in logs.items():
        if key.startswith("eval_"):
            out["eval/" + key[5:]] = value
        elif key.startswith("test_"):
            out["test/" + key[5:]] = value
        else:
            out["train/" + key] = value
    return out


class Writer:
    """Writes events as TensorBoardCallback does: the arguments as text at train begin, then per ``on_log``
    one scalar per value at the global step, flushed."""

    def __init__(self, logdir: Path, *, tensors: bool = False) -> None:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self.writer = EventFileWriter(str(logdir))
        self.tensors = tensors  # TensorBoard 2.x summaries: one-element float tensors, not simple_value

    @property
    def path(self) -> Path:
        return Path(self.writer._file_name)

    def _event(self, step: int, wall_time: float, *values: Any) -> None:
        from tensorboard.compat.proto import event_pb2, summary_pb2

        event = event_pb2.Event(wall_time=wall_time, step=step, summary=summary_pb2.Summary(value=values))
        self.writer.add_event(event)

    def args(self, args: dict[str, Any], wall_time: float) -> None:
        from tensorboard.compat.proto import summary_pb2, tensor_pb2, tensor_shape_pb2

        tensor = tensor_pb2.TensorProto(
            dtype=7,  # DT_STRING
            string_val=[json.dumps(args).encode()],
            tensor_shape=tensor_shape_pb2.TensorShapeProto(
                dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]
            ),
        )
        metadata = summary_pb2.SummaryMetadata(
            plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="text")
        )
        self._event(
            0, wall_time, summary_pb2.Summary.Value(tag="args/text_summary", metadata=metadata, tensor=tensor)
        )
        self.writer.flush()

    def log(self, step: int, logs: dict[str, float], wall_time: float, *, flush: bool = True) -> None:
        from tensorboard.compat.proto import summary_pb2
        from tensorboard.util.tensor_util import make_tensor_proto

        for tag, value in rewrite_logs(logs).items():
            if self.tensors:
                summary = summary_pb2.Summary.Value(tag=tag, tensor=make_tensor_proto(value, dtype="float32"))
            else:
                summary = summary_pb2.Summary.Value(tag=tag, simple_value=value)
            self._event(step, wall_time, summary)
        if flush:
            self.writer.flush()

    def close(self) -> None:
        self.writer.close()


def train(step: int) -> dict[str, float]:
    return {
        "loss": 1.0 / step,
        "grad_norm": 0.5 + step / 100,
        "learning_rate": 1e-3 * (1 - step / 40),
        "epoch": step / 10,
    }


def evaluation(step: int) -> dict[str, float]:
    return {
        "eval_loss": 2.0 / step,
        "eval_runtime": 0.25,
        "eval_samples_per_second": 400.0,
        "epoch": step / 10,
    }


SUMMARY = {
    "train_runtime": 40.0,
    "train_samples_per_second": 16.0,
    "train_steps_per_second": 1.0,
    "total_flos": 1234.0,
    "train_loss": 0.2,
    "epoch": 4.0,
}


def write_steps(writer: Writer, steps: range, t0: float) -> None:
    """Step s logged at t0 + s; an evaluation every 10 steps, at the same step, right after."""
    for step in steps:
        writer.log(step, train(step), t0 + step)
        if step % 10 == 0:
            writer.log(step, evaluation(step), t0 + step + 0.5)


@pytest.fixture
def tb() -> None:
    pytest.importorskip("tensorboard")


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    return tmp_path / "outputs" / "runs" / "Jan01_12-00-00_host"


# --- tags -----------------------------------------------------------------------------------------


def test_tags_map_to_log_history_keys() -> None:
    assert tag_key("train/loss") == "loss"
    assert tag_key("train/learning_rate") == "learning_rate"
    assert tag_key("train/grad_norm") == "grad_norm"
    assert tag_key("train/epoch") == "epoch"
    assert tag_key("train/train_runtime") == "train_runtime"
    assert tag_key("eval/loss") == "eval_loss"
    assert tag_key("eval/f1/macro") == "eval_f1/macro"
    assert tag_key("test/accuracy") == "test_accuracy"
    assert tag_key("args/text_summary") is None and tag_key("train/") is None
    assert tag_key("custom") == "custom"


def test_event_files_are_relevant_to_the_watcher(tmp_path: Path) -> None:
    event = tmp_path / "runs" / "Jan01_host" / "events.out.tfevents.1700000000.host.1.0"
    assert is_relevant(str(event), tmp_path)
    assert not is_relevant(str(tmp_path / "runs" / "Jan01_host" / "other.txt"), tmp_path)


# --- reading --------------------------------------------------------------------------------------


def test_a_trainer_run_read_back(tb: None, run_dir: Path) -> None:
    t0 = time.time() - 100
    writer = Writer(run_dir)
    writer.args(ARGS, t0)
    write_steps(writer, range(1, 41), t0)
    writer.log(40, SUMMARY, t0 + 41)
    writer.close()
    live = TensorBoardFollower(run_dir.parent.parent).poll()
    assert live.exists and not live.empty and live.path == run_dir
    assert [r.step for r in live.logs if r.kind == "train"] == list(range(1, 41))
    assert [r.step for r in live.logs if r.kind == "eval"] == [10, 20, 30, 40]
    assert [r.kind for r in live.logs[-3:]] == ["train", "eval", "final"]
    first = live.logs[0]
    assert first.time == pytest.approx(t0 + 1) and first.epoch == pytest.approx(0.1)
    assert set(first.values) == {"loss", "grad_norm", "learning_rate", "epoch"}
    assert first.values["loss"] == pytest.approx(1.0) and first.values["grad_norm"] == pytest.approx(0.51)
    eval10 = live.logs[10]
    assert eval10.step == 10 and eval10.values.keys() == {
        "eval_loss",
        "eval_runtime",
        "eval_samples_per_second",
        "epoch",
    }
    assert live.logs[-1].values == pytest.approx(SUMMARY)
    assert live.end is not None and live.end.step == 40 and live.finished
    start = live.start
    assert start is not None and start.time == pytest.approx(t0) and start.step == 0 and live.from_step_zero
    assert (start.max_steps, start.logging_steps, start.eval_steps, start.save_steps) == (40, 1, 10, 20)
    assert start.train_batch_size == 8 and start.gradient_accumulation_steps == 2
    assert live.bad_lines == 0 and live.pending_bytes == 0 and live.offset == writer.path.stat().st_size
    progress = live_progress(live, now=t0 + 50)
    assert progress.finished and progress.steps_per_second == pytest.approx(1.0, rel=0.02)


def test_tensor_summaries_as_tensorboard_2_writes_them(tb: None, run_dir: Path) -> None:
    writer = Writer(run_dir, tensors=True)
    write_steps(writer, range(1, 11), time.time())
    writer.close()
    live = TensorBoardFollower(run_dir.parent.parent).poll()
    assert [r.step for r in live.logs] == [*range(1, 11), 10]
    assert live.logs[3].values["loss"] == pytest.approx(0.25)
    assert live.logs[-1].values["eval_loss"] == pytest.approx(0.2)


def test_the_writer_the_trainer_uses(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    tensorboard = pytest.importorskip("torch.utils.tensorboard")
    writer = tensorboard.SummaryWriter(log_dir=str(tmp_path / "runs" / "Jan01_host"))
    writer.add_text("args", json.dumps(ARGS))
    for step in range(1, 6):
        for tag, value in rewrite_logs(train(step)).items():
            writer.add_scalar(tag, value, step)
        writer.flush()
    writer.close()
    live = TensorBoardFollower(tmp_path).poll()
    assert [r.step for r in live.logs] == [1, 2, 3, 4, 5]
    assert live.logs[-1].values["loss"] == pytest.approx(0.2) and live.start is not None
    assert live.start.max_steps == 40


def test_reads_only_what_was_appended(tb: None, run_dir: Path) -> None:
    t0 = time.time() - 100
    writer = Writer(run_dir)
    writer.args(ARGS, t0)
    write_steps(writer, range(1, 6), t0)
    follower = TensorBoardFollower(run_dir.parent.parent)
    live = follower.poll()
    size = writer.path.stat().st_size
    assert [r.step for r in live.logs] == [1, 2, 3, 4, 5] and live.offset == follower.offset == size
    assert follower.poll() is live  # nothing new: the same snapshot
    write_steps(writer, range(6, 12), t0)
    again = follower.poll()
    assert [r.step for r in again.logs] == [*range(1, 11), 10, 11]  # the new steps, once
    assert again.offset == writer.path.stat().st_size > size and again.lines > live.lines
    assert live.logs == again.logs[:5]  # the earlier snapshot is untouched
    writer.close()


def test_an_entry_split_across_flushes_is_completed(tb: None, run_dir: Path) -> None:
    t0 = time.time()
    writer = Writer(run_dir)
    writer.log(1, {"loss": 0.5, "grad_norm": 1.0}, t0)
    follower = TensorBoardFollower(run_dir.parent.parent)
    assert follower.poll().logs[0].values == {"loss": 0.5, "grad_norm": 1.0}
    writer.log(1, {"learning_rate": 0.25, "epoch": 0.5}, t0)
    live = follower.poll()
    assert len(live.logs) == 1 and live.logs[0].values == {
        "loss": 0.5,
        "grad_norm": 1.0,
        "learning_rate": 0.25,
        "epoch": 0.5,
    }
    writer.close()


@pytest.mark.parametrize("cut", [1, 4, 10, 13, 30])
def test_a_half_written_record_is_read_once_complete(tb: None, run_dir: Path, cut: int) -> None:
    writer = Writer(run_dir)
    write_steps(writer, range(1, 4), time.time())
    writer.close()
    path = writer.path
    whole = path.read_bytes()
    path.write_bytes(whole[:-cut])  # the last record (train/epoch at step 3) cut short
    follower = TensorBoardFollower(run_dir.parent.parent)
    live = follower.poll()
    assert live.bad_lines == 0 and 0 < live.pending_bytes < len(whole)
    assert live.offset + live.pending_bytes == len(whole) - cut
    assert [r.step for r in live.logs] == [1, 2, 3] and "epoch" not in live.logs[-1].values
    assert follower.poll() is live
    with open(path, "ab") as f:
        f.write(whole[-cut:])
    live = follower.poll()
    assert live.pending_bytes == 0 and live.offset == len(whole) and live.bad_lines == 0
    assert live.logs[-1].values["epoch"] == pytest.approx(0.3)


def test_a_corrupt_record_is_skipped_and_counted(tb: None, run_dir: Path) -> None:
    writer = Writer(run_dir)
    write_steps(writer, range(1, 4), time.time())
    writer.close()
    data = bytearray(writer.path.read_bytes())
    data[-6] ^= 0xFF  # inside the last record's data: its checksum fails
    writer.path.write_bytes(bytes(data))
    live = TensorBoardFollower(run_dir.parent.parent).poll()
    assert live.bad_lines == 1 and live.first_error is not None and "checksum" in live.first_error
    assert [r.step for r in live.logs] == [1, 2, 3] and "epoch" not in live.logs[-1].values
    assert live.offset == len(data)


def test_a_broken_length_stops_that_file_without_raising(tb: None, run_dir: Path) -> None:
    writer = Writer(run_dir)
    write_steps(writer, range(1, 3), time.time())
    writer.close()
    data = writer.path.read_bytes()
    writer.path.write_bytes(data + b"\x01" * 40)
    follower = TensorBoardFollower(run_dir.parent.parent)
    live = follower.poll()
    assert live.bad_lines == 1 and [r.step for r in live.logs] == [1, 2] and live.offset == len(data)
    assert follower.poll().bad_lines == 1


def test_the_newest_run_folder_and_a_logging_dir(tb: None, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    old = Writer(outputs / "runs" / "Jan01_host")
    write_steps(old, range(1, 4), time.time() - 50)
    old.close()
    os.utime(old.path, (time.time() - 50, time.time() - 50))
    new = Writer(outputs / "runs" / "Jan02_host")
    write_steps(new, range(5, 7), time.time())
    assert find_event_files(outputs) == [new.path]
    follower = TensorBoardFollower(outputs)
    assert [r.step for r in follower.poll().logs] == [5, 6]
    new.close()
    logs = Writer(outputs / "logs")  # logging_dir="OUTPUT_DIR/logs": event files one level down
    write_steps(logs, range(7, 9), time.time() + 5)
    logs.close()
    os.utime(logs.path, (time.time() + 5, time.time() + 5))
    assert find_event_files(outputs) == [logs.path]
    assert [r.step for r in follower.poll().logs] == [7, 8]
    (outputs / "checkpoint-2").mkdir()
    assert find_event_files(tmp_path / "absent") == []


def test_a_second_file_going_back_is_a_resume(tb: None, run_dir: Path) -> None:
    t0 = time.time() - 100
    first = Writer(run_dir)
    write_steps(first, range(1, 16), t0)
    first.close()
    second = Writer(run_dir)
    second.args(ARGS, t0 + 30)
    write_steps(second, range(11, 14), t0 + 20)
    second.close()
    live = TensorBoardFollower(run_dir.parent.parent).poll()
    assert [r.step for r in live.logs] == [*range(1, 11), 10, 11, 12, 13]
    assert len(live.resumes) == 1 and live.resumes[0].step == 10
    assert live.start is not None and live.start.step == 10 and not live.from_step_zero
    assert [r.step for r in live.session_logs] == [11, 12, 13]


def test_an_evaluation_after_training_is_not_a_resume(tb: None, run_dir: Path) -> None:
    t0 = time.time() - 100
    first = Writer(run_dir)
    first.args(ARGS, t0)
    write_steps(first, range(1, 41), t0)
    first.log(40, SUMMARY, t0 + 41)
    first.close()
    second = Writer(run_dir)  # trainer.evaluate() after train(): the callback opens a new writer
    second.log(40, evaluation(40), t0 + 45)
    second.close()
    live = TensorBoardFollower(run_dir.parent.parent).poll()
    assert [r.kind for r in live.logs[-4:]] == ["train", "eval", "final", "eval"]
    assert not live.resumes and live.session_first == 0 and live.finished


def test_plan_from_the_arguments() -> None:
    plan = plan_record(5.0, {**ARGS, "max_steps": -1, "logging_steps": 0.1, "eval_strategy": "no"}, 1)
    assert plan.max_steps is None and plan.logging_steps is None and plan.eval_steps is None
    assert plan.step == 1  # the interval is unknown: the first logged step
    plan = plan_record(5.0, {**ARGS, "logging_steps": 0.1, "save_strategy": "epoch", "eval_steps": None}, 4)
    assert (plan.logging_steps, plan.save_steps, plan.eval_steps, plan.step) == (4, None, 4, 0)
    assert plan_record(5.0, {**ARGS, "logging_steps": 10}, 510).step == 500  # resumed from 500


# --- with the checkpoints -------------------------------------------------------------------------


def test_merged_with_a_checkpoint(tb: None, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=40, eval_steps=10, save_steps=20))
    run.save_at(20)
    run.advance(27)
    t0 = time.time() - 30
    writer = Writer(outputs / "runs" / "Jan01_host")
    writer.args({**ARGS, "max_steps": -1}, t0)
    for index, entry in enumerate(run.log_history):
        writer.log(entry["step"], {k: v for k, v in entry.items() if k != "step"}, t0 + index)
    writer.close()
    checkpoint = load_state(outputs / "checkpoint-20")
    live = TensorBoardFollower(outputs).poll()
    assert live.start is not None and live.start.max_steps is None
    live = fill_plan(live, checkpoint)
    assert live.start is not None and live.start.max_steps == 40
    merged = merge_live(checkpoint, live)
    assert merged is not None and merged.global_step == 27 and checkpoint.global_step == 20
    assert merged.loss.steps.tolist() == list(range(1, 28))
    assert merged.get("eval_loss").steps.tolist() == [10, 20]
    assert merged.last_train["loss"] == pytest.approx(run.log_history[-1]["loss"], rel=1e-6)
    assert live_progress(live, time.time()).eta_seconds is not None


def test_live_source_prefers_the_jsonl_log(tb: None, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    writer = Writer(outputs / "runs" / "Jan01_host")
    write_steps(writer, range(1, 4), time.time())
    writer.close()
    source = LiveSource(outputs)
    assert [r.step for r in source.poll().logs] == [1, 2, 3]  # no live log: the event files
    (outputs / LIVE_LOG_FILE).write_text("")
    assert source.poll().path.parent.name == "runs"  # an empty live log: still the event files
    records.write(outputs, records.log(9, time=time.time(), values={"loss": 0.1}))
    live = source.poll()
    assert live.path.name == LIVE_LOG_FILE and [r.step for r in live.logs] == [9]
    assert LiveSource(tmp_path / "absent").poll().empty
    assert LiveSource(outputs, tensorboard=False).poll().path.name == LIVE_LOG_FILE


def test_without_tensorboard_nothing_breaks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trainmon_tui.cli import load_run
    from trainmon_tui.files.state import StateCache
    from trainmon_tui.pipeline import take_snapshot

    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=40, eval_steps=10, save_steps=10))
    run.save_at(10)
    event = outputs / "runs" / "Jan01_host" / "events.out.tfevents.1700000000.host.1.0"
    event.parent.mkdir(parents=True)
    event.write_bytes(b"\x00" * 64)
    real_import = builtins.__import__

    def no_tensorboard(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "tensorboard" or name.startswith("tensorboard."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tensorboard)
    assert not tensorboard_available()
    live = LiveSource(outputs).poll()
    assert live.empty and live.path.name == LIVE_LOG_FILE
    assert TensorBoardFollower(outputs).poll().empty
    snapshot = take_snapshot(outputs, cache=StateCache(), follower=LiveSource(outputs))
    assert snapshot is not None and snapshot.state is not None and snapshot.state.global_step == 10
    state, progress = load_run(outputs, "en")
    assert state.global_step == 10 and (progress is None or progress.source == "checkpoints")
    assert not math.isnan(state.loss.values[-1])


def test_summary_loads_the_steps_logged_since_the_checkpoint(tb: None, tmp_path: Path) -> None:
    from trainmon_tui.cli import load_run

    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100, eval_steps=None, save_steps=10))
    run.save_at(10)
    t0 = time.time() - 20.2  # step s logged at t0 + s: step 20 was logged 0.2 s ago
    writer = Writer(outputs / "runs" / "Jan01_host")
    writer.args({**ARGS, "max_steps": -1, "save_steps": 10}, t0)
    for step in range(1, 21):
        writer.log(step, {k: v for k, v in run.train_entry(step).items() if k != "step"}, t0 + step)
    writer.close()
    state, progress = load_run(outputs, "en")
    assert state.global_step == 20 and state.checkpoint == "checkpoint-10" and len(state.loss.steps) == 20
    assert progress is not None and progress.source == "live"
    assert progress.steps_per_second == pytest.approx(1.0)
    assert progress.max_steps == 100  # max_steps=-1 in the arguments: the checkpoint's
    assert progress.eta_seconds is not None and 78.5 <= progress.eta_seconds <= 80
    assert progress.next_checkpoint_step == 30
