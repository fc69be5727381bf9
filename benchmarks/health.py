"""Rows 13 and 14: the health monitor (issue 13), incremental against the naive way.

Row 13, a new checkpoint 500 steps later on a long run: the monitor that has seen the run so far is fed
the new state (it finds its place with a binary search and judges the 500 new steps only), against the
naive way, a fresh monitor judging the whole history again (what a stateless detector would do at every
reload). Row 14, the first look at the whole history (``--check``, ``--summary --format json``, the
dashboard's first reload): the detectors' numpy batches, against the reference of feeding the same
way of a streaming detector: every point through Python, a rolling median of the last 50 losses and
grad norms (``statistics.median``) and the loss's EMA (what the monitor did before its numpy batches).
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable
from pathlib import Path

from benchmarks import data
from benchmarks.util import Row, median, time_call
from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import TrainerState
from trainmon_tui.health.monitor import HealthMonitor

NEW_STEPS = 500
WINDOW = 50

Log = Callable[[str], None]


def _state(entries: list[dict[str, object]], max_steps: int) -> TrainerState:
    step = max(int(e["step"]) for e in entries)  # type: ignore[call-overload]
    raw = {"global_step": step, "max_steps": max_steps, "log_history": entries}
    return build_state(raw, Path("trainer_state.json"))


def streaming(state: TrainerState) -> int:
    """Row 12's naive way: each loss and grad norm judged in Python against the median of the last 50."""
    flagged, ema = 0, 0.0
    for key in ("loss", "grad_norm"):
        recent: deque[float] = deque(maxlen=WINDOW)
        for value in state.get(key).values.tolist():
            if value == value and abs(value) != float("inf"):
                if len(recent) >= 10 and value > 3 * statistics.median(recent):
                    flagged += 1
                recent.append(value)
                ema = 0.9 * ema + 0.1 * value
    return flagged


def rows_health(steps: int, repeats: int, log: Log) -> tuple[Row, Row]:
    entries = data.history(steps)
    cut = data.n_entries_for_steps(entries, steps - NEW_STEPS)
    full, before = _state(entries, steps), _state(entries[:cut], steps)
    incremental: list[float] = []
    fresh: list[float] = []
    for _ in range(repeats):
        monitor = HealthMonitor()
        monitor.update(before, None, None, 0.0)  # the run so far: not timed
        incremental.append(time_call(lambda m=monitor: m.update(full, None, None, 1.0)))  # type: ignore[misc]
        fresh.append(time_call(lambda: HealthMonitor().update(full, None, None, 1.0)))
    first = [time_call(lambda: HealthMonitor().update(full, None, None, 0.0)) for _ in range(repeats)]
    naive_first = [time_call(lambda: streaming(full)) for _ in range(repeats)]
    news, look = median(incremental) * 1000, median(first) * 1000
    log(f"health: +{NEW_STEPS} steps {news:.2f} ms, first look {look:.0f} ms")
    what = f"{steps:,}-step run"
    return (
        Row(
            "13",
            f"alerts after a new checkpoint {NEW_STEPS} steps later, {what} (HealthMonitor.update)",
            ">= 20x faster than judging the whole history again",
            median(incremental) * 1000,
            median(fresh) * 1000,
            "a fresh monitor over the whole history",
            "ms",
            median(fresh) >= 20 * median(incremental),
        ),
        Row(
            "14",
            f"alerts at the first look at a {what} (numpy batches)",
            "<= 100 ms",
            median(first) * 1000,
            median(naive_first) * 1000,
            "every point in Python: a rolling median (statistics.median of 50) and the EMA",
            "ms",
            median(first) <= 0.1,
        ),
    )
