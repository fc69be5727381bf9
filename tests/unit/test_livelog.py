"""The live log reader: appended bytes only, half lines, resumes, truncation, garbage, NaN; and merge_live."""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import livelog as records
from builders.livelog import append

from trainmon_tui.files.state import load_state
from trainmon_tui.live.follower import LiveLogFollower, read_live_log
from trainmon_tui.live.livelog import LogRecord
from trainmon_tui.live.merge import live_state, merge_live, records_after
from trainmon_tui.live.records import parse_record
from trainmon_tui.live.schema import LIVE_LOG_FILE, SCHEMA_VERSION
from trainmon_tui.simulate import RunConfig, SimulatedRun

T0 = 1_700_000_000.0


def start(step: int = 0, time: float = T0, **extra: Any) -> dict[str, Any]:
    return records.start(step, time=time, **{"max_steps": 100, "save_steps": 10, **extra})


def log(step: int, time: float | None = None, **values: Any) -> dict[str, Any]:
    values = values or {"loss": 1.0 / step if step else 1.0, "learning_rate": 1e-4, "epoch": step / 100}
    return records.log(step, time=T0 + step if time is None else time, epoch=step / 100, values=values)


def line(record: dict[str, Any]) -> bytes:
    return records.line(record).encode()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / LIVE_LOG_FILE


def steps(records: tuple[LogRecord, ...]) -> list[int]:
    return [r.step for r in records]


# --- following ----------------------------------------------------------------------------------


def test_reads_only_the_bytes_appended_since_the_last_poll(path: Path) -> None:
    append(path, start(), log(1), log(2), log(3))
    follower = LiveLogFollower(path)
    live = follower.poll()
    size = path.stat().st_size
    assert steps(live.logs) == [1, 2, 3]
    assert follower.offset == live.offset == size and follower.bytes_read == size

    # Change a byte of an old record in place (past the head): a reader that read it again would see it.
    data = bytearray(path.read_bytes())
    where = data.index(b'"step": 2')
    data[where + len('"step": ')] = ord("7")
    path.write_bytes(bytes(data))
    assert path.stat().st_size == size

    append(path, log(4), log(5))
    live = follower.poll()
    appended = path.stat().st_size - size
    assert steps(live.logs) == [1, 2, 3, 4, 5]  # still 2: the old bytes were not read again
    assert follower.bytes_read == size + appended
    assert follower.offset == size + appended and follower.rereads == 0

    assert follower.poll() is live  # nothing new: the same snapshot, nothing read
    assert follower.bytes_read == size + appended


def test_a_half_written_last_line_waits_for_its_newline(path: Path) -> None:
    full = line(log(2, loss=0.5, **{"损失": 0.25}))  # a multibyte key, cut in the middle of a character
    cut = full.index("失".encode()) + 1
    append(path, start(), log(1), full[:cut])
    follower = LiveLogFollower(path)
    live = follower.poll()
    assert steps(live.logs) == [1]
    assert live.pending_bytes == cut and live.bad_lines == 0
    assert live.offset == path.stat().st_size - cut

    append(path, full[cut:-1])  # everything but the newline
    live = follower.poll()
    assert steps(live.logs) == [1] and live.pending_bytes == len(full) - 1

    append(path, b"\n")
    live = follower.poll()
    assert steps(live.logs) == [1, 2]
    assert live.logs[1].values == {"loss": 0.5, "损失": 0.25}
    assert live.pending_bytes == 0 and live.bad_lines == 0 and live.offset == path.stat().st_size


def test_small_chunks_give_the_same_records(path: Path) -> None:
    append(path, start(), *(log(s) for s in range(1, 30)))
    whole = LiveLogFollower(path).poll()
    chunked = LiveLogFollower(path, chunk_bytes=7).poll()
    assert chunked.logs == whole.logs and chunked.offset == whole.offset


def test_a_step_going_back_is_a_resume_not_corruption(path: Path) -> None:
    append(path, start(), *(log(s, loss=float(s)) for s in range(1, 7)))
    follower = LiveLogFollower(path)
    assert steps(follower.poll().logs) == [1, 2, 3, 4, 5, 6]
    append(path, log(4, time=T0 + 100, loss=40.0), log(5, time=T0 + 101, loss=50.0))
    live = follower.poll()
    assert live.bad_lines == 0
    assert steps(live.logs) == [1, 2, 3, 4, 5]
    # The records from the resume on replace the earlier ones with step >= 4.
    assert [r.values["loss"] for r in live.logs] == [1.0, 2.0, 3.0, 40.0, 50.0]
    assert len(live.resumes) == 1
    assert (live.resumes[0].step, live.resumes[0].dropped) == (3, 3)


