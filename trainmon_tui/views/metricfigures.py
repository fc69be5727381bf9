"""``-s --metrics``' PNG: a grid of metric charts, one panel per series, as one matplotlib figure.

Each panel draws one :class:`~.metricchart.MetricChart` (prepared by the caller with ``--smooth``, ``--x``
and ``--log``): the raw curve, faint behind the smoothed one when there is smoothing (TensorBoard's look),
on the chart's y-range (robust for loss-like keys: one early spike does not flatten the rest) with a
small margin, on a log scale with ``--log``. The panel's title is the exact key (:func:`~.figures.literal`:
controls visible, no mathtext) and the smoothing weight; the x label names the axis. Panels go in reading
order, at most :data:`MAX_COLUMNS` across; the figure grows with the rows, and at most :data:`MAX_PANELS`
are drawn (the caller says how many were left out). matplotlib is imported inside the functions only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from trainmon_tui.views.axes import step_ticks
from trainmon_tui.views.figures import DPI, literal
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metricchart import MetricChart
from trainmon_tui.views.mplstyle import label_lang

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_COLUMNS = 4
MAX_PANELS = 48  # 12 rows of 4: a 1600 x 3700 pixel PNG
PANEL_SIZE = (4.0, 2.8)  # inches, at DPI
MIN_SIZE = (8.0, 4.6)  # one or two panels: room for the title and readable curves
RAW_COLOR = "#1f77b4"
SMOOTH_COLOR = "#1f77b4"
STEP_AXIS_CELLS = 28  # characters of tick labels across one panel, for their spacing
MARGIN = 0.05  # of the y-range, above and below


def grid_shape(count: int) -> tuple[int, int]:
    """``(columns, rows)`` for ``count`` panels: near square, at most :data:`MAX_COLUMNS` across."""
    count = max(1, count)
    cols = min(MAX_COLUMNS, math.ceil(math.sqrt(count)))
    return cols, math.ceil(count / cols)


def panel_title(chart: MetricChart) -> str:
    """The exact key (drawn literally), then the smoothing (``EMA 0.9``) and ``log`` when they apply."""
    extras = [part for part in (chart.smoothing, "log" if chart.log else "") if part]
    return literal(chart.key) + (f"  ({', '.join(extras)})" if extras else "")


def _limits(lo: float, hi: float, log: bool) -> tuple[float, float]:
    """The y-range with a margin (in log space on a log scale); a flat series gets room around it."""
    if log:
        a, b = math.log10(lo), math.log10(hi)
        pad = (b - a) * MARGIN or 0.5
        return 10 ** (a - pad), 10 ** (b + pad)
    pad = (hi - lo) * MARGIN or (abs(hi) * 0.1 or 1.0)
    return lo - pad, hi + pad


def _no_data(ax: Axes, lang: Lang) -> None:
    ax.grid(False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, t("no_data", lang), ha="center", va="center", color="0.5", transform=ax.transAxes)


def _log_axis(ax: Axes) -> None:
    """A log y-axis labelled in plain numbers (``0.5``, ``20``, not ``2 x 10^1``), matplotlib choosing
    which minor ticks get a label (a few, when the range spans less than a decade or so)."""
    from matplotlib.ticker import LogFormatter

    class PlainLogFormatter(LogFormatter):
        def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
            return f"{x:.3g}"

    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
    ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def draw_panel(ax: Axes, chart: MetricChart, lang: Lang) -> None:
    """One metric chart on ``ax``."""
    ax.set_title(panel_title(chart), fontsize=10)
    if chart.y_range is None or not len(chart.raw):
        _no_data(ax, lang)
        return
    raw, smoothed = chart.raw, chart.smoothed
    faint = smoothed is not None
    ax.plot(raw.steps, raw.values, color=RAW_COLOR, lw=0.8 if faint else 1.2, alpha=0.3 if faint else 1.0)
    if smoothed is not None and len(smoothed):
        ax.plot(smoothed.steps, smoothed.values, color=SMOOTH_COLOR, lw=1.6)
    ax.set_ylim(*_limits(*chart.y_range, chart.log))
    if chart.log:
        _log_axis(ax)
    if chart.x_range is not None:
        lo, hi = chart.x_range
        positions, labels = step_ticks(lo, hi, STEP_AXIS_CELLS) if chart.x_label == "step" else ([], [])
        if positions:
            ax.set_xlim(positions[0], positions[-1])
            ax.set_xticks(positions, labels)
        elif hi > lo:
            ax.set_xlim(lo, hi)
            if hi >= 10_000:  # tokens seen: 200k, 1.5M rather than 200000 or an offset
                from matplotlib.ticker import EngFormatter

                ax.xaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_xlabel(literal(chart.x_label), fontsize=9)
    ax.tick_params(which="both", labelsize=8)


def metrics_figure(charts: Sequence[MetricChart], title: str, lang: Lang = "en") -> Figure:
    """The first :data:`MAX_PANELS` of ``charts`` on one figure (not yet rendered), titled ``title``."""
    from matplotlib.figure import Figure

    lang = label_lang(lang)
    shown = list(charts[:MAX_PANELS])
    cols, rows = grid_shape(len(shown))
    size = (max(MIN_SIZE[0], PANEL_SIZE[0] * cols), max(MIN_SIZE[1], PANEL_SIZE[1] * rows + 0.6))
    figure = Figure(figsize=size, dpi=DPI, layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index < len(shown):
            draw_panel(ax, shown[index], lang)
        else:
            ax.set_visible(False)
    figure.suptitle(literal(title), fontsize=12)
    return figure
