"""Numeric series made ready to draw: non-finite values out, downsampled to what a chart can show.

plotext's build time grows linearly with the points it is given and a long run logs hundreds of thousands,
so every chart gets at most a couple of points per cell. Min/max per bucket keeps spikes visible: a loss
spike or a grad-norm explosion is exactly what a person watching a run needs to see.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from trainmon_tui.files.model import Series


class Scratch:
    """Work arrays by slot, reused from call to call (see :func:`scratch_arrays`).

    A fresh multi-megabyte array costs page faults on every call (glibc hands freed memory of that size
    straight back to the kernel): at a million points, more than the arithmetic done in it.
    """

    __slots__ = ("_arrays",)

    def __init__(self) -> None:
        self._arrays: dict[str, np.ndarray] = {}

    def array(self, n: int, slot: str, dtype: type = np.float64) -> np.ndarray:
        """``n`` items of ``dtype``, valid until the same slot is asked for again."""
        buffer = self._arrays.get(slot)
        if buffer is None or len(buffer) < n or buffer.dtype != dtype:
            buffer = self._arrays[slot] = np.empty(max(n, 1024), dtype=dtype)
        return buffer[:n]


_shared_scratch = Scratch()
_shared_lock = threading.Lock()


@contextmanager
def scratch_arrays() -> Iterator[Scratch]:
    """The process's shared work arrays while no other thread uses them, else a fresh set.

    The dashboard's reloads run in a new worker thread each time, so the arrays are shared by process, not
    by thread; nothing computed in them may leave the ``with`` block.
    """
    if _shared_lock.acquire(blocking=False):
        try:
            yield _shared_scratch
        finally:
            _shared_lock.release()
    else:
        yield Scratch()


def finite_in_scratch(
    steps: np.ndarray, values: np.ndarray, scratch: Scratch, slot: str, *, positive: bool = False
) -> Series:
    """The finite points (and only the positive ones, for a log scale), the copies made in ``scratch``
    arrays (valid inside its :func:`scratch_arrays`); the arrays as they are when every point qualifies."""
    mask = np.isfinite(values)
    if positive:
        mask &= values > 0
    if mask.all():
        return Series(steps, values)
    dropped = np.flatnonzero(~mask)
    k = len(values) - len(dropped)
    out_steps = scratch.array(k, slot + ".steps", np.int64)
    out_values = scratch.array(k, slot + ".values", np.float64)
    if len(dropped) <= 256:  # a few NaN among a million: copy the runs between them
        done = written = 0
        for at in dropped.tolist():
            out_steps[written : written + at - done] = steps[done:at]
            out_values[written : written + at - done] = values[done:at]
            written += at - done
            done = at + 1
        out_steps[written:] = steps[done:]
        out_values[written:] = values[done:]
    else:
        kept = np.flatnonzero(mask)
        np.take(steps, kept, out=out_steps, mode="clip")  # "clip": no bounds-check copy of the output
        np.take(values, kept, out=out_values, mode="clip")
    return Series(out_steps, out_values)


def downsample_minmax(series: Series, max_points: int, *, scratch: Scratch | None = None) -> Series:
    """At most ``max_points`` points: the first, the last, and each bucket's min and max in step order.

    The steps must be sorted (they are: ``log_history`` is in step order); values must be finite. The
    inner points are cut into ``(max_points - 2) // 2`` buckets at ``linspace`` edges, so bucket sizes
    differ by one at most: the short buckets get one pad value and all of them are reduced as one 2-D
    array, one pass each for argmin and argmax (the first occurrence wins on a tie). About 1 ms for a
    million points. ``scratch``: where to make the padded copy (default: a new array).
    """
    n = len(series)
    if n <= max_points or max_points < 4:
        return series
    n_buckets = max(1, (max_points - 2) // 2)
    inner = series.values[1:-1]
    edges = np.linspace(0, len(inner), n_buckets + 1).astype(np.int64)
    sizes = np.diff(edges)
    nonempty = sizes > 0
    starts, sizes = edges[:-1][nonempty], sizes[nonempty]
    width = int(sizes.max())  # and width - 1 for the short ones: floors of evenly spaced edges
    short = np.flatnonzero(sizes < width)
    if len(short):
        # Each short bucket gets a copy of its own first value at its end: never the first occurrence of
        # its min or max, so argmin and argmax answer as if it were not there. Copied run by run
        # (np.insert does the same with a boolean mask, several times slower).
        size = len(inner) + len(short)
        padded = np.empty(size) if scratch is None else scratch.array(size, "downsample.padded")
        done = 0
        for extra, (at, first) in enumerate(
            zip((starts[short] + sizes[short]).tolist(), starts[short].tolist(), strict=True)
        ):
            padded[done + extra : at + extra] = inner[done:at]
            padded[at + extra] = inner[first]
            done = at
        padded[done + len(short) :] = inner[done:]
        block = padded.reshape(len(starts), width)
    else:
        block = inner.reshape(len(starts), width)
    lows, highs = block.argmin(axis=1), block.argmax(axis=1)
    keep = np.unique(np.concatenate(([0], starts + lows + 1, starts + highs + 1, [n - 1])))
    return Series(series.steps[keep], series.values[keep])


def moving_average(
    values: np.ndarray, window: int, *, out: np.ndarray | None = None, scratch: Scratch | None = None
) -> np.ndarray:
    """Trailing mean over ``window`` points (shorter at the start); same length as ``values``.

    ``out``: a float64 array of that length to write it into (default: a new one); ``scratch``: where to
    keep the running sums (default: a new array).
    """
    n = len(values)
    if out is None:
        out = np.empty(n, dtype=np.float64)
    if n == 0 or window <= 1:
        out[:] = values
        return out
    head = min(window, n)
    # cumsum[k] = sum of the first k values (cumsum[0] = 0.0; "+ 0.0" as a running sum from 0.0 has it)
    cumsum = np.empty(n + 1) if scratch is None else scratch.array(n + 1, "moving_average.cumsum")
    cumsum[0] = 0.0
    np.cumsum(values, dtype=np.float64, out=cumsum[1:])
    if values[0] == 0 and np.signbit(values[0]):  # only a run of -0.0 at the start sums to -0.0
        cumsum[1:] += 0.0
    np.divide(cumsum[1 : head + 1], np.arange(1, head + 1), out=out[:head])
    if n > window:
        np.subtract(cumsum[window + 1 :], cumsum[1 : n - window + 1], out=out[window:])
        out[window:] /= window
    return out


def ma_window(n: int) -> int:
    """A moving-average window that smooths without hiding the trend: about 2% of the points, 5 to 200."""
    return int(min(200, max(5, n // 50)))


def histogram(values: np.ndarray, bins: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Counts and bin centres of the finite values, for any finite values.

    numpy refuses a range it cannot cut into finite-sized bins (two losses one rounding step apart) and
    overflows on one wider than the largest float (``-1e308`` to ``1e308``): values that large are scaled
    down first, and a range too narrow for ``bins`` bins gets fewer, down to one.
    """
    mask = np.isfinite(values)
    if not mask.all():
        values = values[mask]
    if len(values) == 0:
        return np.zeros(0), np.zeros(0)
    low, high = float(values.min()), float(values.max())
    peak = max(abs(low), abs(high))
    scale = peak if peak > 1e300 else 1.0
    scaled = values / scale if scale != 1.0 else values
    n = max(1, min(bins, len(values)))
    with np.errstate(over="ignore", invalid="ignore"):
        while n >= 1:
            try:
                counts, edges = np.histogram(scaled, bins=n)
            except ValueError:  # "Too many bins for data range"
                n //= 2
                continue
            return counts, (edges[:-1] / 2 + edges[1:] / 2) * scale  # halves first: no overflow
    return np.array([len(values)]), np.array([low / 2 + high / 2])


def value_range(*series: Series) -> tuple[float, float]:
    """The lowest and the highest value of the non-empty ``series`` (one at least)."""
    values = [s.values for s in series if len(s)]
    return min(float(v.min()) for v in values), max(float(v.max()) for v in values)
