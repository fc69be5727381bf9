"""The detectors over the logged series, fed the new points of each series in batches (a reload's, or
one entry's): each holds an alert while its condition lasts, and the state it needs carries over.

A batch is, per role (``loss``, ``grad`` for the grad norm, ``lr``, ``eval`` for the eval loss), the new
points' steps and values in step order. Most points need no Python: numpy finds the few that can matter
(a non-finite value, a run of zeros, a value above k x the window's minimum) and only those are looked at
one by one, with the exact rolling median of the values accepted before them (an outlier never moves the
baseline it is judged against). Only the smoothed loss (a debiased EMA, for divergence and overfitting)
is a loop over every finite loss, a tight one. So a batch of n points costs little more than numpy's
passes over n, and feeding a history one entry at a time or all at once gives the same alerts.
"""

from __future__ import annotations

import math
import statistics
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

import numpy as np

from trainmon_tui.health.alerts import KINDS, Alert, Severity
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import t
from trainmon_tui.views.metrics import TrainerKind
from trainmon_tui.views.numfmt import format_number as fmt

Role = Literal["loss", "grad", "lr", "eval"]
Points = tuple[np.ndarray, np.ndarray]  # steps (int64), values (float64)
When = Callable[[int], float]  # the wall time of a step
Touch = Callable[[Alert], None]


def _alert(kind: str, severity: Severity, at: int, now: float, key: str, **fields: object) -> Alert:
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
    """A value far above its rolling median: the loss spike and the grad-norm explosion. Non-finite
    values are NonFinite's business: skipped here."""

    def __init__(self, role: Role, limits: Thresholds) -> None:
        self.role, self.limits = role, limits
        self.window = limits.spike_window if role == "loss" else limits.grad_window
        self.recent: deque[float] = deque(maxlen=self.window)  # the values accepted last
        self.holding: Alert | None = None

    def _candidates(self, values: np.ndarray, extra: int) -> np.ndarray:
        """Positions (in ``values``, the window's values first) that may be too high: above k x the minimum
        of the ``window + extra`` values before them (``extra`` >= the outliers among those, so that those
        values hold the whole true window, whose median is at least their minimum)."""
        limits, span = self.limits, self.window + extra
        n = len(values)
        padded = np.concatenate((np.full(span, np.inf), values))
        low = np.lib.stride_tricks.sliding_window_view(padded, span)[:n].min(axis=1)
        if self.role == "loss":
            mask = (values - low >= limits.spike_min_rise) & (values > limits.spike_factor * low)
        else:
            mask = ((values > limits.grad_floor) & (values > limits.grad_factor * low)) | (
                values > limits.grad_max
            )
        mask[: len(self.recent)] = False  # the window itself was judged already
        return np.flatnonzero(mask)

    def _judge(self, values: np.ndarray, at: list[int]) -> tuple[list[int], dict[int, float | None]]:
        """Of the candidates ``at``, those too high (in order), each with the median it was judged against."""
        limits = self.limits
        outliers: list[int] = []
        medians: dict[int, float | None] = {}
        for i in at:
            before = [
                values[j] for j in range(max(0, i - self.window - len(outliers)), i) if j not in medians
            ]
            window = [float(v) for v in before[-self.window :]]
            value = float(values[i])
            median = statistics.median(window) if len(window) >= limits.min_history else None
            if self.role == "loss":
                high = (
                    median is not None
                    and median > 0
                    and value > limits.spike_factor * median
                    and value - median >= limits.spike_min_rise
                )
            else:
                relative = (
                    median is not None and value > limits.grad_factor * median and value > limits.grad_floor
                )
                high = relative or value > limits.grad_max
            if high:
                outliers.append(i)
                medians[i] = median
        return outliers, medians

    def feed(self, steps: np.ndarray, values: np.ndarray, when: When, touch: Touch) -> None:
        finite = np.isfinite(values)
        steps, values = steps[finite], values[finite]
        if not len(values):
            return
        carried = len(self.recent)
        joined = np.concatenate((np.array(self.recent, dtype=np.float64), values))
        extra = 0
        while True:  # the outliers found widen the span looked at, until it holds them all
            outliers, medians = self._judge(joined, self._candidates(joined, extra).tolist())
            if len(outliers) <= extra:
                break
            extra = len(outliers)
        last = carried - 1  # where the previous too-high value was (the window's end: none)
        if outliers and outliers[0] != carried and self.holding is not None:
            self.holding = None  # the batch begins with a normal value
        for i in outliers:
            if self.holding is not None and i == last + 1:
                self.holding = replace(self.holding, count=self.holding.count + 1)
            else:
                step, value, median = int(steps[i - carried]), fmt(float(joined[i])), medians[i]
                if self.role == "loss":
                    self.holding = _alert(
                        "loss_spike",
                        "warning",
                        step,
                        when(step),
                        "alert_spike",
                        v=value,
                        m=fmt(median),
                        step=step,
                    )
                elif median is not None and float(joined[i]) <= self.limits.grad_max:
                    self.holding = _alert(
                        "grad_explosion",
                        "warning",
                        step,
                        when(step),
                        "alert_grad",
                        v=value,
                        m=fmt(median),
                        step=step,
                    )
                else:
                    bound = fmt(self.limits.grad_max)
                    self.holding = _alert(
                        "grad_explosion",
                        "warning",
                        step,
                        when(step),
                        "alert_grad_max",
                        v=value,
                        m=bound,
                        step=step,
                    )
            touch(self.holding)
            last = i
        if not outliers or last != len(joined) - 1:
            self.holding = None  # a normal value came after the last too-high one
        accepted = np.delete(joined, outliers) if outliers else joined
        self.recent = deque(accepted[-self.window :].tolist(), maxlen=self.window)


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


