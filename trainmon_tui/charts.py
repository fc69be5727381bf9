"""The four charts (loss, learning rate, grad norm, loss histogram) drawn with plotext.

Drawing takes any plotext-like figure (``plotext``'s own figure for ``--plot``, ``PlotextPlot.plt`` in the
dashboard), so the terminal output and the dashboard share one definition. The data is prepared first, by
:func:`prepare` (downsampled, non-finite values out): that part may run in a worker thread, while drawing
stays cheap because it only ever sees a few hundred points. plotext 5 crashes on ``inf`` and on values
``<= 0`` with a log scale; neither reaches it from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .i18n import Lang, t
from .series import (
    Scratch,
    downsample_minmax,
    finite_in_scratch,
    histogram,
    ma_window,
    moving_average,
    scratch_arrays,
)
from .state import EMPTY_SERIES, Series, TrainerState

ChartName = Literal["loss", "lr", "grad_norm", "hist"]
CHART_NAMES: tuple[ChartName, ...] = ("loss", "lr", "grad_norm", "hist")
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
MAX_EVAL_SERIES = 3


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the four charts draw, already reduced to at most ``max_points`` points per series."""

    loss: Series = EMPTY_SERIES
    loss_ma: Series = EMPTY_SERIES
    evals: dict[str, Series] = field(default_factory=dict)
    lr: Series = EMPTY_SERIES
    grad_norm: Series = EMPTY_SERIES  # finite and > 0 only: drawn on a log scale
    hist_counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hist_centres: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def is_empty(self, chart: ChartName) -> bool:
        if chart == "loss":
            return not len(self.loss) and not any(len(s) for s in self.evals.values())
        if chart == "lr":
            return not len(self.lr)
        if chart == "grad_norm":
            return not len(self.grad_norm)
        return not len(self.hist_counts)


def _reduced(series: Series, max_points: int, scratch: Scratch) -> Series:
    """Downsampled, in arrays of its own (the input may live in scratch arrays that get reused)."""
    small = downsample_minmax(series, max_points, scratch=scratch)
    if small is series:
        return Series(series.steps.copy(), series.values.copy())
    return small


def prepare(state: TrainerState, max_points: int = 400, bins: int = 30) -> ChartData:
    """Reduce a state's series to what the charts draw: finite, downsampled with min/max per bucket.

    The full-length intermediates (the finite losses, their moving average, the finite grad norms, the
    padded copies downsampling makes) live in work arrays reused from call to call
    (:func:`~trainmon_tui.series.scratch_arrays`): with a million entries fresh ones cost more in page
    faults than the arithmetic. Only the few hundred points returned are new arrays.
    """
    with scratch_arrays() as scratch:
        raw_loss = state.loss
        loss = finite_in_scratch(raw_loss.steps, raw_loss.values, scratch, "prepare.loss")
        ma_values = moving_average(
            loss.values, ma_window(len(loss)), out=scratch.array(len(loss), "prepare.ma"), scratch=scratch
        )
        ma = Series(loss.steps, ma_values)
        evals = {
            key: downsample_minmax(state.get(key).finite(), max_points)
            for key in state.eval_loss_keys[:MAX_EVAL_SERIES]
        }
        lr = state.get(state.lr_key)
        grad = state.get("grad_norm")
        counts, centres = histogram(loss.values, bins)
        return ChartData(
            loss=_reduced(loss, max_points, scratch),
            loss_ma=_reduced(ma, max_points, scratch),
            evals=evals,
            lr=_reduced(finite_in_scratch(lr.steps, lr.values, scratch, "prepare.lr"), max_points, scratch),
            grad_norm=_reduced(
                finite_in_scratch(grad.steps, grad.values, scratch, "prepare.grad", positive=True),
                max_points,
                scratch,
            ),
            hist_counts=counts,
            hist_centres=centres,
        )


def points_for_width(width_cells: int) -> int:
    """About two points per character cell: plotext draws braille-free markers one per cell."""
    return max(16, 2 * width_cells)


# --- drawing -------------------------------------------------------------------------------------


