"""One metric chart drawn in the terminal with plotext: :func:`metric_chart_text`, for any key the run logged.

The data comes prepared (:func:`~.metricchart.prepare_metric`: on its x-axis, zoomed, smoothed, at most a
few hundred points, its y-range chosen), so drawing costs the same for a 200k-step run as for a short one.
The same guards as the four fixed charts (:mod:`.charts`): a fresh figure per build, the log scale ours
(``log10`` values, ticks in units), non-finite values never reach plotext, a chart too small to draw is its
title and latest value, and whatever plotext still raises becomes one line in the chart's own cells.

The key in the title is the exact key as logged, made printable (a key comes from the file: it may hold
control characters). With smoothing the raw curve is drawn grey behind the smoothed one, and the title
names the weight (``EMA 0.9``); a log scale says ``log``; an x-axis other than the step is named.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.cells import cell_len, set_cell_size

from trainmon_tui.views.axes import Ticks, log_ticks, value_ticks, x_axis_ticks
from trainmon_tui.views.charts import fits
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metricchart import MetricChart
from trainmon_tui.views.plotfigure import (
    BRAILLE,
    TitlePart,
    build,
    compact_form,
    failure_lines,
    new_figure,
    no_data,
)
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.xaxis import LABELS, XAxis

RAW_BEHIND = "gray"  # the raw curve behind a smoothed one: faint in 256 and 16 colours alike
STEP_LABEL = LABELS[XAxis.STEP]


def chart_title(chart: MetricChart) -> str:
    """``rewards/margins  EMA 0.9  log  x: epoch``: the key, then what is not the default."""
    parts = [printable(chart.key)]
    if chart.smoothing:
        parts.append(chart.smoothing)
    if chart.log:
        parts.append("log")
    if chart.x_label != STEP_LABEL:
        parts.append(f"x: {chart.x_label}")
    return "  ".join(parts)


def latest_text(chart: MetricChart, lang: Lang = "en") -> str:
    """The newest point shown, in words: ``0.3125 @ 200`` (``@ 1.5`` on an epoch axis)."""
    if len(chart.raw) == 0:
        return t("no_data", lang)
    x, value = float(chart.raw.steps[-1]), float(chart.raw.values[-1])
    where = str(int(x)) if chart.x_label == STEP_LABEL and x.is_integer() else f"{x:.4g}"
    return f"{value:.4g} @ {where}"


def metric_chart_text(
    chart: MetricChart,
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
    color: str = "cyan",
) -> str:
    """``chart`` as terminal text (ANSI colours): ``height`` lines of ``width`` cells. Never raises."""
    width, height = max(0, width), max(0, height)
    title = chart_title(chart)
    if not fits(width, height):
        return "\n".join(compact_lines(chart, width, height, lang))
    try:
        figure = new_figure(width, height, theme)
        _draw(figure, chart, width, height, lang, color)
        return build(figure, [_fitted(title, width)])
    except Exception as exc:  # one chart plotext cannot draw never takes the grid down
        reason = printable(f"{title}: cannot draw ({type(exc).__name__}: {exc})")
        return "\n".join(failure_lines(reason, width, height))


def compact_lines(chart: MetricChart, width: int, height: int, lang: Lang = "en") -> list[str]:
    """A chart too small to draw: its title and latest value, on as many of ``height`` lines as there are."""
    return compact_form(chart_title(chart), latest_text(chart, lang), width, height)


def _fitted(title: str, width: int) -> TitlePart:
    return (title if cell_len(title) <= width else set_cell_size(title, max(0, width)).rstrip(), None)


def _draw(plt: Any, chart: MetricChart, width: int, height: int, lang: Lang, color: str) -> None:
    if chart.y_range is None or len(chart.raw) == 0:
        no_data(plt, lang)
        return
    lo, hi = _value_window(chart)
    curves = [(chart.raw, RAW_BEHIND if chart.smoothed is not None else color)]
    if chart.smoothed is not None and len(chart.smoothed):
        curves.append((chart.smoothed, color))
    for series, curve_color in curves:
        values = np.log10(series.values) if chart.log else series.values
        # Outliers outside the window (the robust range) run along its edge: plotext draws a line to a
        # point far outside its limits cell by cell, and a spike 1e6 times the range hangs it.
        values = np.clip(values, lo, hi)
        plt.plot(series.steps.tolist(), values.tolist(), color=curve_color, marker=BRAILLE.name)
    plt.ylim(lo, hi)
    y = log_ticks(lo, hi, height - 4) if chart.log else value_ticks(lo, hi, height - 4)
    plt.yticks(*y)
    x, whole = _x_ticks(chart, width - 2 - max((len(label) for label in y.labels), default=0))
    if x.positions:
        # Step ticks end on round steps around the data; the others lie inside the window, kept whole.
        window = (x.positions[0], x.positions[-1]) if whole else chart.x_range
        assert window is not None
        plt.xlim(*window)
        plt.xticks(*x)


def _value_window(chart: MetricChart) -> tuple[float, float]:
    """The y-range drawn (``log10`` with a log scale), widened when it is a single value."""
    assert chart.y_range is not None
    lo, hi = chart.y_range
    if chart.log:
        lo, hi = math.log10(lo), math.log10(hi)
    if hi > lo:
        return lo, hi
    pad = abs(lo) * 0.05 or 0.5  # a constant: the line in the middle of a small window around it
    return lo - pad, hi + pad


def _x_ticks(chart: MetricChart, width_cells: int) -> tuple[Ticks, bool]:
    """Step ticks (whole, ending on round steps: True) on the step axis and on long ranges; round value
    ticks inside the window on the others (epochs), one label per :data:`~.axes.LABEL_CELLS` cells at most."""
    if chart.x_range is None:
        return Ticks([], []), False
    lo, hi = chart.x_range
    return x_axis_ticks(lo, hi, width_cells, chart.x_label == STEP_LABEL)