def test_a_start_record_behind_the_last_step_resumes_from_its_step(path: Path) -> None:
    append(path, start(), *(log(s) for s in range(1, 5)))
    append(path, records.save(4, time=T0 + 4.5))
    append(path, *(log(s) for s in range(5, 9)))
    append(path, records.save(8, time=T0 + 8.5))
    append(path, start(step=4, time=T0 + 50), log(5, time=T0 + 51, loss=0.123))
    live = read_live_log(path)
    assert steps(live.logs) == [1, 2, 3, 4, 5] and live.logs[-1].values["loss"] == 0.123
    assert [s.checkpoint for s in live.saves] == ["checkpoint-4"]
    assert live.resumes[0].step == 4 and live.resumes[0].dropped == 4
    assert live.start is not None and live.start.step == 4
    assert steps(live.session_logs) == [5]
    assert live.from_step_zero


def test_a_truncated_file_is_read_again_from_the_start(path: Path) -> None:
    append(path, start(), *(log(s) for s in range(1, 6)))
    follower = LiveLogFollower(path)
    assert steps(follower.poll().logs) == [1, 2, 3, 4, 5]
    path.write_bytes(line(start(time=T0 + 500)) + line(log(1, time=T0 + 501)))  # shorter, another run
    live = follower.poll()
    assert follower.rereads == 1
    assert steps(live.logs) == [1] and live.start is not None and live.start.time == T0 + 500
    assert live.offset == path.stat().st_size and not live.resumes


def test_a_file_cut_back_to_a_prefix_is_read_again(path: Path) -> None:
    append(path, start(), log(1), log(2))
    keep = path.stat().st_size  # the same first bytes after the cut: only the size tells
    append(path, log(3), log(4))
    follower = LiveLogFollower(path)
    assert steps(follower.poll().logs) == [1, 2, 3, 4]
    with open(path, "r+b") as f:
        f.truncate(keep)
    live = follower.poll()
    assert follower.rereads == 1 and steps(live.logs) == [1, 2] and live.offset == keep


def test_a_file_replaced_by_rename_is_read_again(path: Path) -> None:
    # As rsync does: a new file, same first record, renamed over the old one; larger than the old offset.
    append(path, start(), log(1, loss=0.1))
    follower = LiveLogFollower(path)
    assert steps(follower.poll().logs) == [1]
    other = path.with_name("new.jsonl")
    append(other, start(), log(1, loss=0.9), *(log(s) for s in range(2, 10)))
    os.replace(other, path)
    live = follower.poll()
    assert follower.rereads == 1
    assert steps(live.logs) == list(range(1, 10)) and live.logs[0].values["loss"] == 0.9
    assert live.bad_lines == 0


def test_a_file_rewritten_in_place_and_grown_is_read_again(path: Path) -> None:
    append(path, start(), log(1))
    follower = LiveLogFollower(path)
    follower.poll()
    inode = path.stat().st_ino
    with open(path, "r+b") as f:  # same inode, new content, larger than before
        f.truncate(0)
        f.write(line(start(time=T0 + 7)) + b"".join(line(log(s, time=T0 + 7 + s)) for s in range(1, 5)))
    assert path.stat().st_ino == inode
    live = follower.poll()
    assert follower.rereads == 1
    assert live.start is not None and live.start.time == T0 + 7 and steps(live.logs) == [1, 2, 3, 4]


def test_a_missing_file_is_empty_and_is_read_once_it_appears(path: Path) -> None:
    follower = LiveLogFollower(path)
    live = follower.poll()
    assert not live.exists and live.empty and live_state(live) is None
    append(path, start(), log(1))
    live = follower.poll()
    assert live.exists and steps(live.logs) == [1]
    path.unlink()
    live = follower.poll()
    assert not live.exists and live.empty


@pytest.mark.parametrize("kind", ["file", "fifo"])
def test_outputs_that_is_no_folder_has_no_live_log(tmp_path: Path, kind: str) -> None:
    """OUTPUTS a file or a FIFO: no live log (as before one is written), not "cannot read"."""
    from trainmon_tui.live.source import LiveSource

    outputs = tmp_path / "outputs"
    if kind == "file":
        outputs.write_text("hello")
    else:
        os.mkfifo(outputs)
    for live in (LiveLogFollower(outputs / LIVE_LOG_FILE).poll(), LiveSource(outputs).poll()):
        assert live.error is None and not live.exists and live.empty


def test_garbage_lines_are_counted_and_skipped_nothing_else_lost(path: Path) -> None:
    append(
        path,
        start(),
        log(1),
        b"this is not json\n",
        log(2),
        b"[1, 2, 3]\n",
        b'{"type": "log", "time": 5}\n',  # no step
        b"\xff\xfe{}\n",  # not UTF-8
        b'{"type": "log", "time": "soon", "step": 3, "values": {}}\n',
        b"\n",  # blank: ignored, not garbage
        records.record("future-record", time=T0),  # a record type this version does not know: skipped
        log(3),
        records.save(3, time=T0 + 3.5),
    )
    live = read_live_log(path)
    assert live.bad_lines == 5
    assert live.first_error is not None and live.first_error.startswith("line 3: not valid JSON")
    assert steps(live.logs) == [1, 2, 3]
    assert [s.step for s in live.saves] == [3] and live.start is not None
    assert live.lines == 12


