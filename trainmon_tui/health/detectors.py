"""The detectors over the logged series, fed the new points of each series in batches (a reload's, or one
entry's): :class:`SeriesDetectors` runs the one-series detectors (:mod:`.pointwise`) and those that need
more: the smoothed training loss (a debiased EMA, computed by numpy in rows), divergence on it, and
overfitting (the eval loss against it). The state each needs carries over between batches, so feeding a
history one entry at a time or all at once gives the same alerts, and a batch of n points costs little
more than numpy's passes over n.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import deque
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from trainmon_tui.health.alerts import KINDS, Alert, Severity
from trainmon_tui.health.pointwise import NonFinite, Points, Role, RollingJump, When, ZeroRun
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import t
from trainmon_tui.views.metrics import TrainerKind
from trainmon_tui.views.numfmt import format_number as fmt

__all__ = ["Role", "SeriesDetectors"]


def episode_alert(kind: str, severity: Severity, at: int, now: float, key: str, **fields: object) -> Alert:
    """An alert of an episode that began at step ``at``, its message the label ``key`` with ``fields``."""
    return Alert(kind, severity, at, now, t(key, "en", **fields), t(key, "zh", **fields))


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

    def touch(self, alert: Alert) -> None:
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
        touch = self.touch
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
            return episode_alert("zero_loss", "warning", step, when(step), "alert_zero_loss", n=n, step=step)

        return fire

    def _lr_zero_alert(self, when: When) -> Callable[[int, int], Alert | None]:
        def fire(step: int, n: int) -> Alert | None:
            if self.max_steps is None or step >= self.max_steps:
                return None  # a schedule that reaches 0 at the end is right
            left = self.max_steps - step
            return episode_alert("lr_zero", "warning", step, when(step), "alert_lr_zero", step=step, n=left)

        return fire

    def _ema(self, values: np.ndarray) -> np.ndarray:
        """The debiased EMA after each of ``values``, carried on from before. numpy, in rows of ``chunk``
        values, short enough that weight**-chunk stays below 1e4 (relative error ~1e-12); the rows are
        chained by one scalar loop. A tiny weight (rows under 8) takes the plain recurrence."""
        weight = self.limits.divergence_smoothing
        chunk = int(math.log(1e4) / -math.log(weight))
        raw, power, n = self._raw, self._power, len(values)
        if chunk < 8:
            out: np.ndarray = np.empty(n)
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
                div = episode_alert("divergence", "critical", step, when(step), "alert_divergence", **fields)
                self.touch(div)
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
            self.touch(self.overfitting)
            return
        if self._ups < self.limits.overfit_evals:
            return
        (first_loss, first_train), last_train = evals[0], train
        rise = value - first_loss >= self.limits.overfit_min_rise * abs(first_loss)
        if rise and first_train is not None and last_train is not None and last_train < first_train:
            self.overfitting = episode_alert(
                "overfitting", "warning", step, when(step), "alert_overfitting",
                n=self._ups, a=fmt(first_loss), b=fmt(value), step=step,
            )  # fmt: skip
            self.touch(self.overfitting)
        else:
            evals.popleft()  # judge the next evaluation against the last overfit_evals rises only
            self._ups -= 1
