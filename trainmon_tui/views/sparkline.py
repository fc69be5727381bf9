"""The overview strip as text: a sparkline and the latest value for each of the trainer's headline metrics.

:func:`sparkline` draws a series in ``width`` cells with the eight block characters ``▁▂▃▄▅▆▇█``: the
points are cut into ``width`` runs of (nearly) equal count, in log order, and each cell shows its run's
mean of the finite values, scaled between the lowest and highest cell; a run with no finite value is a
blank, and a flat series is a row of ``▄`` (no trend, not "all at the bottom"). :func:`strip` pairs each
metric :func:`~.metrics.headline` picks with its sparkline and its newest value, as logged, and
:func:`fitted_strip` lays as many of them as fit on one line of a given width, sharing it evenly.

Plain ``str``, no Rich: the UI colours and lays it out. Keys come from the file: the UI passes them
through :func:`~.safetext.printable`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rich.cells import cell_len

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.metrics import headline
from trainmon_tui.views.numfmt import format_number
from trainmon_tui.views.safetext import printable

BLOCKS = "▁▂▃▄▅▆▇█"
_FLAT = BLOCKS[3]
MIN_SPARK = 8  # fewer cells show no trend: the item is left out instead
MAX_SPARK = 40
GAP = 3  # cells between two items


def bucket_means(values: np.ndarray, width: int) -> np.ndarray:
    """The mean of the finite values in each of ``width`` runs of points (NaN for a run without one);
    fewer cells than ``width`` when there are fewer points."""
    values = np.asarray(values, dtype=np.float64)
    n = len(values)
    width = max(0, int(width))
    if n == 0 or width == 0:
        return np.zeros(0)
    cells = min(width, n)
    edges = np.linspace(0, n, cells + 1).astype(np.int64)
    finite = np.isfinite(values)
    with np.errstate(over="ignore", invalid="ignore"):
        # halves first: the sum of two values near 1.8e308 would overflow
        sums = np.add.reduceat(np.where(finite, values / 2.0, 0.0), edges[:-1])
        counts = np.add.reduceat(finite.astype(np.int64), edges[:-1])
        means = np.where(counts > 0, sums / np.maximum(counts, 1) * 2.0, np.nan)
    return means


def sparkline(values: np.ndarray, width: int) -> str:
    """``values`` in at most ``width`` cells of block characters (see the module's docstring)."""
    means = bucket_means(values, width)
    finite = np.isfinite(means)
    if not finite.any():
        return " " * len(means)
    low, high = float(means[finite].min()), float(means[finite].max())
    span = high / 2.0 - low / 2.0  # halves: no overflow from -1e308 to 1e308
    if not span > 0:
        return "".join(_FLAT if ok else " " for ok in finite.tolist())
    with np.errstate(invalid="ignore"):
        levels = np.clip(((means / 2.0 - low / 2.0) / span * (len(BLOCKS) - 1)).round(), 0, len(BLOCKS) - 1)
    return "".join(
        BLOCKS[int(level)] if ok else " " for level, ok in zip(levels.tolist(), finite.tolist(), strict=True)
    )


@dataclass(frozen=True, slots=True)
class StripItem:
    key: str
    sparkline: str
    latest: float | None  # the newest point as logged (NaN and ±inf as they are); None for no point
    latest_step: int | None


def _latest(state: TrainerState, key: str) -> tuple[float | None, int | None]:
    series = state.get(key)
    if not len(series):
        return None, None
    return float(series.values[-1]), int(series.steps[-1])


def strip(state: TrainerState, width: int) -> list[StripItem]:
    """The overview strip's items, each sparkline ``width`` cells wide at most."""
    return [
        StripItem(key, sparkline(state.get(key).values, width), *_latest(state, key))
        for key in headline(state)
    ]


def label(item: StripItem) -> tuple[str, str]:
    """An item's key (control characters made visible) and its newest value as text."""
    return printable(item.key), format_number(item.latest)


def fitted_strip(state: TrainerState, width: int) -> list[StripItem]:
    """The first items of :func:`strip` that fit in ``width`` cells on one line, each drawn as
    ``key spark value`` with :data:`GAP` cells between items and a sparkline of :data:`MIN_SPARK` to
    :data:`MAX_SPARK` cells (all the same width); none when not even one fits."""
    keys = headline(state)
    sizes = [cell_len(printable(key)) + cell_len(format_number(_latest(state, key)[0])) + 2 for key in keys]
    for count in range(len(keys), 0, -1):
        spark = min(MAX_SPARK, (width - GAP * (count - 1) - sum(sizes[:count])) // count)
        if spark >= MIN_SPARK:
            return [
                StripItem(key, sparkline(state.get(key).values, spark), *_latest(state, key))
                for key in keys[:count]
            ]
    return []