def test_an_endless_line_is_skipped_not_held_in_memory(path: Path) -> None:
    append(path, start(), log(1), b"x" * 5000)
    follower = LiveLogFollower(path, chunk_bytes=512, max_line_bytes=1000)
    live = follower.poll()
    assert (
        live.bad_lines == 1 and live.pending_bytes == 0 and "longer than 1000 bytes" in str(live.first_error)
    )
    append(path, b"y" * 3000 + b"\n", log(2))
    live = follower.poll()
    assert steps(live.logs) == [1, 2] and live.bad_lines == 1
    assert live.offset == path.stat().st_size and follower.rereads == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"type": "log", "time": 1, "step": 1, "values": 3}', "values is int"),
        (b'{"type": "log", "time": NaN, "step": 1, "values": {}}', "time is nan"),
        (b'{"type": "save", "time": 1, "step": 1}', "checkpoint is None"),
        (b'{"type": 7, "time": 1}', "type is 7"),
        (b'{"time": 1}', "type is None"),
        (b'{"type": "start", "time": 1, "v": 3, "step": 0}', "schema version 3, newer than the 2"),
        (b'{"type": "log", "time": 1, "v": "two", "step": 1, "values": {}}', "v is 'two'"),
    ],
)
def test_bad_records_say_why(text: bytes, reason: str) -> None:
    from trainmon_tui.live.records import BadRecord

    with pytest.raises(BadRecord, match=reason):
        parse_record(text)


def test_a_record_of_a_newer_schema_is_a_bad_line_and_one_without_v_is_version_1(path: Path) -> None:
    append(path, start(), log(1), {**log(2), "v": SCHEMA_VERSION + 1}, {**log(3), "v": SCHEMA_VERSION})
    live = read_live_log(path)
    assert steps(live.logs) == [1, 3]
    assert live.bad_lines == 1
    assert live.first_error == (
        f"line 3: schema version {SCHEMA_VERSION + 1}, newer than the {SCHEMA_VERSION} this trainmon-tui "
        "reads (upgrade trainmon-tui)"
    )


def test_nan_and_infinity_round_trip(path: Path) -> None:
    values = {"loss": math.nan, "grad_norm": math.inf, "learning_rate": -math.inf, "epoch": 0.01}
    text = json.dumps(log(1, **values))  # Python's json writes bare NaN / Infinity, as the callback does
    assert "NaN" in text and "-Infinity" in text
    append(path, start(), text.encode() + b"\n", log(2))
    live = read_live_log(path)
    assert live.bad_lines == 0
    got = live.logs[0].values
    assert math.isnan(got["loss"]) and got["grad_norm"] == math.inf and got["learning_rate"] == -math.inf
    state = live_state(live)
    assert state is not None
    assert np.isnan(state.loss.values[0]) and state.loss.values[1] == 0.5
    assert state.series["grad_norm"].values[0] == math.inf
    assert state.last_train["loss"] == 0.5


# --- as a TrainerState --------------------------------------------------------------------------


def write_simulated(path: Path, run: SimulatedRun, *, t0: float | None = None) -> None:
    """The live log the callback would have written for the simulated run's log_history (one record a
    second from ``t0``, by default now: after the checkpoints the test wrote before)."""
    t0 = time.time() if t0 is None else t0
    c = run.config
    append(path, start(max_steps=c.max_steps, save_steps=c.save_steps, eval_steps=c.eval_steps, time=t0))
    for index, entry in enumerate(run.log_history):
        values = {k: v for k, v in entry.items() if k != "step"}
        append(path, records.log(entry["step"], time=t0 + 1 + index, epoch=entry["epoch"], values=values))


def test_live_state_before_any_checkpoint(tmp_path: Path, path: Path) -> None:
    run = SimulatedRun(tmp_path, RunConfig(max_steps=40, eval_steps=10, save_steps=20))
    run.advance(13)
    write_simulated(path, run)
    state = live_state(read_live_log(path))
    assert state is not None
    assert state.global_step == 13 and state.max_steps == 40 and state.save_steps == 20
    assert state.checkpoint is None and state.source == path
    assert state.loss.steps.tolist() == list(range(1, 14))
    assert state.latest_eval is not None and state.latest_eval.step == 10
    assert state.last_train["loss"] == run.log_history[-1]["loss"]


