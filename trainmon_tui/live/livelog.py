"""``trainmon_log.jsonl``, the live log that :class:`~trainmon_tui.callback.TrainmonCallback` writes,
read as it grows.

The Trainer writes ``trainer_state.json`` only when it saves a checkpoint, and its ``log_history`` has no wall
times. The callback appends one JSON object per line instead: a ``start`` record, one ``log`` record per
``on_log`` (every numeric value the Trainer logged, with step, epoch and wall time), one ``save`` record per
checkpoint, ``heartbeat`` records while evaluating or saving, and an ``end`` record.

:class:`LiveLogFollower` reads only the bytes appended since its last :meth:`~LiveLogFollower.poll`:

- a last line without its newline is kept pending until the newline arrives;
- a file that shrank, changed inode, or whose first bytes changed (deleted and recreated, truncated and
  rewritten) is read again from the start;
- a line that is not a valid record is counted and skipped (the first message is kept), nothing else is lost;
- a ``log`` record whose step is lower than the last one (or a ``start`` record whose step is) is a resumed
  run, not corruption: the earlier records past the resume point are dropped, as the Trainer's own
  ``log_history`` is after ``resume_from_checkpoint``.

What the records add to a checkpoint's state is :mod:`.livemerge`'s business.

Nothing here imports textual, plotext or matplotlib.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trainmon_tui.files.entries import SUMMARY_KEYS
from trainmon_tui.files.numeric import OUT_OF_RANGE, OutOfRange, as_count, as_float, brief, loads_big_ints
from trainmon_tui.files.safeopen import NotRegularFileError, open_regular

try:  # orjson is much faster per line; it rejects bare NaN / Infinity, which the stdlib reads.
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

LIVE_LOG_FILE = "trainmon_log.jsonl"
SCHEMA_VERSION = 1

# The first bytes of the file identify it (the start record holds a wall time): when they change, the file
# was replaced even if its inode number was reused and it already grew past the old offset.
_HEAD_BYTES = 128
_CHUNK_BYTES = 1 << 22
_MAX_LINE_BYTES = 1 << 23  # a longer "line" is not a record (a binary file?): skipped, not held in memory


# --- the records --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StartRecord:
    """``on_train_begin``: the run's plan. ``step`` > 0 when resumed from a checkpoint."""

    time: float
    step: int
    epoch: float | None
    max_steps: int | None
    num_train_epochs: float | None
    logging_steps: int | None  # None unless the logging strategy is "steps"
    eval_steps: int | None  # None unless the evaluation strategy is "steps"
    save_steps: int | None  # None unless the save strategy is "steps"
    world_size: int | None
    train_batch_size: int | None
    gradient_accumulation_steps: int | None
    samples_per_step: int | None  # train_batch_size * gradient_accumulation_steps * world_size
    num_input_tokens_seen: int | None


@dataclass(frozen=True, slots=True)
class LogRecord:
    """``on_log``: one ``log_history`` entry with its wall time. ``values`` keeps NaN and +-Infinity."""

    time: float
    step: int
    epoch: float | None
    values: dict[str, float]
    num_input_tokens_seen: int | None = None
    gpu_mem_peak: int | None = None  # bytes, torch.cuda.max_memory_allocated() where CUDA is in use

    @property
    def kind(self) -> str:
        """``train`` (has ``loss``), ``final`` (the end-of-training summary), ``eval`` or ``other``."""
        return _kind(self.values)


@dataclass(frozen=True, slots=True)
class SaveRecord:
    """``on_save``: the checkpoint folder written (and rotated) at ``step``."""

    time: float
    step: int
    checkpoint: str


@dataclass(frozen=True, slots=True)
class HeartbeatRecord:
    """A sign of life while the run is busy without logging: ``phase`` is "evaluate" or "save"."""

    time: float
    step: int
    phase: str | None


@dataclass(frozen=True, slots=True)
class EndRecord:
    """``on_train_end``."""

    time: float
    step: int
    epoch: float | None


@dataclass(frozen=True, slots=True)
class Resume:
    """A resumed run seen in the log: records with a step above ``step`` were dropped at ``time``."""

    step: int
    time: float
    dropped: int  # log records replaced


