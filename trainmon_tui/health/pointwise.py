"""The detectors of one series each, fed its new points in batches: a non-finite value, a value far above
its rolling median (the loss spike, the grad-norm explosion), a value exactly 0 for many logs in a row.

Most points need no Python: numpy finds the few that can matter (a non-finite value, a run of zeros, a
value above k x the window's minimum) and only those are looked at one by one, against the median of the
window without its too-high values (a spike never moves the baseline it is judged against).
Each detector's ``holding`` is its current episode's alert; ``touch`` hands every version of an episode
to :class:`~.detectors.SeriesDetectors`, which keeps the latest.
"""

from __future__ import annotations

import statistics
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

import numpy as np

from trainmon_tui.health.alerts import Alert, Severity
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import t
from trainmon_tui.views.numfmt import format_number as fmt

Role = Literal["loss", "grad", "lr", "eval"]
Points = tuple[np.ndarray, np.ndarray]  # steps (int64), values (float64)
When = Callable[[int], float]  # the wall time of a step
Touch = Callable[[Alert], None]


def episode_alert(kind: str, severity: Severity, at: int, now: float, key: str, **fields: object) -> Alert:
    """An alert of an episode that began at step ``at``, its message the label ``key`` with ``fields``."""
    return Alert(kind, severity, at, now, t(key, "en", **fields), t(key, "zh", **fields))


class NonFinite:
    """The loss (critical) or grad norm (warning) is NaN or infinite: from the first such step, with the
    count since; the episode ends after ``nonfinite_clear_logs`` finite values in a row."""

    def __init__(self, role: Role, limits: Thresholds) -> None:
        self.role, self.limits = role, limits
        self.holding: Alert | None = None
        self._clean = 0  # finite values since the last non-finite one
        self._first = ""  # the episode's first non-finite value, as shown

    def _message(self) -> None:
        alert = self.holding
        assert alert is not None
        key = "alert_nan_loss" if self.role == "loss" else "alert_nan_grad"
        fields = {"v": self._first, "step": alert.step, "n": alert.count}
        self.holding = replace(alert, message_en=t(key, "en", **fields), message_zh=t(key, "zh", **fields))

    def feed(self, steps: np.ndarray, values: np.ndarray, when: When, touch: Touch) -> None:
        clear = self.limits.nonfinite_clear_logs
        clean, prev = self._clean, -1
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            clean += i - prev - 1
            if self.holding is not None and clean >= clear:
                touch(self.holding)
                self.holding = None
            if self.holding is None:
                self._first = fmt(float(values[i]))
                kind = "nan_loss" if self.role == "loss" else "nan_grad_norm"
                severity: Severity = "critical" if self.role == "loss" else "warning"
                step = int(steps[i])
                self.holding = Alert(kind, severity, step, when(step), "", "", count=1)
            else:
                self.holding = replace(self.holding, count=self.holding.count + 1)
            self._message()
            touch(self.holding)  # (an episode's count grows: the latest version is what is kept)
            clean, prev = 0, i
        self._clean = clean + len(values) - prev - 1
        if self.holding is not None and self._clean >= clear:
            self.holding = None


