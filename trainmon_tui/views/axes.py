"""Tick positions and labels a person can read: round 1-2-5 steps, short labels that never touch.

plotext picks its own ticks by dividing the data range evenly (``2172.5``, ``4.17``), and drops a label that
would touch its neighbour, so its axes are neither round nor evenly labelled. The charts set every tick
themselves from here: :func:`step_ticks` for a step axis (``0  2k  4k``, spaced for the width in cells, the
axis ending on a tick at or after the last step), :func:`value_ticks` for a value axis (``0  0.5  1``, or
whole numbers for counts, spaced for the height in rows), :func:`log_ticks` for ``log10`` values labelled in
the original units (the grad norm). Pure arithmetic: no plotext, no Textual.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from typing import NamedTuple

MULTIPLIERS = (1, 2, 5)
LABEL_GAP = 2  # free cells between two step labels
MAX_STEP_TICKS = 11  # more is clutter, however wide the chart
MAX_VALUE_TICKS = 6
ROWS_APART = 1.5  # value ticks at least this many rows apart (plotext keeps one of two on a row)
_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))


class Ticks(NamedTuple):
    """An axis's ticks: where they are, and what each one says."""

    positions: list[float]
    labels: list[str]


def nice_steps(smallest: float) -> Iterator[float]:
    """1-2-5 x 10^k steps from the first one >= ``smallest`` upwards (``smallest`` > 0)."""
    exponent = math.floor(math.log10(smallest))
    while True:
        for multiplier in MULTIPLIERS:
            step = multiplier * 10.0**exponent
            if step >= smallest * (1 - 1e-9):
                yield step
        exponent += 1


def step_label(value: float, step: float = 1.0) -> str:
    """A step count, short: ``0``, ``500``, ``2k``, ``1.5k``, ``12.5k``, ``1.5M``; with the digits that
    ticks ``step`` apart need to differ (``1.000001M`` next to ``1M``)."""
    if not math.isfinite(value):
        return str(value)
    for scale, suffix in _SUFFIXES:
        if abs(value) >= scale:
            decimals = max(0, -math.floor(math.log10(step / scale) + 1e-9)) if step > 0 else 3
            return f"{_trimmed_to(value / scale, decimals)}{suffix}"
    return _trimmed_to(value, 0)