@dataclass(frozen=True, slots=True)
class LiveLog:
    """What the live log holds at one moment (a snapshot: later polls never change it)."""

    path: Path
    exists: bool
    start: StartRecord | None  # the latest session's start record
    logs: tuple[LogRecord, ...]  # in file order, records of abandoned branches (resumes) removed
    saves: tuple[SaveRecord, ...]
    end: EndRecord | None  # the latest session's end record; None while it runs
    session_first: int  # index in ``logs`` of the latest session's first log record
    from_step_zero: bool  # the file starts with a start record at step 0: it holds the whole run
    last_time: float | None  # wall time of the latest record of any type, heartbeats included
    phase: str | None  # "evaluate" or "save": what the run said it is busy with, until that is logged
    resumes: tuple[Resume, ...]
    bad_lines: int
    first_error: str | None  # "line 12: not valid JSON (...)"
    pending_bytes: int  # a last line still without its newline
    offset: int  # bytes consumed (complete lines)
    lines: int  # complete lines consumed
    error: str | None = None  # the file exists but could not be read

    @property
    def empty(self) -> bool:
        return self.start is None and not self.logs and not self.saves

    @property
    def last_step(self) -> int | None:
        steps = [r.step for r in (self.end, self.logs[-1] if self.logs else None, self.start) if r]
        if self.saves:
            steps.append(self.saves[-1].step)
        return max(steps) if steps else None

    @property
    def session_logs(self) -> tuple[LogRecord, ...]:
        """The log records of the latest session (since the latest start record)."""
        return self.logs[self.session_first :]

    @property
    def finished(self) -> bool:
        return self.end is not None


def empty_live_log(path: str | os.PathLike[str], *, exists: bool = False) -> LiveLog:
    return LiveLog(
        path=Path(path),
        exists=exists,
        start=None,
        logs=(),
        saves=(),
        end=None,
        session_first=0,
        from_step_zero=False,
        last_time=None,
        phase=None,
        resumes=(),
        bad_lines=0,
        first_error=None,
        pending_bytes=0,
        offset=0,
        lines=0,
    )


def _kind(values: dict[str, Any]) -> str:
    if "loss" in values:
        return "train"
    if not SUMMARY_KEYS.isdisjoint(values):
        return "final"
    if any(key.startswith("eval_") for key in values):
        return "eval"
    return "other"


# --- decoding one line ----------------------------------------------------------------------------


class BadRecord(ValueError):
    """A line that is not a valid record; ``str()`` says why."""


def _loads(line: bytes) -> Any:
    if orjson is not None:
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            pass  # bare NaN / Infinity, huge numbers, or really broken: the stdlib decides
    return loads_big_ints(line)


def _num(raw: dict[str, Any], key: str, *, required: bool = False) -> float | None:
    value = raw.get(key)
    if value is None:
        if required:
            raise BadRecord(f"{key} is missing")
        return None
    number = as_float(value)
    if number is None:
        raise BadRecord(f"{key} is {brief(value)}, expected a number")
    return number


def _int(raw: dict[str, Any], key: str, *, required: bool = False) -> int | None:
    """A step or count by :mod:`.numeric`'s rule: finite, within int64 (a line beyond it is bad)."""
    number = _num(raw, key, required=required)
    if number is None:
        return None
    value = raw[key]
    if not math.isfinite(number) and not isinstance(value, int):
        raise BadRecord(f"{key} is {number}, expected a finite number")
    try:
        return as_count(value if isinstance(value, int) else number)
    except OutOfRange:
        raise BadRecord(f"{key} {OUT_OF_RANGE}") from None


def _time(raw: dict[str, Any]) -> float:
    value = _num(raw, "time", required=True)
    assert value is not None
    if not math.isfinite(value):
        raise BadRecord(f"time is {value}, expected a finite number")
    return value


def _values(raw: dict[str, Any]) -> dict[str, float]:
    values = raw.get("values")
    if not isinstance(values, dict):
        raise BadRecord(f"values is {type(values).__name__}, expected an object")
    return {str(k): number for k, v in values.items() if (number := as_float(v)) is not None}


Record = StartRecord | LogRecord | SaveRecord | HeartbeatRecord | EndRecord


