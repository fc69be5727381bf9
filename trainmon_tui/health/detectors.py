"""The detectors over the logged series: each is fed one point at a time, in step order, and holds an alert
while its condition lasts.

A point is ``(step, role, value)`` with role ``loss``, ``grad`` (grad norm), ``lr`` or ``eval`` (the eval
loss); :class:`SeriesDetectors` keeps what they share (the smoothed training loss, the learning rate, the
plan) and hands each point to the detectors of its role. A detector's ``holding`` is its current episode's
alert, or None: the monitor turns changes of it into alerts fired and cleared. Everything here is O(1) per
point (a rolling median over a fixed window), so the cost of a reload is that of its new points.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from dataclasses import replace
from typing import Literal

from trainmon_tui.health.alerts import Alert, Severity
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import t
from trainmon_tui.views.metrics import TrainerKind
from trainmon_tui.views.numfmt import format_number as fmt_value

Role = Literal["loss", "grad", "lr", "eval"]


def _alert(kind: str, severity: Severity, at: int, now: float, key: str, **fields: object) -> Alert:
    """An alert of an episode that began at step ``at``, its message the label ``key`` with ``fields``."""
    return Alert(kind, severity, at, now, t(key, "en", **fields), t(key, "zh", **fields))


class NonFinite:
    """The loss (critical) or grad norm (warning) is NaN or infinite: from the first such step, with the
    count since; the episode ends after ``nonfinite_clear_logs`` finite values in a row."""

    def __init__(self, role: Role, limits: Thresholds) -> None:
        self.role = role
        self.limits = limits
        self.holding: Alert | None = None
        self._clean = 0
        self._first = ""  # the first non-finite value of the episode, as shown

    def feed(self, step: int, value: float, now: float) -> None:
        if math.isfinite(value):
            self._clean += 1
            if self.holding is not None and self._clean >= self.limits.nonfinite_clear_logs:
                self.holding = None
            return
        self._clean = 0
        key = "alert_nan_loss" if self.role == "loss" else "alert_nan_grad"
        if self.holding is None:
            self._first = fmt_value(value)
            kind = "nan_loss" if self.role == "loss" else "nan_grad_norm"
            severity: Severity = "critical" if self.role == "loss" else "warning"
            self.holding = _alert(kind, severity, step, now, key, v=self._first, step=step, n=1)
            return
        n, first = self.holding.count + 1, self.holding.step
        self.holding = replace(
            self.holding,
            count=n,
            message_en=t(key, "en", v=self._first, step=first, n=n),
            message_zh=t(key, "zh", v=self._first, step=first, n=n),
        )


class RollingJump:
    """A value far above its rolling median: the loss spike and the grad-norm explosion."""

    def __init__(self, role: Role, limits: Thresholds) -> None:
        self.role = role
        self.limits = limits
        window = limits.spike_window if role == "loss" else limits.grad_window
        self.recent: deque[float] = deque(maxlen=window)
        self.holding: Alert | None = None

    def _too_high(self, value: float, median: float | None) -> bool:
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

    def feed(self, step: int, value: float, now: float) -> None:
        if not math.isfinite(value):
            return  # NonFinite's business
        enough = len(self.recent) >= self.limits.min_history
        median = statistics.median(self.recent) if enough else None
        if self._too_high(value, median):
            if self.holding is None:
                shown = fmt_value(value)
                if self.role == "loss":
                    self.holding = _alert(
                        "loss_spike",
                        "warning",
                        step,
                        now,
                        "alert_spike",
                        v=shown,
                        m=fmt_value(median),
                        step=step,
                    )
                elif median is not None and value <= self.limits.grad_max:
                    self.holding = _alert(
                        "grad_explosion",
                        "warning",
                        step,
                        now,
                        "alert_grad",
                        v=shown,
                        m=fmt_value(median),
                        step=step,
                    )
                else:
                    bound = fmt_value(self.limits.grad_max)
                    self.holding = _alert(
                        "grad_explosion", "warning", step, now, "alert_grad_max", v=shown, m=bound, step=step
                    )
            else:
                self.holding = replace(self.holding, count=self.holding.count + 1)
            return  # an outlier does not move the baseline it is judged against
        self.holding = None
        self.recent.append(value)


class SeriesDetectors:
    """Every series detector of one run, fed points in step order (see the module's docstring)."""

    def __init__(self, limits: Thresholds, kind: TrainerKind, max_steps: int | None) -> None:
        self.limits = limits
        self.kind = kind
        self.max_steps = max_steps
        self.nonfinite = {"loss": NonFinite("loss", limits), "grad": NonFinite("grad", limits)}
        self.jumps = {"loss": RollingJump("loss", limits), "grad": RollingJump("grad", limits)}
        self.ema: float | None = None  # the smoothed training loss (debiased EMA)
        self._ema_raw = 0.0
        self._ema_n = 0
        self.lr: float | None = None
        self._rises = 0
        self._rise_from: float | None = None
        self.divergence: Alert | None = None
        # the evaluations of the current rise: (eval loss, the smoothed training loss then), and its rises
        self._evals: deque[tuple[float, float | None]] = deque()
        self._ups = 0
        self.overfitting: Alert | None = None
        self._lr_zero = 0
        self.lr_zero: Alert | None = None
        self._zero = 0
        self.zero_loss: Alert | None = None
        self._touched: dict[tuple[str, int | None], Alert] = {}

    def drain(self) -> dict[tuple[str, int | None], Alert]:
        """Every episode that held at some point since the last drain, as it stood last (first fired
        first): an episode that began and ended within one batch of points is in it too."""
        touched, self._touched = self._touched, {}
        return touched

    def holding(self) -> list[Alert]:
        alerts = [d.holding for d in self.nonfinite.values()] + [d.holding for d in self.jumps.values()]
        alerts += [self.divergence, self.overfitting, self.lr_zero, self.zero_loss]
        return [a for a in alerts if a is not None]

    def feed(self, step: int, role: Role, value: float, now: float) -> None:
        if role in ("loss", "grad"):
            self.nonfinite[role].feed(step, value, now)
            self.jumps[role].feed(step, value, now)
        if role == "loss" and math.isfinite(value):
            self._loss(step, value, now)
        elif role == "lr" and math.isfinite(value):
            self._lr(step, value, now)
        elif role == "eval" and math.isfinite(value):
            self._eval(step, value, now)
        for alert in self.holding():
            self._touched[alert.key] = alert

    def _loss(self, step: int, value: float, now: float) -> None:
        before = self.ema
        weight = self.limits.divergence_smoothing
        self._ema_raw = weight * self._ema_raw + (1 - weight) * value
        self._ema_n += 1
        self.ema = self._ema_raw / (1 - weight**self._ema_n)
        self._divergence(step, before, now)
        self._zero = self._zero + 1 if value == 0.0 else 0
        if self._zero == 0:
            self.zero_loss = None
        elif (
            self._zero >= self.limits.zero_loss_logs
            and self.zero_loss is None
            and self.kind is not TrainerKind.GRPO
        ):
            first = step  # the step of the log that made the run of zeros long enough
            self.zero_loss = _alert(
                "zero_loss", "warning", first, now, "alert_zero_loss", n=self._zero, step=first
            )

    def _divergence(self, step: int, before: float | None, now: float) -> None:
        ema = self.ema
        assert ema is not None
        if before is None or ema <= before:
            self._rises = 0
            if self.divergence is not None and self._rise_from is not None and ema < self._rise_from:
                self.divergence = None  # back below where the rise began
            if self.divergence is None:
                self._rise_from = ema
            return
        self._rises += 1
        lr_on = self.lr is None or self.lr > 0
        if (
            self.divergence is None
            and self._rises >= self.limits.divergence_logs
            and lr_on
            and self.kind is not TrainerKind.GRPO  # its loss grows with the KL term by design
        ):
            start = fmt_value(self._rise_from) if self._rise_from is not None else "-"
            self.divergence = _alert(
                "divergence",
                "critical",
                step,
                now,
                "alert_divergence",
                n=self._rises,
                a=start,
                b=fmt_value(ema),
                step=step,
            )

    def _lr(self, step: int, value: float, now: float) -> None:
        self.lr = value
        if value > 0:
            self._lr_zero, self.lr_zero = 0, None
            return
        self._lr_zero += 1
        left = self.max_steps is not None and step < self.max_steps
        if left and self._lr_zero >= self.limits.lr_zero_logs and self.lr_zero is None:
            assert self.max_steps is not None
            self.lr_zero = _alert(
                "lr_zero", "warning", step, now, "alert_lr_zero", step=step, n=self.max_steps - step
            )

    def _eval(self, step: int, value: float, now: float) -> None:
        evals = self._evals
        if evals and value <= evals[-1][0]:
            evals.clear()
            self._ups = 0
            self.overfitting = None
        elif evals:
            self._ups += 1
        evals.append((value, self.ema))
        if self.overfitting is not None:
            self.overfitting = replace(self.overfitting, count=self._ups)
            return
        if self._ups < self.limits.overfit_evals:
            return
        (first_loss, first_train), last_train = evals[0], self.ema
        rise = value - first_loss >= self.limits.overfit_min_rise * abs(first_loss)
        if rise and first_train is not None and last_train is not None and last_train < first_train:
            self.overfitting = _alert(
                "overfitting", "warning", step, now, "alert_overfitting",
                n=self._ups, a=fmt_value(first_loss), b=fmt_value(value), step=step,
            )  # fmt: skip
        else:
            evals.popleft()  # judge the next evaluation against the last overfit_evals rises only
            self._ups -= 1