def label_columns(positions: list[float], labels: list[str], lo: float, hi: float, width: int) -> list[int]:
    """Where each label starts on an axis ``width`` cells wide, as plotext places them (centred on its tick
    column, pushed inside the axis at the ends)."""
    starts = []
    for position, label in zip(positions, labels, strict=True):
        column = math.floor(0.5 + (width - 1) * (position - lo) / (hi - lo)) if hi > lo else 0
        starts.append(min(max(column - (len(label) - 1) // 2, 0), max(0, width + 1 - len(label))))
    return starts


def labels_apart(positions: list[float], labels: list[str], lo: float, hi: float, width: int) -> bool:
    """Whether neighbouring labels leave :data:`LABEL_GAP` free cells between them."""
    starts = label_columns(positions, labels, lo, hi, width)
    return all(starts[i + 1] >= starts[i] + len(labels[i]) + LABEL_GAP for i in range(len(labels) - 1))


def step_ticks(lo: float, hi: float, width_cells: int) -> Ticks:
    """Round ticks for a step axis from ``lo`` to ``hi`` drawn ``width_cells`` wide: ``(positions, labels)``.

    The step is the smallest 1-2-5 one (1 at least: steps are whole) whose labels do not touch, with
    :data:`MAX_STEP_TICKS` ticks at most; the first
    tick is at or before ``lo``, the last at or after ``hi``, so the axis (set it to the first and last
    position) ends on a labelled round step and the last step logged is on it. Empty for a range that is
    not finite.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return Ticks([], [])
    width_cells = max(1, width_cells)
    smallest = max(1.0, (hi - lo) / max(1, width_cells))
    for step in nice_steps(smallest):
        first, last = _multiple_at_or_below(lo, step), _multiple_at_or_above(hi, step)
        if last <= first:
            last = first + step
        count = round((last - first) / step) + 1
        positions = [first + k * step for k in range(count)]
        labels = [step_label(p, step) for p in positions]
        readable = count <= MAX_STEP_TICKS and labels_apart(positions, labels, first, last, width_cells)
        if readable or count <= 2:
            return Ticks(positions, labels)
    raise AssertionError("unreachable: two ticks always fit")  # pragma: no cover


def _multiple_at_or_below(value: float, step: float) -> float:
    below = math.floor(value / step) * step
    return below + step if below + step <= value else below


def _multiple_at_or_above(value: float, step: float) -> float:
    above = math.ceil(value / step) * step
    return above - step if above - step >= value else above


def value_label(value: float, step: float) -> str:
    """``value`` with as many decimals as ``step`` needs: ``0``, ``0.5``, ``1.5``, ``0.02``; very large or
    very small values in scientific notation."""
    if value == 0:
        return "0"
    magnitude = max(abs(value), step)
    if magnitude >= 1e6 or step < 1e-4:
        digits = max(1, math.floor(math.log10(magnitude)) - math.floor(math.log10(step)) + 1)
        return f"{value:.{min(digits, 15)}g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    return _trimmed_to(value, decimals)


def _trimmed_to(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def value_ticks(lo: float, hi: float, rows: int, *, integer: bool = False) -> Ticks:
    """Round ticks inside ``[lo, hi]`` for a value axis ``rows`` rows high: ``(positions, labels)``.

    1-2-5 steps (whole numbers at least with ``integer``, for counts), at least :data:`ROWS_APART` rows
    apart and :data:`MAX_VALUE_TICKS` at most. A range too narrow for two round ticks gets one (its middle,
    rounded); a range that is not finite gets none.
    """
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
        return Ticks([], [])
    span = hi - lo
    if not math.isfinite(span):
        return Ticks([lo, hi], [f"{lo:.3g}", f"{hi:.3g}"])
    most = max(1, min(MAX_VALUE_TICKS, math.floor((max(1, rows) - 1) / ROWS_APART) + 1))
    # A span float arithmetic cannot tell from zero (a constant loss and its moving average,
    # 0.3 and 0.30000000000000004) gets the one tick a constant does, not labels of 15 digits.
    if span <= 1e-9 * max(abs(lo), abs(hi)) or most < 2:
        return _one_tick(lo, hi, integer)
    smallest = span / (most + 1)  # the ticks are inside the range: try steps a little small first
    if integer:
        smallest = max(1.0, smallest)
    for step in nice_steps(smallest):
        positions = [k * step for k in range(math.ceil(lo / step), math.floor(hi / step) + 1)]
        positions = [p for p in positions if lo <= p <= hi]
        if len(positions) < 2:
            return _one_tick(lo, hi, integer)
        if len(positions) <= most:
            labels = [str(int(p)) if integer else value_label(p, step) for p in positions]
            return Ticks(positions, labels)
    raise AssertionError("unreachable")  # pragma: no cover


def _one_tick(lo: float, hi: float, integer: bool) -> Ticks:
    # lo + half the span (finite here): halving each end first underflows near 5e-324 (to 0, outside)
    middle = lo + (hi - lo) / 2
    if integer:
        whole = float(round(middle))
        return Ticks([whole], [str(int(whole))]) if lo <= whole <= hi else Ticks([], [])
    if middle == 0:
        return Ticks([0.0], ["0"])
    step = 10.0 ** math.floor(math.log10(abs(middle)))
    for _ in range(
        20 if step and math.isfinite(step) else 0
    ):  # the roundest value inside the range: fewer digits while it stays inside
        rounded = round(middle / step) * step
        if lo <= rounded <= hi:
            return Ticks([rounded], [value_label(rounded, step)])
        step /= 10
    return Ticks([middle], [f"{middle:.6g}"])


def log_ticks(low: float, high: float, rows: int = 10) -> Ticks:
    """Ticks for ``log10`` values between ``low`` and ``high``, labelled in the original units.

    Whole decades when the range holds two or more, else 1-2-5 steps, else the ends; thinned so that no two
    share a row of a plot ``rows`` rows high (plotext keeps one of them, chosen by hash order) and at most
    five remain (1.5 rows apart at least).
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return Ticks([], [])
    decades = [float(k) for k in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
    if len(decades) >= 2:
        chosen = _spaced(decades, low, high, rows)
        return Ticks(chosen, [_decade_label(round(k)) for k in chosen])
    candidates = [
        math.log10(m) + k for k in range(math.floor(low) - 1, math.ceil(high) + 1) for m in (1, 2, 5)
    ]
    inside = [c for c in candidates if low - 1e-9 <= c <= high + 1e-9]
    if len(inside) < 2 and low > -300 and high < 300:  # narrower than 1-2-5: round values, as linear
        linear = value_ticks(10.0**low, 10.0**high, rows)
        if len(linear.positions) >= 2:
            return Ticks([math.log10(v) for v in linear.positions], linear.labels)
    ends = [low] if 10.0**low == 10.0**high else [low, high]  # the ends, unless they are one value
    chosen = _spaced(inside if len(inside) >= 2 else ends, low, high, rows)
    return Ticks(chosen, distinct_labels([10.0**c for c in chosen]))


def distinct_labels(values: list[float], digits: int = 2) -> list[str]:
    """``values`` in ``digits`` significant digits, more while two different values would read the same
    (``0.7432`` and ``0.7449``: ``0.743`` and ``0.745``, never ``0.74`` twice)."""
    for more in range(digits, 18):
        labels = [f"{v:.{more}g}" for v in values]
        if len(set(labels)) == len(set(values)):
            return labels
    return labels


def _spaced(ticks: list[float], low: float, high: float, rows: int) -> list[float]:
    """Every k-th tick, k the smallest that puts them :data:`ROWS_APART` rows apart or more, five at most."""
    span = high - low
    for every in range(1, len(ticks) + 1):
        kept = ticks[::every]
        gaps = [b - a for a, b in itertools.pairwise(kept)]
        apart = span == 0 or not gaps or min(gaps) / span * max(1, rows - 1) >= ROWS_APART
        if apart and len(kept) <= 5:
            return kept
    return ticks[:1]


def _decade_label(k: int) -> str:
    return f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}"


LABEL_CELLS = 8  # what one x tick label takes, for spacing ticks on an axis that is not the step


def x_axis_ticks(lo: float, hi: float, width_cells: int, on_steps: bool) -> tuple[Ticks, bool]:
    """The x ticks of ``[lo, hi]`` in ``width_cells``: step ticks (whole, ending on round steps: True) on
    the step axis and on long ranges; round value ticks inside the range on the others (epochs), one
    label per :data:`LABEL_CELLS` cells at most."""
    if on_steps or hi - lo >= 4:
        return step_ticks(lo, hi, width_cells), True
    return value_ticks(lo, hi, max(1, width_cells // LABEL_CELLS) * 2), False