def parse_record(line: bytes) -> Record | None:
    """One line as a record; None for a record type this version does not know (skipped, not an error).

    Raises :class:`BadRecord` for a line that is not a valid record.
    """
    try:
        raw = _loads(line)
    except UnicodeDecodeError as exc:
        raise BadRecord(f"not UTF-8 text ({exc.reason})") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BadRecord(f"not valid JSON ({exc})") from None
    if not isinstance(raw, dict):
        raise BadRecord(f"a JSON {type(raw).__name__}, expected an object")
    kind = raw.get("type")
    if kind == "log":
        return LogRecord(
            time=_time(raw),
            step=_int(raw, "step", required=True) or 0,
            epoch=_num(raw, "epoch"),
            values=_values(raw),
            num_input_tokens_seen=_int(raw, "num_input_tokens_seen"),
            gpu_mem_peak=_int(raw, "gpu_mem_peak"),
        )
    if kind == "start":
        return StartRecord(
            time=_time(raw),
            step=_int(raw, "step") or 0,
            epoch=_num(raw, "epoch"),
            max_steps=_int(raw, "max_steps"),
            num_train_epochs=_num(raw, "num_train_epochs"),
            logging_steps=_int(raw, "logging_steps"),
            eval_steps=_int(raw, "eval_steps"),
            save_steps=_int(raw, "save_steps"),
            world_size=_int(raw, "world_size"),
            train_batch_size=_int(raw, "train_batch_size"),
            gradient_accumulation_steps=_int(raw, "gradient_accumulation_steps"),
            samples_per_step=_int(raw, "samples_per_step"),
            num_input_tokens_seen=_int(raw, "num_input_tokens_seen"),
        )
    if kind == "save":
        checkpoint = raw.get("checkpoint")
        if not isinstance(checkpoint, str):
            raise BadRecord(f"checkpoint is {checkpoint!r}, expected a string")
        return SaveRecord(time=_time(raw), step=_int(raw, "step", required=True) or 0, checkpoint=checkpoint)
    if kind == "end":
        return EndRecord(time=_time(raw), step=_int(raw, "step") or 0, epoch=_num(raw, "epoch"))
    if kind == "heartbeat":
        phase = raw.get("phase")
        return HeartbeatRecord(
            time=_time(raw), step=_int(raw, "step") or 0, phase=phase if isinstance(phase, str) else None
        )
    if not isinstance(kind, str):
        raise BadRecord(f"type is {kind!r}, expected a string")
    return None


# --- following the file ---------------------------------------------------------------------------


