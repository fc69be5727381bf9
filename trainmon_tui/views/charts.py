"""One terminal chart (loss, learning rate, grad norm, loss histogram) drawn with plotext: :func:`chart_text`.

Drawing takes any plotext-like figure (a fresh one from :func:`~.plotfigure.new_figure`: plotext's build is
not pure), so ``--plot`` and the dashboard's panes share one definition, and only ever sees the few hundred
points of a :class:`~.chartdata.ChartData`.

plotext 5 is fragile, and every chart goes through :func:`chart_text`, which never raises:

- a log-scale figure crashes once values below 1 have been through its log twice: the log scale is ours,
  the grad norm is drawn as ``log10`` values on a linear axis with ticks labelled in the original units.
- it crashes on ``inf``, and on tiny plot areas (its fill code): non-finite values never reach it, and
  below :data:`MIN_WIDTH` x :data:`MIN_HEIGHT` cells a chart is its title and latest value instead.
- anything else it raises becomes a one-line message in that chart's cells.

Its own ticks divide the data range evenly (``2172.5``) and its legend sits on the data in the upper left
corner, where it cannot be moved. So every tick is ours (:mod:`.chartaxes`: round, spaced for the plot's
size; the three step charts share one axis), and the legend is a line in the title, measured in display
cells, the markers in their curves' colours (:func:`~.plotfigure.build`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.cells import cell_len, set_cell_size

from trainmon_tui.files.model import Series
from trainmon_tui.views.alertmarks import draw_marks
from trainmon_tui.views.chartaxes import STEP_CHARTS, STEP_LABEL, loss_window, scale_exponent, set_axes
from trainmon_tui.views.chartdata import ChartData, ChartName
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.plotfigure import (
    BRAILLE,
    HD,
    LegendItem,
    Marker,
    TitlePart,
    build,
    compact_form,
    failure_lines,
    new_figure,
    no_data,
)
from trainmon_tui.views.safetext import printable

TITLE_KEYS: dict[ChartName, str] = {
    "loss": "chart_loss",
    "lr": "chart_lr",
    "grad_norm": "chart_grad_norm",
    "hist": "chart_hist",
}
# Named colours render in 256-colour (and 16-colour) terminals.
LOSS_COLOR = "cyan"
MA_COLOR = "orange"
EVAL_COLOR = "magenta"
LR_COLOR = "green"
GRAD_COLOR = "red"
HIST_COLOR = "blue"
EVAL_MARKERS = (Marker("dot", "•"), Marker("x", "x"), Marker("+", "+"))
EVAL_COLORS = (EVAL_COLOR, "yellow", "white")
# Below this many cells plotext draws nothing readable (or crashes): the chart is its title and latest value.
MIN_WIDTH = 20
MIN_HEIGHT = 6


def fits(width: int, height: int) -> bool:
    """Whether a chart of ``width`` x ``height`` cells is drawn by plotext (else: its compact form)."""
    return width >= MIN_WIDTH and height >= MIN_HEIGHT


def chart_text(
    chart: ChartName,
    data: ChartData,
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
) -> str:
    """One chart as terminal text (ANSI colours) of ``height`` lines of ``width`` cells. Never raises.

    Too small to draw: :func:`compact_lines`. A plotext failure: the title and a one-line reason.
    """
    width, height = max(0, width), max(0, height)
    if not fits(width, height):
        return "\n".join(compact_lines(chart, data, width, height, lang))
    try:
        figure = new_figure(width, height, theme)
        title = draw(figure, chart, data, lang, height=height, width=width)
        return build(figure, title)
    except Exception as exc:  # one chart that plotext cannot draw never takes the rest down
        reason = printable(f"{t(TITLE_KEYS[chart], lang)}: cannot draw ({type(exc).__name__}: {exc})")
        return "\n".join(failure_lines(reason, width, height))


# --- the compact form ----------------------------------------------------------------------------


def compact_lines(chart: ChartName, data: ChartData, width: int, height: int, lang: Lang = "en") -> list[str]:
    """A chart too small to draw: its title and latest value, on as many of ``height`` lines as there are."""
    return compact_form(t(TITLE_KEYS[chart], lang), latest_line(chart, data, lang), width, height)


def latest_line(chart: ChartName, data: ChartData, lang: Lang = "en") -> str:
    """The newest value of a chart, in words: ``0.3125 @ 200``; what a chart too small to draw shows."""
    if chart == "hist":
        if not len(data.hist_counts):
            return t("no_data", lang)
        return f"n={int(data.hist_counts.sum())} {data.loss.values.min():.4g}…{data.loss.values.max():.4g}"
    newest = data.latest.get(chart)
    if newest is None:
        return t("no_data", lang)
    step, value = newest
    return f"{_number(value)} @ {step}"


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.4g}"


# --- drawing -------------------------------------------------------------------------------------


def draw(
    plt: Any, chart: ChartName, data: ChartData, lang: Lang = "en", *, height: int = 24, width: int = 80
) -> list[TitlePart]:
    """Draw one chart on a fresh plotext-like figure (see :func:`chart_text`: plotext's build is not pure).

    ``width`` x ``height``: the figure's size in cells, for tick spacing. Returns the title as coloured
    parts (plotext draws titles in one colour: :func:`~.plotfigure.build` paints the legend's markers).
    """
    title = t(TITLE_KEYS[chart], lang)
    exponent = scale_exponent(data.lr.values) if chart == "lr" else 0
    if exponent:
        title = f"{t('chart_lr_short', lang)} (×1e{exponent})"
    marks = []  # what the controls changed, kept in the title longer than its words
    if chart == "loss" and data.loss_log:
        marks.append("log")
    if chart in STEP_CHARTS and data.x_label != STEP_LABEL:
        marks.append(f"x: {printable(data.x_label)}")
    legend: list[LegendItem] = []
    if data.is_empty(chart):
        no_data(plt, lang)
    else:
        if chart == "loss":
            legend = _draw_loss(plt, data, lang)
        elif chart == "lr":
            plt.plot(data.lr.steps.tolist(), (data.lr.values / 10.0**exponent).tolist(), color=LR_COLOR,
                     marker=BRAILLE.name)  # fmt: skip
        elif chart == "grad_norm":
            # Our own log scale (plotext's re-applies the log at every build): log10 values, ticks in units.
            logs = np.log10(data.grad_norm.values)
            plt.plot(data.grad_norm.steps.tolist(), logs.tolist(), color=GRAD_COLOR, marker=BRAILLE.name)
        else:
            _draw_hist(plt, data)
        draw_marks(plt, chart, data)  # the alerts' steps (issue 13)
        set_axes(plt, chart, data, width, height)
    parts = _fitted_title(title, "  ".join(marks), _legend(legend), width)
    plt.title("".join(text for text, _ in parts))
    return parts


def _loss_xy(
    series: Series, data: ChartData, window: tuple[float, float] | None
) -> tuple[list[float], list[float]]:
    """A loss chart curve as plotext takes it: ``log10`` on a log scale, and clipped to the robust window
    (plotext draws a line to a point far outside its limits cell by cell: a spike hangs it)."""
    values = np.log10(series.values) if data.loss_log else series.values
    if window is not None:
        values = np.clip(values, *window)
    return series.steps.tolist(), values.tolist()


def _draw_loss(plt: Any, data: ChartData, lang: Lang) -> list[LegendItem]:
    legend: list[LegendItem] = []
    window = loss_window(data)
    if len(data.loss):
        plt.plot(*_loss_xy(data.loss, data, window), color=LOSS_COLOR, marker=BRAILLE.name)
        plt.plot(*_loss_xy(data.loss_ma, data, window), color=MA_COLOR)
        legend += [
            LegendItem(BRAILLE.glyph, t("loss", lang), LOSS_COLOR),
            LegendItem(HD.glyph, data.smoothing or t("legend_avg", lang), MA_COLOR),
        ]
    drawn = [(key, series) for key, series in data.evals.items() if len(series)]
    for index, (key, series) in enumerate(drawn):
        marker, color = EVAL_MARKERS[index % len(EVAL_MARKERS)], EVAL_COLORS[index % len(EVAL_COLORS)]
        plt.plot(*_loss_xy(series, data, window), color=color, marker=marker.name)
        legend.append(LegendItem(marker.glyph, _eval_name(key, lang), color))
    return legend


def _draw_hist(plt: Any, data: ChartData) -> None:
    # Bars at 0..n-1 with our own tick labels: plotext turns bar positions into strings and puts them
    # in a set, so its own ticks change with the interpreter's hash seed. Counts are whole numbers.
    n = len(data.hist_counts)
    plt.bar(list(range(n)), data.hist_counts.tolist(), color=HIST_COLOR, width=0.9)
    ticks = sorted({0, n // 2, n - 1})
    plt.xticks(ticks, [f"{data.hist_centres[i]:.3g}" for i in ticks])


# --- the title: its words and, for the loss chart, a one-line legend ---------------------------------


def _eval_name(key: str, lang: Lang) -> str:
    if key == "eval_loss":
        return t("legend_eval", lang)
    return printable(key.removeprefix("eval_").removesuffix("_loss") or key)


def _legend(items: Sequence[LegendItem]) -> list[TitlePart]:
    """Legend items as title parts: ``⣿ loss  ▞ avg  • eval``, each marker in its curve's colour."""
    parts: list[TitlePart] = []
    for index, item in enumerate(items):
        parts += [("  " if index else "", None), (item.glyph, item.color), (f" {item.name}", None)]
    return parts


def _fitted_title(title: str, marks: str, legend: list[TitlePart], width: int) -> list[TitlePart]:
    """What fits in ``width`` cells, the first of: the title, the controls' ``marks`` (``log  x: epoch``)
    and the legend; the marks and the legend; the legend; the title and the marks (cut)."""
    titled = f"{title}  {marks}" if marks else title
    tries = [[(titled + "  ", None), *legend]] if legend else []
    if legend and marks:
        tries.append([(marks + "  ", None), *legend])
    if legend:
        tries.append(legend)
    for parts in tries:
        if cell_len("".join(text for text, _ in parts)) <= width:
            return parts
    return [(titled if cell_len(titled) <= width else set_cell_size(titled, max(0, width)).rstrip(), None)]
