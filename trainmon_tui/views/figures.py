"""The charts as matplotlib figures: the dashboard's four (2x2) and the ``--compare`` overlay.

A :class:`~matplotlib.figure.Figure` is drawn by the Agg canvas directly: no pyplot, no global backend
switch, no display needed (works over SSH). matplotlib is imported inside the functions only. Text from the
run's files is drawn :func:`literal`: visible controls, no mathtext. Rendering and writing the file is
:mod:`.export`'s; the style and fonts are :mod:`.mplstyle`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.views.axes import step_ticks
from trainmon_tui.views.chartdata import ChartData, ChartName, prepare
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.mplstyle import label_lang
from trainmon_tui.views.runname import dashboard_title
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.series import downsample_minmax

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_POINTS = 4000  # per series: plenty for a 1200-pixel-wide chart, fast on runs of millions of steps
FIGSIZE = (12.0, 8.0)
DPI = 100
# Matplotlib's tab10, close to the terminal colours of charts.py.
LOSS_COLOR = "#1f77b4"
EVAL_COLOR = "#d62dbf"
MA_COLOR = "#ff7f0e"
LR_COLOR = "#2ca02c"
GRAD_COLOR = "#d62728"
HIST_COLOR = "#4c72b0"
EVAL_COLORS = (EVAL_COLOR, "#9467bd", "#8c564b")
# Line styles for the runs' averages, so that they stay apart without colour (printed in grey, colour-blind).
RUN_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)), (0, (3, 1, 3, 5)))
STEP_AXIS_CELLS = 60  # characters of tick labels across one of the 2x2 charts, for their spacing
RUN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


def _new_figure(nrows: int = 1, ncols: int = 1) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    return figure, figure.subplots(nrows, ncols, squeeze=False)


def _no_data(ax: Axes, lang: Lang) -> None:
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.85")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, t("no_data", lang), ha="center", va="center", color="0.5", transform=ax.transAxes)


def literal(text: object) -> str:
    """Text from files as matplotlib should draw it: controls made visible, and every ``$`` escaped, so that
    ``eval_$x$`` is not read as mathtext (which draws it as math, or fails on what it cannot parse)."""
    return printable(text).replace("$", r"\$")


def _eval_label(key: str, lang: Lang) -> str:
    return t("eval_loss", lang) if key == "eval_loss" else literal(key.removeprefix("eval_"))


def _set_step_axis(ax: Axes, span: tuple[float, float] | None) -> None:
    """Round step ticks (``0  2k  4k``, as in the terminal) from a tick at or before the first step to one
    at or after the last: the charts given the same ``span`` get the same axis."""
    if span is None:
        return
    positions, labels = step_ticks(span[0], span[1], STEP_AXIS_CELLS)
    if positions:
        ax.set_xlim(positions[0], positions[-1])
        ax.set_xticks(positions, labels)


def _draw_loss(ax: Axes, data: ChartData, lang: Lang) -> None:
    if len(data.loss):
        ax.plot(
            data.loss.steps, data.loss.values, color=LOSS_COLOR, lw=0.8, alpha=0.45, label=t("loss", lang)
        )
        ax.plot(
            data.loss_ma.steps, data.loss_ma.values, color=MA_COLOR, lw=1.8, label=t("moving_average", lang)
        )
    markers = ("o", "s", "^")
    for index, (key, series) in enumerate(data.evals.items()):
        if len(series):
            ax.plot(
                series.steps,
                series.values,
                color=EVAL_COLORS[index % len(EVAL_COLORS)],
                marker=markers[index % len(markers)],
                ms=4,
                lw=1.2,
                label=_eval_label(key, lang),
            )
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())
    ax.legend(loc="best", fontsize=9)


def _draw_lr(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.plot(data.lr.steps, data.lr.values, color=LR_COLOR, lw=1.5)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())


def _draw_grad_norm(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.plot(data.grad_norm.steps, data.grad_norm.values, color=GRAD_COLOR, lw=0.9)
    ax.set_yscale("log")  # the data is finite and > 0: chartdata.prepare left the rest out
    low, high = float(data.grad_norm.values.min()), float(data.grad_norm.values.max())
    if high < 1000 * low:  # a few decades: plain numbers (0.5, 2) read better than 5 x 10^-1
        from matplotlib.ticker import LogFormatter

        class PlainLogFormatter(LogFormatter):
            """matplotlib's choice of which log ticks to label, written as 0.4 rather than 4e-01."""

            def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
                return f"{x:.3g}"

        ax.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
        ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())


def _draw_hist(ax: Axes, data: ChartData, lang: Lang) -> None:
    centres, counts = data.hist_centres, data.hist_counts
    width = float(centres[1] - centres[0]) if len(centres) > 1 else 1.0
    ax.bar(centres, counts, width=width * 0.92, color=HIST_COLOR, alpha=0.85)
    ax.set_xlabel(t("loss", lang))
    ax.set_ylabel(t("count", lang))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # counts: no 0.5


# The 2x2 panels in reading order: the chart, its title's label, what draws it (when it has data).
_PANELS: tuple[tuple[ChartName, str, Callable[[Axes, ChartData, Lang], None]], ...] = (
    ("loss", "chart_loss", _draw_loss),
    ("lr", "chart_lr", _draw_lr),
    ("grad_norm", "chart_grad_norm", _draw_grad_norm),
    ("hist", "chart_hist", _draw_hist),
)


def dashboard_figure(state: TrainerState, lang: Lang = "en", *, title: str | None = None) -> Figure:
    """The four charts of ``state`` on a 2x2 :class:`~matplotlib.figure.Figure` (not yet rendered)."""
    lang = label_lang(lang)
    data = prepare(state, max_points=MAX_POINTS, bins=40)
    figure, axes = _new_figure(2, 2)
    for ax, (chart, label, draw) in zip(axes.flat, _PANELS, strict=True):
        ax.set_title(t(label, lang))
        if data.is_empty(chart):
            _no_data(ax, lang)
        else:
            draw(ax, data, lang)
    figure.suptitle(literal(title if title is not None else dashboard_title(state, lang)), fontsize=13)
    return figure


def compare_figure(
    runs: Sequence[tuple[str, TrainerState]], lang: Lang = "en", *, title: str | None = None
) -> Figure:
    """The training loss of several runs on one chart: each raw (faint) and its moving average."""
    lang = label_lang(lang)
    figure, axes = _new_figure(1, 1)
    ax = axes[0][0]
    ax.set_title(literal(title if title is not None else t("chart_compare", lang)))
    losses = [state.loss.finite() for _, state in runs]
    window = common_window(losses)  # in steps, the same for every run
    drawn: list[Series] = []
    for index, ((label, _), loss) in enumerate(zip(runs, losses, strict=True)):
        if not len(loss):
            continue
        color, style = RUN_COLORS[index % len(RUN_COLORS)], RUN_STYLES[index % len(RUN_STYLES)]
        raw = downsample_minmax(loss, MAX_POINTS)
        ma = downsample_minmax(moving_average_steps(loss, window), MAX_POINTS)
        ax.plot(raw.steps, raw.values, color=color, lw=0.7, alpha=0.3)
        ax.plot(ma.steps, ma.values, color=color, lw=1.8, ls=style, label=literal(label))
        drawn.append(loss)
    if drawn:
        ax.set_xlabel(t("step", lang))
        ax.set_ylabel(t("loss", lang))
        low = min(float(loss.steps.min()) for loss in drawn)
        _set_step_axis(ax, (low, max(float(loss.steps.max()) for loss in drawn)))
        ax.legend(loc="best")
    else:
        _no_data(ax, lang)
    return figure