class LiveLogFollower:
    """Follows one ``trainmon_log.jsonl``; each :meth:`poll` reads only what was appended since the last.

    Not thread-safe: use one follower from one thread (the dashboard's reload worker). The :class:`LiveLog`
    it returns is immutable and may be handed to any thread.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        chunk_bytes: int = _CHUNK_BYTES,
        max_line_bytes: int = _MAX_LINE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.chunk_bytes = chunk_bytes
        self.max_line_bytes = max_line_bytes
        self.bytes_read = 0  # bytes of records read from disk in total (the head check not counted)
        self.rereads = 0  # times the file was found replaced or truncated and read again from the start
        self._reset()
        self._snapshot: LiveLog | None = None

    def _reset(self) -> None:
        self._identity: tuple[int, int] | None = None
        self._head = b""
        self._offset = 0
        self._pending = b""
        self._skipping = False  # inside an over-long line: dropping bytes until its newline
        self._lines = 0
        self._start: StartRecord | None = None
        self._logs: list[LogRecord] = []
        self._saves: list[SaveRecord] = []
        self._end: EndRecord | None = None
        self._session_first = 0
        self._from_step_zero = False
        self._first_record = True
        self._last_time: float | None = None
        self._phase: str | None = None
        self._phase_step = 0
        self._last_step: int | None = None
        self._resumes: list[Resume] = []
        self._bad = 0
        self._first_error: str | None = None
        self._snapshot = None

    @property
    def offset(self) -> int:
        """Bytes consumed so far: the next poll reads from here (plus any pending half line)."""
        return self._offset

    @property
    def live(self) -> LiveLog:
        """The latest snapshot (empty before the first poll)."""
        return self._snapshot or empty_live_log(self.path)

    def poll(self) -> LiveLog:
        """Read what was appended, and return the log as it now stands."""
        try:
            with open_regular(self.path) as f:  # a FIFO or /dev/zero is refused; reads stop at its size
                stat = f.stat
                identity = (stat.st_dev, stat.st_ino)
                if self._identity is not None and (
                    identity != self._identity
                    or stat.st_size < self._offset + len(self._pending)
                    or not self._same_head(f)
                ):
                    self.rereads += 1
                    self._reset()
                if self._identity is None:
                    self._identity = identity
                self._read_from(f, self._offset + len(self._pending))
        except FileNotFoundError:  # not yet written, or deleted: nothing to show
            if self._snapshot is None or self._snapshot.exists:
                self._reset()
                self._snapshot = empty_live_log(self.path)
            return self._snapshot
        except OSError as exc:  # a folder, no permission, an I/O error: read again from the start later
            self._reset()
            reason = (
                exc.strerror
                if isinstance(exc, NotRegularFileError)
                else f"cannot read: {exc.strerror or exc}"
            )
            self._snapshot = replace(empty_live_log(self.path, exists=True), error=reason)
            return self._snapshot
        return self._take_snapshot()

    def _same_head(self, f: Any) -> bool:
        if not self._head:
            return True
        f.seek(0)
        return bool(f.read(len(self._head)) == self._head)

    def _read_from(self, f: Any, position: int) -> None:
        f.seek(position)
        changed = False
        while True:
            chunk = f.read(self.chunk_bytes)
            if not chunk:
                break
            changed = True
            self.bytes_read += len(chunk)
            if self._skipping:
                newline = chunk.find(b"\n")
                self._offset += len(chunk) if newline < 0 else newline + 1
                if newline < 0:
                    continue
                self._skipping = False
                chunk = chunk[newline + 1 :]
            data = self._pending + chunk if self._pending else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > self.max_line_bytes:
                    self._too_long(len(data))
                else:
                    self._pending = data
                continue
            complete, self._pending = data[: cut + 1], data[cut + 1 :]
            if len(self._head) < _HEAD_BYTES and self._offset < _HEAD_BYTES:
                self._head = (self._head + complete)[:_HEAD_BYTES]
            self._offset += len(complete)
            for line in complete.split(b"\n")[:-1]:
                self._lines += 1
                self._consume(line)
        if changed:
            self._snapshot = None

    def _too_long(self, size: int) -> None:
        self._lines += 1
        self._bad += 1
        if self._first_error is None:
            self._first_error = f"line {self._lines}: longer than {self.max_line_bytes} bytes"
        self._offset += size
        self._pending = b""
        self._skipping = True

    def _consume(self, line: bytes) -> None:
        line = line.strip()
        if not line:
            return
        try:
            record = parse_record(line)
        except BadRecord as exc:
            self._bad += 1
            if self._first_error is None:
                self._first_error = f"line {self._lines}: {exc}"
            return
        if record is None:
            return
        first, self._first_record = self._first_record, False
        self._last_time = record.time
        if isinstance(record, HeartbeatRecord):
            self._phase, self._phase_step = record.phase, record.step
            return
        self._update_phase(record)
        if isinstance(record, LogRecord):
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step - 1, record.time)  # records at >= this step are replaced
            self._logs.append(record)
            self._last_step = record.step
        elif isinstance(record, SaveRecord):
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step - 1, record.time)
            self._saves.append(record)
            self._last_step = record.step
        elif isinstance(record, StartRecord):
            if first:
                self._from_step_zero = record.step == 0
            if self._last_step is not None and record.step < self._last_step:
                self._resume(record.step, record.time)
            self._start = record
            self._end = None
            self._session_first = len(self._logs)
            self._last_step = max(self._last_step or 0, record.step)
        elif isinstance(record, EndRecord):
            self._end = record

    def _update_phase(self, record: Record) -> None:
        """A phase lasts until what ends it is logged (the evaluation's metrics, the save) or a later step."""
        if self._phase is None:
            return
        if (
            isinstance(record, (StartRecord, EndRecord))
            or record.step > self._phase_step
            or (self._phase == "evaluate" and isinstance(record, LogRecord) and record.kind == "eval")
            or (self._phase == "save" and isinstance(record, SaveRecord))
        ):
            self._phase = None

    def _resume(self, kept_up_to: int, time: float) -> None:
        """Drop what an abandoned run logged past ``kept_up_to``, as ``resume_from_checkpoint`` does."""
        before = len(self._logs)
        self._logs = [r for r in self._logs if r.step <= kept_up_to]
        self._saves = [r for r in self._saves if r.step <= kept_up_to]
        self._session_first = min(self._session_first, len(self._logs))
        self._end = None
        self._resumes.append(Resume(kept_up_to, time, before - len(self._logs)))
        self._last_step = kept_up_to

    def _take_snapshot(self) -> LiveLog:
        if self._snapshot is None:
            self._snapshot = LiveLog(
                path=self.path,
                exists=True,
                start=self._start,
                logs=tuple(self._logs),
                saves=tuple(self._saves),
                end=self._end,
                session_first=self._session_first,
                from_step_zero=self._from_step_zero,
                last_time=self._last_time,
                phase=self._phase,
                resumes=tuple(self._resumes),
                bad_lines=self._bad,
                first_error=self._first_error,
                pending_bytes=len(self._pending),
                offset=self._offset,
                lines=self._lines,
            )
        return self._snapshot


def read_live_log(path: str | os.PathLike[str]) -> LiveLog:
    """Read a whole live log once (a folder means its ``trainmon_log.jsonl``)."""
    path = Path(path)
    if path.is_dir():
        path = path / LIVE_LOG_FILE
    return LiveLogFollower(path).poll()