def test_merge_live_extends_the_checkpoint_with_what_came_after(tmp_path: Path, path: Path) -> None:
    config = RunConfig(max_steps=40, eval_steps=10, save_steps=20, nan_steps=frozenset({23}))
    run = SimulatedRun(tmp_path, config)
    run.save_at(20)
    run.advance(34)
    write_simulated(path, run)
    checkpoint = load_state(tmp_path / "checkpoint-20")
    live = read_live_log(path)
    merged = merge_live(checkpoint, live)
    assert merged is not None and merged is not checkpoint
    assert checkpoint.global_step == 20 and checkpoint.loss.steps[-1] == 20  # unchanged
    assert merged.global_step == 34 and merged.checkpoint == "checkpoint-20"
    assert merged.loss.steps.tolist() == list(range(1, 35))
    assert np.isnan(merged.loss.values[22]) and merged.last_train["loss"] == run.log_history[-1]["loss"]
    assert merged.get("eval_loss").steps.tolist() == [10, 20, 30]
    assert merged.latest_eval is not None and merged.latest_eval.step == 30
    assert merged.n_entries == len(run.log_history)
    assert merged.epoch == run.epoch_at(34)
    # The same as if the checkpoint had been written now.
    run.save_checkpoint()
    now = load_state(tmp_path / "checkpoint-34")
    for key in now.series:
        assert merged.get(key).steps.tolist() == now.get(key).steps.tolist(), key
        np.testing.assert_array_equal(merged.get(key).values, now.get(key).values)
    assert merged.last_train == now.last_train and merged.latest_eval == now.latest_eval


def test_merge_live_adds_the_summary_logged_after_the_last_save(tmp_path: Path, path: Path) -> None:
    run = SimulatedRun(tmp_path, RunConfig(max_steps=20, eval_steps=10, save_steps=20))
    run.save_at(20)  # holds the evaluation at step 20, not the summary
    run.finish()
    write_simulated(path, run)
    checkpoint = load_state(tmp_path / "checkpoint-20")
    live = read_live_log(path)
    tail = records_after(checkpoint, live)
    assert [r.kind for r in tail] == ["final"]  # the train and eval entries at step 20 are not repeated
    merged = merge_live(checkpoint, live)
    assert merged is not None and merged.final is not None and checkpoint.final is None
    assert merged.final["train_loss"] == pytest.approx(run.log_history[-1]["train_loss"])
    assert merged.loss.steps.tolist() == checkpoint.loss.steps.tolist()
    assert merged.get("eval_loss").steps.tolist() == [10, 20]


def test_merge_live_with_nothing_newer_is_the_checkpoint(tmp_path: Path, path: Path) -> None:
    run = SimulatedRun(tmp_path, RunConfig(max_steps=20, eval_steps=None, save_steps=10))
    run.save_at(10)
    write_simulated(path, run)
    checkpoint = load_state(tmp_path / "checkpoint-10")
    assert merge_live(checkpoint, read_live_log(path)) is checkpoint
    assert merge_live(None, read_live_log(tmp_path / "absent.jsonl")) is None


def test_merge_live_drops_a_checkpoint_that_a_resume_abandoned(tmp_path: Path, path: Path) -> None:
    run = SimulatedRun(tmp_path, RunConfig(max_steps=20, eval_steps=None, save_steps=8))
    run.advance(8)
    write_simulated(path, run, t0=T0)
    checkpoint8 = run.save_checkpoint()
    os.utime(checkpoint8 / "trainer_state.json", (T0 + 20, T0 + 20))
    # Resumed from step 4, written after checkpoint-8: checkpoint-8 belongs to the abandoned branch.
    append(path, start(step=4, time=T0 + 30), log(5, time=T0 + 31, loss=9.0), log(6, time=T0 + 32, loss=8.0))
    live = read_live_log(path)
    merged = merge_live(load_state(checkpoint8), live)
    assert merged is not None and merged.checkpoint is None
    assert merged.global_step == 6 and merged.loss.steps.tolist() == [1, 2, 3, 4, 5, 6]
    assert merged.loss.values[-2:].tolist() == [9.0, 8.0]


def test_merge_live_ignores_a_live_log_left_by_an_earlier_run(tmp_path: Path, path: Path) -> None:
    old = SimulatedRun(tmp_path, RunConfig(max_steps=40, eval_steps=None, save_steps=10, seed=1))
    old.advance(40)
    write_simulated(path, old, t0=time.time() - 3600)  # an hour ago, up to step 40
    new = SimulatedRun(tmp_path, RunConfig(max_steps=40, eval_steps=None, save_steps=10, seed=2))
    new.save_at(10)  # this run, without the callback, is at step 10
    checkpoint = load_state(tmp_path / "checkpoint-10")
    live = read_live_log(path)
    assert records_after(checkpoint, live) == []
    assert merge_live(checkpoint, live) is checkpoint
