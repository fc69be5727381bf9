"""The y-range of a chart: every finite value, or TensorBoard's "ignore outliers" (1st-99th percentile).

One early loss spike (step 1 at 11.0, the rest near 0.5) flattens the whole curve into the bottom row of
a terminal chart. The robust range (:func:`robust_range`) is the 1st to 99th percentile of the finite
values, by linear interpolation between order statistics (numpy's default method), widened to hold
the newest value: a person watching a run must see the spike that is
happening now, even when it is the outlier. It is on by default for loss-like keys
(:func:`~.metrics.is_loss_like`, :func:`robust_by_default`) and toggled with ``o``.

With a log scale only the positive values count (as the charts leave the others out). Values up to
±1.8e308 are fine: they are scaled by a power of two (exactly) before interpolating, so that no
difference of two of them overflows. A range may be a single value (a constant series): the caller pads
it as it does today.
"""

from __future__ import annotations

import math

import numpy as np

from trainmon_tui.views.metrics import is_loss_like

LOW_PERCENTILE = 1.0
HIGH_PERCENTILE = 99.0
_SCALE_ABOVE = 1e300


def robust_by_default(key: str) -> bool:
    """Whether a chart of ``key`` starts with the robust range (the loss-like keys)."""
    return is_loss_like(key)


def _usable(values: np.ndarray, log: bool) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    mask = np.isfinite(values)
    if log:
        mask &= values > 0
    return values if mask.all() else values[mask]


def full_range(values: np.ndarray, *, log: bool = False) -> tuple[float, float] | None:
    """``(min, max)`` of the finite values (the positive ones with ``log``); None when there are none."""
    kept = _usable(values, log)
    if len(kept) == 0:
        return None
    return float(kept.min()), float(kept.max())


def robust_range(
    values: np.ndarray,
    *,
    log: bool = False,
    low: float = LOW_PERCENTILE,
    high: float = HIGH_PERCENTILE,
    keep_last: bool = True,
) -> tuple[float, float] | None:
    """The ``low``-th to ``high``-th percentile of the finite values (the positive ones with ``log``),
    widened to the last of them unless ``keep_last`` is False; None when there are none."""
    kept = _usable(values, log)
    if len(kept) == 0:
        return None
    low, high = min(max(low, 0.0), 100.0), min(max(high, 0.0), 100.0)
    low, high = min(low, high), max(low, high)
    peak = float(np.max(np.abs(kept)))
    exponent = math.frexp(peak)[1] if peak > _SCALE_ABOVE else 0
    scaled = np.ldexp(kept, -exponent) if exponent else kept
    lo, hi = (math.ldexp(float(q), exponent) for q in np.percentile(scaled, [low, high]))
    if keep_last:
        last = float(kept[-1])
        lo, hi = min(lo, last), max(hi, last)
    return lo, hi


def y_range(values: np.ndarray, *, robust: bool, log: bool = False) -> tuple[float, float] | None:
    """The range a chart shows: :func:`robust_range` or :func:`full_range`."""
    return robust_range(values, log=log) if robust else full_range(values, log=log)
