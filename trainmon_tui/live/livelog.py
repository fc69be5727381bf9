"""What a live source holds at one moment (:class:`LiveLog`), and the records it is made of.

The Trainer writes ``trainer_state.json`` only when it saves a checkpoint, and its ``log_history`` has no
wall times. :class:`~trainmon_tui.callback.TrainmonCallback` appends one record per event to
``trainmon_log.jsonl`` instead (the format: :mod:`.schema`): a ``start`` record, one ``log`` record per
``on_log`` (every numeric value the Trainer logged, with step, epoch and wall time), one ``save`` record per
checkpoint, ``heartbeat`` records while evaluating or saving, and an ``end`` record. The live log is read
by :mod:`.follower` (a line decoded by :mod:`.records`); the TensorBoard event files are read into the
same :class:`LiveLog` by :mod:`.tbevents`, so that :mod:`.merge` and :mod:`.progress` take either.

Nothing here imports textual, plotext or matplotlib.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from trainmon_tui.files.entries import EntryKind, entry_kind
from trainmon_tui.live.sysfigures import SystemFigures


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
    pid: int | None = None  # the training process, and the host it runs on (hostname)
    host: str | None = None
    # The TrainingArguments (scalars, secrets left out) and the model's name; empty / None in old files.
    args: dict[str, int | float | str | bool | None] = field(default_factory=dict)
    model: str | None = None


@dataclass(frozen=True, slots=True)
class LogRecord:
    """``on_log``: one ``log_history`` entry with its wall time. ``values`` keeps NaN and +-Infinity."""

    time: float
    step: int
    epoch: float | None
    values: dict[str, float]
    num_input_tokens_seen: int | None = None
    gpu_mem_peak: int | None = None  # bytes, torch.cuda.max_memory_allocated() where CUDA is in use
    system: SystemFigures | None = None  # the "sys" object (schema version 2): memory, CPU, GPUs

    @property
    def kind(self) -> EntryKind:
        """The kind of log entry it is: training, evaluation, the end-of-training summary or other."""
        return entry_kind(self.values)


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


class SourceKind(str, Enum):
    """Where a :class:`LiveLog` was read from."""

    JSONL = "jsonl"  # trainmon_log.jsonl, written by TrainmonCallback
    TENSORBOARD = "tensorboard"  # the Trainer's TensorBoard event files


@dataclass(frozen=True, slots=True)
class LiveLog:
    """What a live source holds at one moment (a snapshot: later polls never change it)."""

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
    kind: SourceKind = SourceKind.JSONL  # set by whoever built it

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


def empty_live_log(
    path: str | os.PathLike[str], *, exists: bool = False, kind: SourceKind = SourceKind.JSONL
) -> LiveLog:
    """A live log with no records, as a source shows before it has read any."""
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
        kind=kind,
    )


Record = StartRecord | LogRecord | SaveRecord | HeartbeatRecord | EndRecord
