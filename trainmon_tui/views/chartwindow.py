"""The overview's step charts on one x-axis and in one zoom window: :class:`Window`.

The loss, learning-rate and grad-norm charts share their x-axis, so one :class:`Window` serves all three:
it maps each series' steps to the axis (:class:`~.xaxis.StepMap`: points it cannot place are left out),
sorts them when the axis goes back (a resumed run), and keeps the last ``1 / 2**zoom`` of the x-range
the three span together, plus the point just before it so that a line enters from the left edge, as
:mod:`.metricchart` does for one chart. On the step axis with no zoom it hands every series back as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from trainmon_tui.files.model import Series
from trainmon_tui.views.metricchart import zoom_window
from trainmon_tui.views.xaxis import StepMap


def on_axis(series: Series, mapping: StepMap | None) -> Series:
    """``series`` with x values for steps (float64), the points the axis cannot place left out, in x order."""
    if mapping is None:
        return series
    x = mapping.apply(series.steps)
    keep = np.isfinite(x)
    x, values = x[keep], series.values[keep]
    if len(x) > 1 and bool(np.any(x[1:] < x[:-1])):
        order = np.argsort(x, kind="stable")
        x, values = x[order], values[order]
    return Series(x, values)


class Window:
    """One x-axis and zoom window for the series given (already on the axis: :func:`on_axis`)."""

    def __init__(self, series: Sequence[Series], zoom: int) -> None:
        ends = [(float(s.steps[0]), float(s.steps[-1])) for s in series if len(s)]
        self.zoom = zoom
        self.range: tuple[float, float] | None = None
        if ends:
            self.range = zoom_window(min(lo for lo, _ in ends), max(hi for _, hi in ends), zoom)

    def __call__(self, series: Series) -> Series:
        """The points of ``series`` (sorted by x) inside the window, and the one just before it."""
        if self.zoom == 0 or self.range is None or not len(series):
            return series
        steps = series.steps
        if len(steps) > 1 and bool(np.any(steps[1:] < steps[:-1])):  # a resumed run on the step axis
            keep = steps >= self.range[0]
            return Series(steps[keep], series.values[keep])
        inside = int(np.searchsorted(series.steps, self.range[0], side="left"))
        first = max(0, inside - 1)
        return Series(series.steps[first:], series.values[first:]) if first else series