def _xy(series: Series) -> tuple[list[float], list[float]]:
    return series.steps.tolist(), series.values.tolist()


def _no_data(plt: Any, lang: Lang) -> None:
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    plt.xticks([])
    plt.yticks([])
    plt.text(t("no_data", lang), 0.5, 0.5, alignment="center")


def scale_exponent(values: np.ndarray) -> int:
    """The power of ten to divide by so tick labels stay short (learning rates are ~1e-5): 0 if none."""
    peak = float(np.max(np.abs(values))) if len(values) else 0.0
    if peak == 0.0 or 1e-2 <= peak < 1e4:
        return 0
    return int(np.floor(np.log10(peak)))


def draw(plt: Any, chart: ChartName, data: ChartData, lang: Lang = "en") -> None:
    """Draw one chart on a plotext-like figure whose data has been cleared."""
    title = t(TITLE_KEYS[chart], lang)
    exponent = scale_exponent(data.lr.values) if chart == "lr" else 0
    plt.title(f"{t('chart_lr_short', lang)} (×1e{exponent})" if exponent else title)
    if data.is_empty(chart):
        _no_data(plt, lang)
        return
    if chart == "loss":
        if len(data.loss):
            plt.plot(*_xy(data.loss), color=LOSS_COLOR, label=t("loss", lang), marker="braille")
            plt.plot(*_xy(data.loss_ma), color=MA_COLOR, label=t("moving_average", lang))
        for key, series in data.evals.items():
            if len(series):
                label = t("eval_loss", lang) if key == "eval_loss" else key.removeprefix("eval_")
                plt.plot(*_xy(series), color=EVAL_COLOR, label=label, marker="dot")
    elif chart == "lr":
        lr = Series(data.lr.steps, data.lr.values / 10.0**exponent)
        plt.plot(*_xy(lr), color=LR_COLOR, marker="braille")
    elif chart == "grad_norm":
        plt.yscale("log")
        plt.plot(*_xy(data.grad_norm), color=GRAD_COLOR, marker="braille")
    else:
        # Bars at 0..n-1 with our own tick labels: plotext turns bar positions into strings and puts them
        # in a set, so its own ticks change with the interpreter's hash seed.
        n = len(data.hist_counts)
        plt.bar(list(range(n)), data.hist_counts.tolist(), color=HIST_COLOR, width=0.9)
        ticks = sorted({0, n // 2, n - 1})
        plt.xticks(ticks, [f"{data.hist_centres[i]:.3g}" for i in ticks])


def render_grid(
    data: ChartData,
    width: int,
    height: int,
    lang: Lang = "en",
    charts: Sequence[ChartName] = CHART_NAMES,
    *,
    theme: str | None = None,
) -> str:
    """The four charts in a 2x2 grid as one string of terminal text (ANSI colours), for ``--plot``.

    ``theme`` is a plotext theme name (``"clear"``: the terminal's own background); None keeps plotext's.
    """
    from plotext._figure import _figure_class  # a figure of its own: no global plotext state

    figure = _figure_class()
    figure.subplots(2, 2)
    figure.plotsize(width, height)
    for index, chart in enumerate(charts):
        sub = figure.subplot(index // 2 + 1, index % 2 + 1)
        if theme is not None:
            sub.theme(theme)
        draw(sub, chart, data, lang)
    return figure.build()


def render_compare(
    runs: Sequence[tuple[str, TrainerState]],
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
) -> str:
    """Training loss of several runs on one chart, for ``--compare`` in the terminal."""
    from plotext._figure import _figure_class

    figure = _figure_class()
    if theme is not None:
        figure.theme(theme)
    figure.plotsize(width, height)
    figure.title(t("chart_compare", lang))
    colors = ["cyan", "orange", "magenta", "green", "red", "blue", "yellow", "white"]
    drawn = 0
    for index, (label, state) in enumerate(runs):
        loss = downsample_minmax(state.loss.finite(), points_for_width(width))
        if len(loss):
            figure.plot(*_xy(loss), label=label, color=colors[index % len(colors)], marker="braille")
            drawn += 1
    if not drawn:
        _no_data(figure, lang)
    return figure.build()
