"""One metric chart's data, ready to draw: on its x-axis, zoomed, smoothed, log-filtered, downsampled, ranged.

:func:`prepare_metric` is what the metrics grid, the full-size chart, the evaluations view's charts, ``-p``
and ``-s`` call for each chart *on screen*, with that chart's controls (:class:`ChartOptions`). In order:

1. smoothing (:mod:`.smoothing`) over the whole series in the file's order, so that the smoothed value at
   a step never depends on the window or the zoom;
2. the x-axis (:mod:`.xaxis`): points the axis cannot place are left out;
3. the zoom (``z`` / ``Z``): level ``k`` shows the last ``1 / 2**k`` of the x-range, plus the point just
   before it so the line enters from the left edge;
4. non-finite points out, and with a log scale the points whose raw value is not positive (as today),
   the same points out of the smoothed curve, so that the two are drawn over the same x;
5. the y-range (:mod:`.yrange`) from the raw values inside the window at full resolution, robust or not
   (the smoothed curve is a mean of them: it stays inside their full range);
6. min/max downsampling (:func:`~.series.downsample_minmax`) of both curves to ``max_points``.

The x values replace the steps in the returned :class:`~trainmon_tui.files.state.Series` (float64: epochs
and seconds are not integers). A chart whose x values go back (a resumed run logging steps again, seen on
the step axis) is drawn in x order, the smoothing kept as computed in the file's order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from trainmon_tui.files.model import Series
from trainmon_tui.views.series import downsample_minmax
from trainmon_tui.views.smoothing import ema, weight_label
from trainmon_tui.views.xaxis import LABELS, StepMap, XAxis
from trainmon_tui.views.yrange import robust_by_default, y_range

MAX_ZOOM = 10  # the last 1/1024 of the run
_STEP_AXIS = StepMap(XAxis.STEP, LABELS[XAxis.STEP], np.zeros(0, dtype=np.int64), np.zeros(0))


@dataclass(frozen=True, slots=True)
class ChartOptions:
    """A chart's controls: ``weight`` 0 for no smoothing; ``axis`` None for steps; ``robust`` None for
    the key's default (:func:`~.yrange.robust_by_default`); ``zoom`` 0 for the whole run."""

    weight: float = 0.0
    axis: StepMap | None = None
    log: bool = False
    robust: bool | None = None
    zoom: int = 0


@dataclass(frozen=True, slots=True)
class MetricChart:
    """What to draw: ``raw`` (faint when ``smoothed`` is there) and ``smoothed`` as (x, value) series of
    at most ``max_points`` each; ``y_range`` None when nothing is left to draw; ``shown`` the points in
    view before downsampling, ``left_out`` those dropped (non-finite, not positive on a log scale, not
    placed by the axis); ``x_range`` the zoom window (None: nothing to show)."""

    key: str
    raw: Series
    smoothed: Series | None
    y_range: tuple[float, float] | None
    x_range: tuple[float, float] | None
    x_label: str
    smoothing: str  # "EMA 0.9", or ""
    robust: bool
    log: bool
    shown: int
    left_out: int


def zoom_window(lo: float, hi: float, level: int) -> tuple[float, float]:
    """The last ``1 / 2**level`` of ``[lo, hi]`` (level clamped to 0 .. :data:`MAX_ZOOM`)."""
    level = min(max(0, int(level)), MAX_ZOOM)
    if level == 0 or not hi > lo:
        return lo, hi
    start = hi - (hi - lo) / 2.0**level  # hi/2 - lo/2 first would not overflow; 1e308 spans do not zoom
    return (start if np.isfinite(start) else lo), hi


def _zoomed(x: np.ndarray, level: int) -> tuple[int, int, tuple[float, float] | None]:
    """For x sorted ascending: the first point drawn (one before the window, if any, so that the line
    enters from the left edge), the first point inside the window, and the window."""
    if len(x) == 0:
        return 0, 0, None
    lo, hi = zoom_window(float(x[0]), float(x[-1]), level)
    inside = int(np.searchsorted(x, lo, side="left"))
    return max(0, inside - 1), inside, (lo, hi)


def prepare_metric(
    key: str, series: Series, max_points: int, options: ChartOptions | None = None
) -> MetricChart:
    """The chart of ``series`` (logged as ``key``) with ``options`` (see the module's docstring)."""
    options = options or ChartOptions()
    mapping = options.axis or _STEP_AXIS
    robust = robust_by_default(key) if options.robust is None else options.robust
    values = series.values
    smooth = ema(values, options.weight) if options.weight else None
    x = mapping.apply(series.steps)
    keep = np.isfinite(x) & np.isfinite(values)
    if options.log:
        keep &= values > 0
    total = len(values)
    if not keep.all():
        x, values = x[keep], values[keep]
        smooth = smooth[keep] if smooth is not None else None
    if len(x) > 1 and bool(np.any(x[1:] < x[:-1])):
        order = np.argsort(x, kind="stable")
        x, values = x[order], values[order]
        smooth = smooth[order] if smooth is not None else None
    first, inside, window = _zoomed(x, options.zoom)
    if first:
        x, values = x[first:], values[first:]
        smooth = smooth[first:] if smooth is not None else None
    in_view = values[inside - first :]
    raw = Series(x, values)
    smoothed = None
    if smooth is not None:
        curve = Series(x, smooth)
        if options.log:  # a mean of positive values is positive, but the values left out were not
            curve = Series(x[smooth > 0], smooth[smooth > 0])
        smoothed = downsample_minmax(curve, max_points)
    return MetricChart(
        key=key,
        raw=downsample_minmax(raw, max_points),
        smoothed=smoothed,
        y_range=y_range(in_view, robust=robust, log=options.log),
        x_range=window,
        x_label=mapping.label,
        smoothing=weight_label(options.weight),
        robust=robust,
        log=options.log,
        shown=len(in_view),
        left_out=total - int(keep.sum()),
    )
