"""The live log laid over a checkpoint's :class:`~trainmon_tui.files.model.TrainerState`.

A checkpoint's ``trainer_state.json`` holds the log up to the step it was saved at; the live log
(:class:`~.livelog.LiveLog`, from ``trainmon_log.jsonl`` or the TensorBoard event files) goes on past it.
:func:`merge_live` appends to the checkpoint's series what the live log holds beyond it
(:func:`records_after`: the records past its step, and those at its step that it lacks, such as the
end-of-training summary); :func:`live_state` builds a state from the live log alone, before the first
checkpoint, or when the latest checkpoint belongs to a branch that a resumed run abandoned.

Nothing here imports textual, plotext or matplotlib.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

import numpy as np

from trainmon_tui.files.build import build_state
from trainmon_tui.files.entries import EntryKind
from trainmon_tui.files.model import EvalPoint, Series, TrainerState
from trainmon_tui.live.livelog import LiveLog, LogRecord
from trainmon_tui.live.sysseries import with_system_series

# A record past a checkpoint's step is logged after that checkpoint was written; one older than its mtime by
# more than this (clock skew between the training host and the file server) belongs to another run.
CLOCK_SKEW_SECONDS = 60.0

# Keys logged with nearly every entry: they do not tell a training entry from an evaluation.
_COMMON_KEYS = frozenset({"epoch", "step", "num_input_tokens_seen", "total_flos"})


def _entries(records: list[LogRecord] | tuple[LogRecord, ...]) -> list[dict[str, Any]]:
    """Records as the Trainer's ``log_history`` entries."""
    return [{**r.values, "step": r.step} for r in records]


def live_state(live: LiveLog) -> TrainerState | None:
    """A :class:`TrainerState` from the live log alone (before the first checkpoint); None if it is empty.

    ``global_step`` is the last step logged, the plan (max_steps, save_steps, ...) comes from the start
    record, ``mtime`` is the wall time of the latest record and ``checkpoint`` is None.
    """
    if live.empty:
        return None
    start = live.start
    last = live.logs[-1] if live.logs else None
    raw: dict[str, Any] = {
        "log_history": _entries(live.logs),
        "global_step": live.last_step,
        "epoch": _last_epoch(live),
        "num_input_tokens_seen": _last_tokens(live),
    }
    if start is not None:
        raw.update(
            max_steps=start.max_steps,
            num_train_epochs=start.num_train_epochs,
            logging_steps=start.logging_steps,
            eval_steps=start.eval_steps,
            save_steps=start.save_steps,
            train_batch_size=start.train_batch_size,
        )
    mtime = live.last_time or (last.time if last else 0.0)
    return build_state(raw, live.path, mtime=mtime, size=live.offset)


def _last_epoch(live: LiveLog) -> float | None:
    for record in (live.end, live.logs[-1] if live.logs else None, live.start):
        if record is not None and record.epoch is not None and math.isfinite(record.epoch):
            return record.epoch
    return None


def _last_tokens(live: LiveLog) -> int | None:
    for record in reversed(live.logs):
        if record.num_input_tokens_seen:
            return record.num_input_tokens_seen
    return None


def _has_point(state: TrainerState, key: str, step: int) -> bool:
    series = state.series.get(key)
    return series is not None and bool(np.any(series.steps == step))


def _in_checkpoint(state: TrainerState, record: LogRecord, step: int) -> bool:
    """Whether ``record``, logged at the checkpoint's own step, is already in that checkpoint."""
    kind = record.kind
    if kind is EntryKind.TRAIN:
        return _has_point(state, "loss", step)
    if kind is EntryKind.FINAL:
        return state.final is not None
    keys = [k for k in record.values if k not in _COMMON_KEYS] or list(record.values)
    return any(_has_point(state, key, step) for key in keys)


def records_after(state: TrainerState, live: LiveLog) -> list[LogRecord]:
    """The live records a checkpoint does not hold.

    Those with a step above its ``global_step``, and those logged at that very step that it does not hold:
    the end-of-training summary (logged after the last save) and an evaluation run after the save
    (``trainer.evaluate()`` after ``train()``). Records written more than :data:`CLOCK_SKEW_SECONDS` before
    the checkpoint's mtime are from another run (a live log left in the folder by an earlier run) and are
    left out.
    """
    step = state.global_step if state.global_step is not None else -1
    oldest = state.mtime - CLOCK_SKEW_SECONDS if state.mtime else -math.inf
    tail: list[LogRecord] = []
    for record in reversed(live.logs):
        if record.step < step:
            break
        if record.time < oldest:
            continue
        if record.step > step or not _in_checkpoint(state, record, step):
            tail.append(record)
    tail.reverse()
    return tail


def _abandoned(state: TrainerState, live: LiveLog) -> bool:
    """The checkpoint is from a branch a resumed run has left: it was written before the latest session
    started from an earlier step (the new run will overwrite it when it gets there)."""
    start = live.start
    return (
        start is not None
        and state.global_step is not None
        and start.step < state.global_step
        and bool(live.resumes)
        and state.mtime <= start.time
    )


def merge_live(state: TrainerState | None, live: LiveLog) -> TrainerState | None:
    """``state`` with what the live log holds beyond it: series extended, ``last_train``,
    ``latest_eval``, ``final``, ``global_step``, ``epoch`` brought up to date, and the live log's
    ``sys/`` series (:mod:`.sysseries`) added whole, since no checkpoint holds them.

    Returns a new :class:`TrainerState` (``state`` is not changed); ``state`` itself when the live log has
    nothing newer; :func:`live_state` when there is no checkpoint yet, or when the checkpoint belongs to a
    branch that a resumed run abandoned and the live log holds the whole run. None when both are empty.
    """
    return with_system_series(_merged(state, live), live)


def _merged(state: TrainerState | None, live: LiveLog) -> TrainerState | None:
    if state is None:
        return live_state(live)
    if _abandoned(state, live) and live.from_step_zero:
        return live_state(live)
    tail = records_after(state, live)
    if not tail:
        return state
    part = build_state({"log_history": _entries(tail)}, state.source)
    series = dict(state.series)
    for key, extra in part.series.items():
        base = series.get(key)
        series[key] = (
            extra
            if base is None
            else Series(
                np.concatenate((base.steps, extra.steps)), np.concatenate((base.values, extra.values))
            )
        )
    last_train = {**state.last_train, **part.last_train}
    latest_eval: EvalPoint | None = part.latest_eval or state.latest_eval
    last_step = max(r.step for r in tail)
    epoch = next((r.epoch for r in reversed(tail) if r.epoch is not None and math.isfinite(r.epoch)), None)
    tokens = _last_tokens(live)
    if tokens is not None and tokens > (state.num_input_tokens_seen or 0):
        num_tokens: int | None = tokens
    else:
        num_tokens = state.num_input_tokens_seen
    start = live.start
    return replace(
        state,
        global_step=max(state.global_step or 0, last_step),
        epoch=epoch if epoch is not None else state.epoch,
        max_steps=state.max_steps if state.max_steps is not None else (start.max_steps if start else None),
        num_input_tokens_seen=num_tokens,
        n_entries=state.n_entries + len(tail),
        series=series,
        last_train=last_train,
        latest_eval=latest_eval,
        final=part.final if part.final is not None else state.final,
    )
