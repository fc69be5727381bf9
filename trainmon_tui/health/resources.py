"""The resource detectors over the live log's ``sys/`` series: a GPU's memory full, the GPUs idle while the
steps advance, the training process's resident memory growing without bound.

Fed like the others: each series' points new since the last feed, found again after the point fed last
(a changed history starts them over). ``gpu_memory_full`` and ``input_bound`` judge one figure per record
(the fullest device's memory, the busiest device's utilisation) and fire once the condition has held at
every record of a run spanning ``gpu_full_seconds`` / ``input_bound_minutes`` of wall time (without wall
times: ``gpu_full_logs`` / ``input_bound_logs`` records) with the step advanced; over at the first record
where it does not hold. ``rss_growing`` judges each new point against the newest half of the series up
to it (see :class:`RssGrowth`). A run without ``sys`` figures has none of these series: nothing fires.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from collections.abc import Callable, Mapping

import numpy as np

from trainmon_tui.files.model import Series
from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.pointwise import Points, Touch
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import t
from trainmon_tui.views.numfmt import format_number as fmt

Times = Callable[[int], float | None]  # the wall time a step was logged at, None when unknown
Cursor = tuple[int, float]  # the last step fed of a series, and its value
_GPU = re.compile(r"sys/gpu(\d{1,4})/(util|mem_used)")
RSS = "sys/rss"


def _alert(kind: str, step: int, when: float | None, now: float, key: str, **fields: object) -> Alert:
    """A warning of an episode that fired at ``step`` (logged at ``when``; unknown: ``now``)."""
    time = now if when is None else when
    return Alert(
        kind, "warning", step, time, t(key, "en", step=step, **fields), t(key, "zh", step=step, **fields)
    )


def resume_index(cursor: Cursor | None, steps: np.ndarray, values: np.ndarray) -> int | None:
    """Where the points after ``cursor`` begin; None when the point fed last is no longer there."""
    if cursor is None:
        return 0
    step, value = cursor
    at = int(np.searchsorted(steps, step, side="right")) - 1
    if at < 0 or int(steps[at]) != step:
        return None
    old = float(values[at])
    return at + 1 if old == value or (math.isnan(old) and math.isnan(value)) else None


class Sustained:
    """A condition held at every record of a run spanning ``seconds`` of wall time (``logs`` records when
    the times are unknown), the step advanced since the run began: one episode, over at the first record
    where the condition does not hold."""

    def __init__(self, seconds: float, logs: int) -> None:
        self.seconds, self.logs = seconds, logs
        self.start: tuple[int, float | None] | None = None  # the run's first step and its wall time
        self.length = 0  # records in the run so far
        self.holding: Alert | None = None

    def _first(self, steps: np.ndarray, a: int, b: int, times: Times) -> int | None:
        """The first position in [a, b) where the run is long enough, or None."""
        assert self.start is not None
        begun, began_at = self.start
        if began_at is None:
            j = a + max(0, self.logs - self.length - 1)
        else:
            due = began_at + self.seconds
            j = bisect_left(range(a, b), due, key=lambda i: times(int(steps[i])) or -math.inf) + a
        j = max(j, a + int(np.searchsorted(steps[a:b], begun, side="right")))  # the step advanced
        return j if j < b else None

    def feed(
        self, steps: np.ndarray, ok: np.ndarray, times: Times, make: Callable[[int], Alert], touch: Touch
    ) -> None:
        good, bad, pos, n = np.flatnonzero(ok), np.flatnonzero(~ok), 0, len(steps)
        while pos < n:
            if not ok[pos]:  # records where it does not hold: the run, and its episode, are over
                self.start, self.length, self.holding = None, 0, None
                at = int(np.searchsorted(good, pos))
                pos = int(good[at]) if at < len(good) else n
                continue
            at = int(np.searchsorted(bad, pos))
            end = int(bad[at]) if at < len(bad) else n
            if self.start is None:
                self.start = (int(steps[pos]), times(int(steps[pos])))
            if self.holding is None:
                j = self._first(steps, pos, end, times)
                if j is not None:
                    self.holding = make(j)
                    touch(self.holding)
            self.length += end - pos
            pos = end


def _per_record(batches: list[Points], pick: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One figure per record over the devices' batches: steps, the max (or min) value, its device."""
    steps = batches[0][0]
    if all(len(s) == len(steps) and np.array_equal(s, steps) for s, _ in batches):
        table = np.vstack([v for _, v in batches])  # every record lists every device: by position
    else:  # devices missing from some records: by step (records at one step are taken as one)
        steps = np.unique(np.concatenate([s for s, _ in batches]))
        table = np.full((len(batches), len(steps)), np.nan)
        for row, (s, v) in enumerate(batches):
            table[row, np.searchsorted(steps, s)] = v
    filled = np.where(np.isnan(table), -np.inf if pick == "max" else np.inf, table)
    device = filled.argmax(axis=0) if pick == "max" else filled.argmin(axis=0)
    return steps, table[device, np.arange(len(steps))], device