class RollingJump:
    """A value far above its baseline: the loss spike and the grad-norm explosion. The baseline is the
    median of the last ``window`` finite values but the too-high ones among them: a spike does not move
    its own baseline, and a new level that lasts almost a window (until fewer than ``min_history`` old
    values are left in it) becomes the baseline: the episode ends.
    Non-finite values are NonFinite's business: skipped here."""

    def __init__(self, role: Role, limits: Thresholds) -> None:
        self.role, self.limits = role, limits
        self.window = limits.spike_window if role == "loss" else limits.grad_window
        # the last ``window`` finite values, and which of them were too high
        self.recent: deque[tuple[float, bool]] = deque(maxlen=self.window)
        self.holding: Alert | None = None

    def _candidates(self, values: np.ndarray) -> list[int]:
        """Positions (in ``values``, the carried window first) that may be too high: above k x the minimum
        of the ``window`` values before them (the baseline's median is at least that minimum)."""
        limits, span, n = self.limits, self.window, len(values)
        padded = np.concatenate((np.full(span, np.inf), values))
        low = np.lib.stride_tricks.sliding_window_view(padded, span)[:n].min(axis=1)
        if self.role == "loss":
            mask = (values - low >= limits.spike_min_rise) & (values > limits.spike_factor * low)
        else:
            relative = (values > limits.grad_floor) & (values > limits.grad_factor * low)
            mask = relative | (values > limits.grad_max)
        mask[: len(self.recent)] = False  # the window itself was judged already
        found: list[int] = np.flatnonzero(mask).tolist()
        return found

    def _high(self, value: float, median: float | None) -> bool:
        limits = self.limits
        if self.role == "loss":
            return (
                median is not None
                and median > 0
                and value > limits.spike_factor * median
                and value - median >= limits.spike_min_rise
            )
        relative = median is not None and value > limits.grad_factor * median and value > limits.grad_floor
        return relative or value > limits.grad_max

    def _judge(self, values: np.ndarray, high: np.ndarray) -> dict[int, float | None]:
        """The candidates too high (marked in ``high``, in order), each with the median it was judged by."""
        found: dict[int, float | None] = {}
        window, flags = values.tolist(), high  # Python floats: a median of 50 is faster by hand
        for i in self._candidates(values):
            lo = max(0, i - self.window)
            base = [v for v, h in zip(window[lo:i], flags[lo:i].tolist(), strict=True) if not h]
            median = statistics.median(base) if len(base) >= self.limits.min_history else None
            if self._high(window[i], median):
                high[i] = True
                found[i] = median
        return found

    def _episode(self, step: int, value: float, median: float | None, now: float) -> Alert:
        """The alert of a jump at ``step``: a spike, an explosion against the median or above the bound."""
        if self.role == "loss":
            kind, key, base = "loss_spike", "alert_spike", fmt(median)
        elif median is not None and value <= self.limits.grad_max:
            kind, key, base = "grad_explosion", "alert_grad", fmt(median)
        else:
            kind, key, base = "grad_explosion", "alert_grad_max", fmt(self.limits.grad_max)
        return episode_alert(kind, "warning", step, now, key, v=fmt(value), m=base, step=step)

    def feed(self, steps: np.ndarray, values: np.ndarray, when: When, touch: Touch) -> None:
        finite = np.isfinite(values)
        steps, values = steps[finite], values[finite]
        if not len(values):
            return
        carried = len(self.recent)
        joined = np.concatenate((np.array([v for v, _ in self.recent], dtype=np.float64), values))
        high = np.zeros(len(joined), dtype=bool)
        high[:carried] = [h for _, h in self.recent]
        found = self._judge(joined, high)
        last = carried - 1  # where the previous too-high value was (the window's end: none)
        if self.holding is not None and carried not in found:
            self.holding = None  # the batch begins with a normal value
        for i, median in found.items():
            if self.holding is not None and i == last + 1:
                self.holding = replace(self.holding, count=self.holding.count + 1)
            else:
                step = int(steps[i - carried])
                self.holding = self._episode(step, float(joined[i]), median, when(step))
            touch(self.holding)
            last = i
        if last != len(joined) - 1:
            self.holding = None  # a normal value came after the last too-high one
        tail = slice(max(0, len(joined) - self.window), len(joined))
        self.recent = deque(zip(joined[tail].tolist(), high[tail].tolist(), strict=True), maxlen=self.window)


class ZeroRun:
    """A value exactly 0 at ``need`` logs in a row (the loss; the learning rate with steps left)."""

    def __init__(self, kind: str, need: int) -> None:
        self.kind, self.need = kind, need
        self.run = 0  # zeros in a row at the end of what was fed
        self.holding: Alert | None = None

    def feed(
        self, steps: np.ndarray, values: np.ndarray, fire: Callable[[int, int], Alert | None], touch: Touch
    ) -> None:
        """``fire(step, n)``: the alert for the ``need``-th zero of a run at ``step``; None: not wanted."""
        finite = np.isfinite(values)
        steps, values = steps[finite], values[finite]
        if not len(values):
            return
        zero = np.concatenate(([False], values == 0.0, [False])).astype(np.int8)
        edges = np.diff(zero)
        starts, ends = np.flatnonzero(edges == 1).tolist(), np.flatnonzero(edges == -1).tolist()
        if not starts or starts[0] != 0:
            self.run, self.holding = 0, None  # a run carried in ended at the batch's first value
        for s, e in zip(starts, ends, strict=True):
            before = self.run if s == 0 else 0
            if s != 0:
                self.holding = None
            at = s + self.need - before - 1  # the need-th zero of the run
            if self.holding is None and s <= at < e:
                self.holding = fire(int(steps[at]), self.need)
                if self.holding is not None:
                    touch(self.holding)
            self.run = before + e - s
        if not starts or ends[-1] != len(values):  # the batch ends on a value that is not 0
            self.run, self.holding = 0, None
