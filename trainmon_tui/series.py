"""Numeric series made ready to draw: non-finite values out, downsampled to what a chart can show.

plotext's build time grows linearly with the points it is given and a long run logs hundreds of thousands,
so every chart gets at most a couple of points per cell. Min/max per bucket keeps spikes visible: a loss
spike or a grad-norm explosion is exactly what a person watching a run needs to see.
"""

from __future__ import annotations

import numpy as np

from .state import Series


def finite(steps: np.ndarray, values: np.ndarray, *, positive: bool = False) -> Series:
    """The finite points (and only the positive ones, for a log scale)."""
    mask = np.isfinite(values)
    if positive:
        mask &= values > 0
    return Series(steps[mask], values[mask])


def downsample_minmax(series: Series, max_points: int) -> Series:
    """At most ``max_points`` points: the first, the last, and each bucket's min and max in step order.

    The steps must be sorted (they are: ``log_history`` is in step order); values must be finite.
    """
    n = len(series)
    if n <= max_points or max_points < 4:
        return series
    n_buckets = max(1, (max_points - 2) // 2)
    inner_values = series.values[1:-1]
    # Bucket edges over the inner points; each bucket contributes its argmin and argmax.
    edges = np.linspace(0, len(inner_values), n_buckets + 1).astype(np.int64)
    starts = edges[:-1]
    nonempty = edges[1:] > starts
    starts = starts[nonempty]
    mins = np.minimum.reduceat(inner_values, starts)
    maxs = np.maximum.reduceat(inner_values, starts)
    bucket_of = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(inner_values))))
    # index of the first min and first max in each bucket
    is_min = inner_values == mins[bucket_of]
    is_max = inner_values == maxs[bucket_of]
    min_idx = _first_true_per_bucket(is_min, bucket_of, len(starts))
    max_idx = _first_true_per_bucket(is_max, bucket_of, len(starts))
    keep = np.unique(np.concatenate(([0], min_idx + 1, max_idx + 1, [n - 1])))
    return Series(series.steps[keep], series.values[keep])


def _first_true_per_bucket(flags: np.ndarray, bucket_of: np.ndarray, n_buckets: int) -> np.ndarray:
    positions = np.flatnonzero(flags)
    buckets = bucket_of[positions]
    first = np.full(n_buckets, -1, dtype=np.int64)
    # iterate in reverse so the first occurrence wins
    first[buckets[::-1]] = positions[::-1]
    return first[first >= 0]


def moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing mean over ``window`` points (shorter at the start); same length as ``values``."""
    if len(values) == 0 or window <= 1:
        return values.astype(np.float64, copy=True)
    cumsum = np.cumsum(np.insert(values.astype(np.float64), 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    lo = np.maximum(0, idx - window)
    return (cumsum[idx] - cumsum[lo]) / (idx - lo)


def ma_window(n: int) -> int:
    """A moving-average window that smooths without hiding the trend: about 2% of the points, 5 to 200."""
    return int(min(200, max(5, n // 50)))


def histogram(values: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin centres of the finite values."""
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return np.zeros(0), np.zeros(0)
    bins = max(1, min(bins, len(values)))
    counts, edges = np.histogram(values, bins=bins)
    return counts, (edges[:-1] + edges[1:]) / 2