class SeriesDetectors:
    """Every series detector of one run (see the module's docstring)."""

    def __init__(self, limits: Thresholds, kind: TrainerKind, max_steps: int | None) -> None:
        self.limits, self.kind, self.max_steps = limits, kind, max_steps
        self.nonfinite = {"loss": NonFinite("loss", limits), "grad": NonFinite("grad", limits)}
        self.jumps = {"loss": RollingJump("loss", limits), "grad": RollingJump("grad", limits)}
        self.zero_loss = ZeroRun("zero_loss", limits.zero_loss_logs)
        self.lr_zero = ZeroRun("lr_zero", limits.lr_zero_logs)
        # the smoothed training loss: a debiased EMA (raw sum, weight**n), and divergence's rise
        self._raw, self._power = 0.0, 1.0
        self.ema: float | None = None
        self._rises = 0
        self._rise_from: float | None = None
        self.divergence: Alert | None = None
        # the evaluations of the current rise: (eval loss, the smoothed training loss then), and its rises
        self._evals: deque[tuple[float, float | None]] = deque()
        self._ups = 0
        self.overfitting: Alert | None = None
        self._touched: dict[tuple[str, int | None], Alert] = {}

    def _touch(self, alert: Alert) -> None:
        self._touched[alert.key] = alert

    def drain(self) -> dict[tuple[str, int | None], Alert]:
        """Every episode that held at some point since the last drain, as it stood last, in step order (at
        one step in the order of KINDS): an episode that began and ended within one batch is in it too."""
        touched, self._touched = self._touched, {}
        return dict(sorted(touched.items(), key=lambda item: (item[0][1] or 0, KINDS.index(item[0][0]))))

    def holding(self) -> list[Alert]:
        alerts = [d.holding for d in self.nonfinite.values()] + [d.holding for d in self.jumps.values()]
        alerts += [self.divergence, self.overfitting, self.lr_zero.holding, self.zero_loss.holding]
        return [a for a in alerts if a is not None]

    def feed(self, batch: dict[Role, Points], lr: Points, when: When) -> None:
        """The new points of each role, in step order; ``lr``: the whole finite learning-rate series."""
        touch = self._touch
        if "lr" in batch:
            self.lr_zero.feed(*batch["lr"], self._lr_zero_alert(when), touch)
        if "grad" in batch:
            self.nonfinite["grad"].feed(*batch["grad"], when, touch)
            self.jumps["grad"].feed(*batch["grad"], when, touch)
        before, smoothed = self.ema, (np.zeros(0, dtype=np.int64), np.zeros(0))
        if "loss" in batch:
            steps, values = batch["loss"]
            self.nonfinite["loss"].feed(steps, values, when, touch)
            self.jumps["loss"].feed(steps, values, when, touch)
            self.zero_loss.feed(steps, values, self._zero_loss_alert(when), touch)
            smoothed = self._smooth(steps, values, lr, when)
        if "eval" in batch:
            self._eval(*batch["eval"], before, smoothed, when)

    def _zero_loss_alert(self, when: When) -> Callable[[int, int], Alert | None]:
        def fire(step: int, n: int) -> Alert | None:
            if self.kind is TrainerKind.GRPO:
                return None  # TRL's GRPO logs 0.0 losses early by design
            return _alert("zero_loss", "warning", step, when(step), "alert_zero_loss", n=n, step=step)

        return fire

    def _lr_zero_alert(self, when: When) -> Callable[[int, int], Alert | None]:
        def fire(step: int, n: int) -> Alert | None:
            if self.max_steps is None or step >= self.max_steps:
                return None  # a schedule that reaches 0 at the end is right
            left = self.max_steps - step
            return _alert("lr_zero", "warning", step, when(step), "alert_lr_zero", step=step, n=left)

        return fire

    def _ema(self, values: np.ndarray) -> np.ndarray:
        """The debiased EMA after each of ``values``, carried on from before. numpy, in rows of ``chunk``
        values, short enough that weight**-chunk stays below 1e4 (relative error ~1e-12); the rows are
        chained by one scalar loop. A tiny weight (rows under 8) takes the plain recurrence."""
        weight = self.limits.divergence_smoothing
        chunk = int(math.log(1e4) / -math.log(weight))
        raw, power, n = self._raw, self._power, len(values)
        if chunk < 8:
            out = np.empty(n)
            for j, x in enumerate(values.tolist()):
                raw = weight * raw + (1 - weight) * x
                power *= weight
                out[j] = raw / (1 - power)
            self._raw, self._power = raw, power
            return out
        rows = -(-n // chunk)
        x = np.zeros(rows * chunk)
        x[:n] = values
        x = x.reshape(rows, chunk)
        ramp = weight ** np.arange(1, chunk + 1)  # w, w^2, ... w^chunk
        # raw_j = w^(j+1) raw_in + (1 - w) sum_{i<=j} w^(j-i) x_i, the sum as w^j cumsum(x_i / w^i)
        local = (1 - weight) / weight * ramp * np.cumsum(x * (weight / ramp), axis=1)
        starts = np.empty(rows)  # each row's raw_in
        step = ramp[-1]
        for r, end in enumerate(local[:, -1].tolist()):
            starts[r] = raw
            raw = step * raw + end
        powers = power * step ** np.arange(rows)[:, None] * ramp
        out = ((local + starts[:, None] * ramp) / (1 - powers)).reshape(-1)[:n]
        last = n - 1 - (rows - 1) * chunk  # the last value's column in the last row
        self._raw = float(local[-1, last] + starts[-1] * ramp[last])
        self._power = float(powers[-1, last])
        return out

    def _smooth(self, steps: np.ndarray, values: np.ndarray, lr: Points, when: When) -> Points:
        """The EMA over the finite losses, and divergence on it; the EMA after each of them.

        Divergence: the EMA rose (by more than a relative 1e-9: float noise is no rise) at each of the
        last ``divergence_logs`` losses, with the learning rate above 0; over once it is back below where
        the rise began. Runs of rises are numpy's; only the few points where the alert starts or ends are
        looked at one by one.
        """
        finite = np.isfinite(values)
        steps, values = steps[finite], values[finite]
        if not len(values):
            return steps, values
        at = np.searchsorted(lr[0], steps, side="right") - 1  # the learning rate at (before) each loss
        rate = (
            np.where(at >= 0, lr[1][np.maximum(at, 0)], np.nan) if len(lr[0]) else np.full(len(steps), np.nan)
        )
        lr_on = np.isnan(rate) | (rate > 0)
        ema = self._ema(values)
        prev = np.concatenate(([np.inf if self.ema is None else self.ema], ema[:-1]))
        rise = ema - prev > 1e-9 * np.abs(prev)
        index = np.arange(len(ema))
        last_flat = np.maximum.accumulate(np.where(rise, -1, index))  # the latest point that did not rise
        runs = np.where(last_flat >= 0, index - last_flat, self._rises + index + 1)
        starts = np.where(last_flat >= 0, ema[np.maximum(last_flat, 0)], np.nan)  # where each rise began
        need = self.limits.divergence_logs
        grpo = self.kind is TrainerKind.GRPO  # its loss grows with the KL term by design
        fires = np.zeros(0, dtype=np.int64) if grpo else np.flatnonzero((runs >= need) & lr_on)
        div, rise_from, pos = self.divergence, self._rise_from, 0
        while True:
            if div is None:
                later = fires[fires >= pos]
                if not len(later):
                    break
                j = int(later[0])
                began = rise_from if last_flat[j] < 0 else float(starts[j])
                step = int(steps[j])
                a, b = fmt(began) if began is not None else "-", fmt(float(ema[j]))
                fields = {"n": int(runs[j]), "a": a, "b": b, "step": step}
                div = _alert("divergence", "critical", step, when(step), "alert_divergence", **fields)
                self._touch(div)
                rise_from, pos = began, j + 1
            else:
                floor = rise_from if rise_from is not None else -np.inf
                back = np.flatnonzero(~rise[pos:] & (ema[pos:] < floor))
                if not len(back):
                    break
                div, pos = None, pos + int(back[0]) + 1
        if div is None and last_flat[-1] >= 0:  # a rise starts again from the latest point that did not
            rise_from = float(starts[-1])
        self.ema, self._rises, self._rise_from, self.divergence = (
            float(ema[-1]),
            int(runs[-1]),
            rise_from,
            div,
        )
        return steps, ema

    def _eval(
        self, steps: np.ndarray, values: np.ndarray, before: float | None, smoothed: Points, when: When
    ) -> None:
        ema_steps = smoothed[0].tolist()
        for step, value in zip(steps.tolist(), values.tolist(), strict=True):
            if value != value or value in (float("inf"), float("-inf")):
                continue
            at = bisect_right(ema_steps, step) - 1  # the smoothed loss after the losses up to this step
            train = float(smoothed[1][at]) if at >= 0 else before
            self._one_eval(step, value, train, when)

    def _one_eval(self, step: int, value: float, train: float | None, when: When) -> None:
        evals = self._evals
        if evals and value <= evals[-1][0]:
            evals.clear()
            self._ups = 0
            self.overfitting = None
        elif evals:
            self._ups += 1
        evals.append((value, train))
        if self.overfitting is not None:
            self.overfitting = replace(self.overfitting, count=self._ups)
            self._touch(self.overfitting)
            return
        if self._ups < self.limits.overfit_evals:
            return
        (first_loss, first_train), last_train = evals[0], train
        rise = value - first_loss >= self.limits.overfit_min_rise * abs(first_loss)
        if rise and first_train is not None and last_train is not None and last_train < first_train:
            self.overfitting = _alert(
                "overfitting", "warning", step, when(step), "alert_overfitting",
                n=self._ups, a=fmt(first_loss), b=fmt(value), step=step,
            )  # fmt: skip
            self._touch(self.overfitting)
        else:
            evals.popleft()  # judge the next evaluation against the last overfit_evals rises only
            self._ups -= 1
