"""Speed, time left and liveness from (step, wall time) points: :class:`Progress` and its arithmetic.

The rules, the same for the live log and the checkpoints (:func:`compute_progress`):

- ``steps_per_second`` = steps done / seconds taken over the last ``window`` intervals between points (all
  of them when fewer), so an evaluation that falls in the window slows it as it will slow the rest of the run;
  None with fewer than two points or when no step or no time passed;
- ``samples_per_second`` = ``steps_per_second`` x samples per step (per-device batch x gradient accumulation x
  world size, from the start record; unknown from checkpoints alone);
  ``tokens_per_second`` = growth of ``num_input_tokens_seen`` over the same window (None when not tracked);
- ``elapsed_seconds`` = (the end record's time, or ``now``) - the latest session's start; None when the start
  is unknown (checkpoints only);
- ``eta_seconds`` = (max_steps - step) / steps_per_second - min(seconds since the last point, the median
  interval), at least 0: it counts down between points, but a long pause (an evaluation) does not bring it to
  0; 0 once finished; None when max_steps or the speed is unknown, or the run is stalled;
- ``stalled``: not finished and silent (no record of any kind, heartbeats included) for longer than
  ``max(5 x the median interval between points, 120 s)``, the median taken over the last 100 intervals.
  With no interval yet: 600 s after the start record (live); never (a single checkpoint: nothing to compare);
- ``next_checkpoint_step``: the next multiple of ``save_steps`` after the step, or max_steps if that comes
  first (the Trainer saves at the end too); None when the save strategy is not "steps" or the run is done.

Pure functions of the points and ``now``; where the points come from is :mod:`.progress`'s business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Literal

DEFAULT_WINDOW = 20
STALL_FACTOR = 5.0
STALL_FLOOR_SECONDS = 120.0
STARTUP_STALL_SECONDS = 600.0
MEDIAN_INTERVALS = 100

Source = Literal["live", "checkpoints"]


@dataclass(frozen=True, slots=True)
class Progress:
    source: Source
    step: int | None
    max_steps: int | None
    fraction: float | None  # step / max_steps
    steps_per_second: float | None
    samples_per_second: float | None
    tokens_per_second: float | None
    elapsed_seconds: float | None
    eta_seconds: float | None
    last_update: float | None  # wall time of the latest sign of life
    seconds_since_update: float | None
    median_interval: float | None  # seconds between points, the usual rhythm of the run
    stall_threshold: float | None  # silent longer than this = stalled; None = cannot tell
    stalled: bool
    finished: bool
    next_checkpoint_step: int | None
    phase: str | None = None  # "evaluate" / "save" while the run says so (live log only)


def rate(points: Sequence[tuple[float, float]], window: int) -> float | None:
    """(value growth) / (time taken) over the last ``window`` intervals of ``(time, value)`` points."""
    if len(points) < 2:
        return None
    first = points[max(0, len(points) - 1 - window)]
    last = points[-1]
    dt = last[0] - first[0]
    dv = last[1] - first[1]
    if dt <= 0 or dv <= 0:
        return None
    return dv / dt


def median_interval(times: Sequence[float], last: int = MEDIAN_INTERVALS) -> float | None:
    """The median gap between consecutive times, over the last ``last`` gaps."""
    recent = times[-last - 1 :]
    gaps = sorted(b - a for a, b in pairwise(recent))
    if not gaps:
        return None
    mid = len(gaps) // 2
    return gaps[mid] if len(gaps) % 2 else (gaps[mid - 1] + gaps[mid]) / 2


def stall_threshold(interval: float | None, *, unknown: float | None = STARTUP_STALL_SECONDS) -> float | None:
    """``max(5 x interval, 120 s)``; ``unknown`` when there is no interval yet."""
    if interval is None:
        return unknown
    return max(STALL_FACTOR * interval, STALL_FLOOR_SECONDS)


def next_checkpoint(step: int | None, save_steps: int | None, max_steps: int | None) -> int | None:
    """The step of the next save under a "steps" save strategy (the Trainer also saves at max_steps)."""
    if step is None or not save_steps or save_steps <= 0:
        return None
    if max_steps and step >= max_steps:
        return None
    upcoming = (step // save_steps + 1) * save_steps
    return min(upcoming, max_steps) if max_steps else upcoming


def compute_progress(
    points: Sequence[tuple[int, float]],
    now: float,
    *,
    source: Source = "live",
    max_steps: int | None = None,
    save_steps: int | None = None,
    samples_per_step: int | None = None,
    tokens: Sequence[tuple[float, int]] = (),
    started_at: float | None = None,
    ended_at: float | None = None,
    last_update: float | None = None,
    phase: str | None = None,
    window: int = DEFAULT_WINDOW,
    unknown_interval_threshold: float | None = STARTUP_STALL_SECONDS,
    step: int | None = None,
    finished: bool | None = None,
) -> Progress:
    """Progress from ``(step, wall time)`` points in time order (see the module's rules).

    ``tokens`` are ``(wall time, num_input_tokens_seen)`` points; ``last_update`` is the latest sign of life
    (defaults to the last point); ``ended_at`` marks a finished run (so does ``finished``, when its time is
    unknown). ``step`` is the run's step when it is known without a point (defaults to the last point's).
    """
    if step is None:
        step = points[-1][0] if points else None
    times = [t for _, t in points]
    sps = rate([(t, float(s)) for s, t in points], window)
    tps = rate([(t, float(n)) for t, n in tokens], window)
    if last_update is None:
        last_update = times[-1] if times else started_at
    since = max(0.0, now - last_update) if last_update is not None else None
    if finished is None:
        finished = ended_at is not None
    interval = median_interval(times)
    threshold = stall_threshold(interval, unknown=unknown_interval_threshold)
    stalled = not finished and since is not None and threshold is not None and since > threshold

    eta: float | None = None
    if finished:
        eta = 0.0
    elif max_steps and step is not None and sps and not stalled:
        # Count down between points, but no further than one usual interval: a long evaluation does not
        # bring the ETA to zero.
        since_point = max(0.0, now - times[-1])
        if interval is not None:
            since_point = min(since_point, interval)
        eta = max(0.0, max(0, max_steps - step) / sps - since_point)
    elapsed: float | None = None
    if started_at is not None:
        elapsed = max(0.0, (ended_at if ended_at is not None else now) - started_at)
    return Progress(
        source=source,
        step=step,
        max_steps=max_steps,
        fraction=step / max_steps if step is not None and max_steps else None,
        steps_per_second=sps,
        samples_per_second=sps * samples_per_step if sps and samples_per_step else None,
        tokens_per_second=tps,
        elapsed_seconds=elapsed,
        eta_seconds=eta,
        last_update=last_update,
        seconds_since_update=since,
        median_interval=interval,
        stall_threshold=threshold,
        stalled=stalled,
        finished=finished,
        next_checkpoint_step=None if finished else next_checkpoint(step, save_steps, max_steps),
        phase=None if finished else phase,
    )


def progress_json(progress: Progress | None) -> dict[str, object]:
    """The keys ``--format json`` carries for speed and time (null where unknown)."""
    if progress is None:
        return dict.fromkeys(("steps_per_second", "eta_seconds", "elapsed_seconds", "last_update"), None) | {
            "stalled": False
        }
    last = progress.last_update
    return {
        "steps_per_second": progress.steps_per_second,
        "eta_seconds": progress.eta_seconds,
        "elapsed_seconds": progress.elapsed_seconds,
        "last_update": (
            datetime.fromtimestamp(last).astimezone().isoformat(timespec="seconds") if last else None
        ),
        "stalled": progress.stalled,
    }
