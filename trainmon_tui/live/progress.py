"""A run's progress from where its wall times are: the live log's records or the checkpoints' mtimes.

Two sources of (step, wall time) points:

- the live log (:func:`live_progress`): the latest session's start record and the first record of each
  step it logged since; heartbeats (written while evaluating) count as signs of life;
- without a live log, the checkpoints' ``trainer_state.json`` mtimes (:func:`checkpoint_progress`).

The arithmetic (speed, ETA, stall) is :mod:`.eta`'s, shared by both.

Checkpoint mtimes are believed only when they are plausible (:func:`trusted_times`): a copied folder
(``cp -r``, an unpacked archive, a download) has every file written within moments of the others, and its
mtimes say when the copy was made. Taken in mtime order, two consecutive checkpoints must be at least
``MIN_CHECKPOINT_GAP_SECONDS`` (1 s) apart, and when the step grows, by no more than
``MAX_CHECKPOINT_STEPS_PER_SECOND`` (100) steps a second (no Trainer step, a forward, a backward and an
optimizer update, is that fast on a model whose checkpoints take seconds to copy). Only the newest
stretch of plausible gaps is used; when the newest gap is implausible there is no speed, no ETA, no last
update and no stall, and the run's step is the highest checkpoint's. A single checkpoint cannot be judged
and is taken as it is. The run's step, not the shown (maybe pinned) state's, gives the next checkpoint;
the run is finished when its step or the root ``trainer_state.json``'s reaches max_steps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.eta import (
    DEFAULT_WINDOW,
    MEDIAN_INTERVALS,
    STARTUP_STALL_SECONDS,
    Progress,
    compute_progress,
)
from trainmon_tui.live.livelog import LiveLog

CHECKPOINT_WINDOW = 5
MIN_CHECKPOINT_GAP_SECONDS = 1.0
MAX_CHECKPOINT_STEPS_PER_SECOND = 100.0


def live_points(live: LiveLog, limit: int | None = None) -> list[tuple[int, float]]:
    """The latest session's (step, wall time) points: its start, then the first record of each step.

    With ``limit``, only the last ``limit`` points (read from the end: a long run is not walked whole).
    """
    logs, first = live.logs, live.session_first
    newest_first: list[tuple[int, float]] = []
    index = len(logs) - 1
    while index >= first:
        record = logs[index]
        if newest_first and newest_first[-1][0] == record.step:
            newest_first[-1] = (record.step, record.time)  # an earlier record of the same step
        else:
            if limit is not None and len(newest_first) == limit:
                break  # the oldest point kept is complete: its step's earlier records are all read
            newest_first.append((record.step, record.time))
        index -= 1
    start = live.start
    if index < first and start is not None and (not newest_first or newest_first[-1][0] > start.step):
        newest_first.append((start.step, start.time))
    points = newest_first[::-1]
    return points[-limit:] if limit is not None else points


def live_progress(live: LiveLog, now: float, *, window: int = DEFAULT_WINDOW) -> Progress:
    """Progress of the run the live log describes, as of ``now`` (a wall time)."""
    start = live.start
    tokens: list[tuple[float, int]] = []
    logs = live.logs
    index = len(logs) - 1
    if index >= live.session_first and not logs[index].num_input_tokens_seen:
        index = -1  # not tracked (when it is, every record carries the count): nothing to walk
    while index >= live.session_first:
        record = logs[index]
        count = record.num_input_tokens_seen
        if count:
            if tokens and tokens[-1][1] == count:
                tokens[-1] = (record.time, count)  # the time the count was first reached
            elif len(tokens) == window + 1:
                break
            else:
                tokens.append((record.time, count))
        index -= 1
    if index < live.session_first and start is not None and start.num_input_tokens_seen is not None:
        tokens.append((start.time, start.num_input_tokens_seen))  # 0 for a fresh run: a baseline
    tokens.reverse()
    return compute_progress(
        live_points(live, limit=max(window, MEDIAN_INTERVALS) + 1),
        now,
        source="live",
        max_steps=start.max_steps if start else None,
        save_steps=start.save_steps if start else None,
        samples_per_step=start.samples_per_step if start else None,
        tokens=tokens,
        started_at=start.time if start else None,
        ended_at=live.end.time if live.end else None,
        last_update=live.last_time,
        phase=live.phase,
        window=window,
        unknown_interval_threshold=STARTUP_STALL_SECONDS if start else None,
    )


def plausible_gap(earlier: tuple[int, float], later: tuple[int, float]) -> bool:
    """Two consecutive checkpoints (in mtime order) a real run could have written: at least
    ``MIN_CHECKPOINT_GAP_SECONDS`` apart, and no faster than ``MAX_CHECKPOINT_STEPS_PER_SECOND``."""
    gap = later[1] - earlier[1]
    if gap < MIN_CHECKPOINT_GAP_SECONDS:
        return False
    return later[0] <= earlier[0] or (later[0] - earlier[0]) / gap <= MAX_CHECKPOINT_STEPS_PER_SECOND


def trusted_times(points: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """Of ``(step, mtime)`` points in mtime order, the newest stretch whose every gap is plausible; none
    when the newest gap is not (a copied folder). A single point cannot be judged: it is kept."""
    start = len(points) - 1
    while start > 0 and plausible_gap(points[start - 1], points[start]):
        start -= 1
    tail = list(points[start:])
    return tail if len(tail) >= 2 or len(points) == 1 else []


def _resume_chain(points: Sequence[tuple[int, float]]) -> list[tuple[int, float]]:
    """A checkpoint written after one of a higher step means the run was resumed from an earlier step:
    as with the live log, the older points at or past its step are dropped."""
    ordered: list[tuple[int, float]] = []
    for point in points:
        while ordered and ordered[-1][0] >= point[0]:
            ordered.pop()
        ordered.append(point)
    return ordered


def checkpoint_progress(
    checkpoints: Sequence[tuple[int, float]],
    now: float,
    *,
    max_steps: int | None,
    save_steps: int | None = None,
    samples_per_step: int | None = None,
    finished: bool = False,
    window: int = CHECKPOINT_WINDOW,
    step: int | None = None,
) -> Progress:
    """Progress from the checkpoints alone: ``(step, mtime of its trainer_state.json)`` pairs.

    Taken in mtime order, only when plausible (:func:`trusted_times`); a pair whose mtime is not finite
    (the root ``trainer_state.json``) counts for the run's step and its end, never as a point in time. A
    resume from an earlier step drops the points past it. ``step`` is the shown state's step, used when
    the times tell nothing. ``finished`` (for example, the latest state holds the end-of-training summary)
    or a step at max_steps makes the ETA 0.
    """
    timed = sorted(((int(s), float(t)) for s, t in checkpoints if math.isfinite(t)), key=lambda p: p[1])
    chain = _resume_chain(trusted_times(timed))
    untimed = [int(s) for s, t in checkpoints if not math.isfinite(t)]
    steps = [int(s) for s, _ in checkpoints] + ([step] if step is not None else [])
    run_step = chain[-1][0] if chain else max(steps, default=None)
    ends = [s for s in (run_step, *untimed) if s is not None]
    finished = finished or bool(max_steps and any(s >= max_steps for s in ends))
    return compute_progress(
        chain,
        now,
        source="checkpoints",
        max_steps=max_steps,
        save_steps=save_steps,
        samples_per_step=samples_per_step,
        ended_at=chain[-1][1] if finished and chain else None,
        window=window,
        unknown_interval_threshold=None,
        step=run_step,
        finished=finished,
    )


def progress_for(
    state: TrainerState | None,
    live: LiveLog | None,
    checkpoint_times: Sequence[tuple[int, float]],
    now: float,
) -> Progress | None:
    """The run's progress from the best source there is: the live log when it has records, otherwise the
    modification times of the checkpoints (``checkpoint_times``, the root state's step with a NaN time).
    ``state`` is the one shown, maybe a pinned older checkpoint: the progress is the run's. None when
    neither can tell anything."""
    if live is not None and not live.empty:
        return live_progress(live, now)
    if state is None or not checkpoint_times:
        return None
    finished = state.final is not None or (
        state.max_steps is not None and state.global_step is not None and state.global_step >= state.max_steps
    )
    save_steps = int(state.save_steps) if state.save_steps else None
    progress = checkpoint_progress(
        checkpoint_times,
        now,
        max_steps=state.max_steps,
        save_steps=save_steps,
        finished=finished,
        step=state.global_step,
    )
    timed = any(math.isfinite(t) for _, t in checkpoint_times)
    return progress if timed or progress.finished else None