class RssGrowth:
    """The training process's RSS growing without bound. At each point i, the window is the newest half of
    the series up to it (points n//2 .. i of n = i + 1). It fires at the first point where the window
    holds at least ``rss_min_points`` points, more than half of its deltas are rises (> 0: a single jump
    then a plateau is no leak), point i is above every earlier point of the window (a new maximum), and
    ``rss_growth`` (a fraction) above the window's first point; it is over at the first point less than
    half that growth above its window's first point (the growth stopped for long enough, or the memory
    was given back; half, so that noise about the threshold is one episode, not many). Each point's
    latest earlier point at least as high comes from a stack carried between feeds; the rest is numpy
    over the windows of the new points (one O(n) numpy pass per feed)."""

    def __init__(self, limits: Thresholds) -> None:
        self.limits = limits
        self.stack: list[tuple[int, float]] = []  # (index, value), values not increasing
        self.holding: Alert | None = None

    def _previous_greater(self, values: np.ndarray, start: int) -> np.ndarray:
        out = np.empty(len(values) - start, dtype=np.int64)
        stack = self.stack
        for k, value in enumerate(values[start:].tolist()):
            while stack and stack[-1][1] < value:
                stack.pop()
            out[k] = stack[-1][0] if stack else -1
            stack.append((start + k, value))
        return out

    def feed(
        self, steps: np.ndarray, values: np.ndarray, start: int, times: Times, now: float, touch: Touch
    ) -> None:
        n = len(values)
        if start >= n:
            return
        prev = self._previous_greater(values, start)
        index = np.arange(start, n)
        first = (index + 1) // 2  # the window's first point
        base = first[0]
        rising = np.concatenate(([0], np.cumsum(np.diff(values[base:]) > 0)))  # from base
        ups = rising[index - base] - rising[first - base]  # deltas > 0 in the window
        size_ok = index - first + 1 >= self.limits.rss_min_points
        low = values[first]
        growth = self.limits.rss_growth
        grown = size_ok & (low > 0) & (values[index] >= (1 + growth) * low)
        kept = size_ok & (low > 0) & (values[index] >= (1 + growth / 2) * low)  # not over yet
        fires = grown & (2 * ups > index - first) & (prev < first)
        pos = 0
        while pos < len(index):
            if self.holding is None:
                later = np.flatnonzero(fires[pos:])
                if not len(later):
                    break
                j = pos + int(later[0])
                i, w = int(index[j]), int(first[j])
                step = int(steps[i])
                fields = {"a": fmt(float(values[w])), "b": fmt(float(values[i])), "since": int(steps[w])}
                self.holding = _alert("rss_growing", step, times(step), now, "alert_rss", **fields)
                touch(self.holding)
                pos = j + 1
            else:
                over = np.flatnonzero(~kept[pos:])
                if not len(over):
                    break
                self.holding, pos = None, pos + int(over[0]) + 1


class ResourceDetectors:
    """The three resource detectors of one run, each series fed from where it was left."""

    def __init__(self, limits: Thresholds) -> None:
        self.limits = limits
        self._reset()

    def _reset(self) -> None:
        limits = self.limits
        self.cursors: dict[str, Cursor] = {}
        self.full = Sustained(limits.gpu_full_seconds, limits.gpu_full_logs)
        self.idle = Sustained(limits.input_bound_minutes * 60, limits.input_bound_logs)
        self.rss = RssGrowth(limits)

    def holding(self) -> list[Alert]:
        alerts = (self.full.holding, self.idle.holding, self.rss.holding)
        return [a for a in alerts if a is not None]

    def feed(self, series: Mapping[str, Series], times: Times, now: float, touch: Touch) -> int:
        """The new points of the ``sys/`` series in ``series``; how many points were fed."""
        keys = sorted(k for k in series if k == RSS or _GPU.fullmatch(k))
        starts: dict[str, int] = {}
        for key in keys:
            start = resume_index(self.cursors.get(key), series[key].steps, series[key].values)
            if start is None:  # the history changed under us: read it all again
                self._reset()
                starts = dict.fromkeys(keys, 0)
                break
            starts[key] = start
        fed = 0
        for key in keys:
            s = series[key]
            fed += len(s) - starts[key]
            if len(s):
                self.cursors[key] = (int(s.steps[-1]), float(s.values[-1]))
        if RSS in series:
            self.rss.feed(series[RSS].steps, series[RSS].values, starts[RSS], times, now, touch)
        self._gpus(series, starts, times, now, touch)
        return fed

    def _gpus(
        self, series: Mapping[str, Series], starts: dict[str, int], times: Times, now: float, touch: Touch
    ) -> None:
        gpus = sorted({int(m[1]) for k in starts if (m := _GPU.fullmatch(k))})
        used, util = [], []
        for gpu in gpus:
            key, total_key = f"sys/gpu{gpu}/mem_used", f"sys/gpu{gpu}/mem_total"
            if key in series and total_key in series and len(series[total_key]):
                s, total = series[key], series[total_key]
                steps, values = s.steps[starts[key] :], s.values[starts[key] :]
                at = np.searchsorted(total.steps, steps, side="right") - 1
                sizes = np.where(at >= 0, total.values[np.maximum(at, 0)], np.nan)
                used.append((steps, np.where(sizes > 0, values / sizes, np.nan)))
            key = f"sys/gpu{gpu}/util"
            if key in series:
                util.append((series[key].steps[starts[key] :], series[key].values[starts[key] :]))
        limits = self.limits
        if used and any(len(s) for s, _ in used):
            steps, ratio, device = _per_record(used, "max")
            full = ratio >= 1 - limits.gpu_memory_margin

            def full_alert(j: int) -> Alert:
                step, since = int(steps[j]), self.full.start[0] if self.full.start else int(steps[j])
                fields = {"gpu": gpus[int(device[j])], "pct": fmt(100 * float(ratio[j])), "since": since}
                return _alert("gpu_memory_full", step, times(step), now, "alert_gpu_full", **fields)

            self.full.feed(steps, full, times, full_alert, touch)
        if util and any(len(s) for s, _ in util):
            steps, busiest, _ = _per_record(util, "max")
            idle = busiest < limits.input_bound_util

            def idle_alert(j: int) -> Alert:
                step, since = int(steps[j]), self.idle.start[0] if self.idle.start else int(steps[j])
                fields = {"u": fmt(limits.input_bound_util), "since": since}
                return _alert("input_bound", step, times(step), now, "alert_input_bound", **fields)

            self.idle.feed(steps, idle, times, idle_alert, touch)
