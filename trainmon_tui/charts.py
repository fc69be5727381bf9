"""The four charts (loss, learning rate, grad norm, loss histogram) drawn with plotext.

Drawing takes any plotext-like figure (``plotext``'s own figure for ``--plot``, ``PlotextPlot.plt`` in the
dashboard), so the terminal output and the dashboard share one definition. The data is prepared first, by
:func:`prepare` (downsampled, non-finite values out): that part may run in a worker thread, while drawing
stays cheap because it only ever sees a few hundred points.

plotext 5 is fragile, and every chart goes through :func:`chart_text`, which never raises:

- its ``build()`` transforms a figure's data in place (a log scale takes the log of the stored values), so
  a figure built twice draws different data, and a log-scale one crashes once values below 1 have been
  through the log twice. Each build therefore starts from a fresh figure, and the log scale is ours: the
  grad norm is drawn as ``log10`` values on a linear axis with ticks labelled in the original units.
- it crashes on ``inf``, and on tiny plot areas (its fill code): non-finite values never reach it, and
  below :data:`MIN_WIDTH` x :data:`MIN_HEIGHT` cells a chart is its title and latest value instead.
- anything else it raises becomes a one-line message in that chart's cells.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from rich.cells import cell_len, set_cell_size

from .i18n import Lang, t
from .safetext import printable
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
# Below this many cells plotext draws nothing readable (or crashes): the chart is its title and latest value.
MIN_WIDTH = 20
MIN_HEIGHT = 6
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


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
    # The newest point of each chart's main series as the file has it (NaN and inf included), for the
    # compact form of a chart too small to draw.
    latest: dict[ChartName, tuple[int, float]] = field(default_factory=dict)

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
        latest: dict[ChartName, tuple[int, float]] = {
            chart: (int(series.steps[-1]), float(series.values[-1]))
            for chart, series in (("loss", raw_loss), ("lr", lr), ("grad_norm", grad))
            if len(series)
        }
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
            latest=latest,
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


def log_ticks(low: float, high: float, rows: int = 10) -> tuple[list[float], list[str]]:
    """Ticks for ``log10`` values between ``low`` and ``high``, labelled in the original units.

    Whole decades when the range holds two or more, else 1-2-5 steps, else the ends; thinned so that no two
    share a row of a plot ``rows`` rows high (plotext keeps one of them, chosen by hash order) and at most
    five remain (1.5 rows apart at least).
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return [], []
    decades = [float(k) for k in range(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)]
    if len(decades) >= 2:
        chosen = _spaced(decades, low, high, rows)
        return chosen, [_decade_label(round(k)) for k in chosen]
    candidates = [
        math.log10(m) + k for k in range(math.floor(low) - 1, math.ceil(high) + 1) for m in (1, 2, 5)
    ]
    inside = [c for c in candidates if low - 1e-9 <= c <= high + 1e-9]
    chosen = _spaced(inside if len(inside) >= 2 else sorted({low, high}), low, high, rows)
    return chosen, [f"{10.0**c:.2g}" for c in chosen]


def _spaced(ticks: list[float], low: float, high: float, rows: int) -> list[float]:
    """Every k-th tick, k the smallest that puts them 1.5 rows apart or more, five at most."""
    span = high - low
    for every in range(1, len(ticks) + 1):
        kept = ticks[::every]
        gaps = [b - a for a, b in itertools.pairwise(kept)]
        apart = span == 0 or not gaps or min(gaps) / span * max(1, rows - 1) >= 1.5
        if apart and len(kept) <= 5:
            return kept
    return ticks[:1]


def _decade_label(k: int) -> str:
    return f"{10.0**k:g}" if -3 <= k <= 3 else f"1e{k}"


def _label(text: str) -> str:
    """A legend label or title from file data: printable, never a control sequence."""
    return printable(text)


def draw(plt: Any, chart: ChartName, data: ChartData, lang: Lang = "en", *, height: int = 24) -> None:
    """Draw one chart on a fresh plotext-like figure (see :func:`chart_text`: plotext's build is not pure).

    ``height``: the figure's height in cells, for tick spacing.
    """
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
                plt.plot(*_xy(series), color=EVAL_COLOR, label=_label(label), marker="dot")
    elif chart == "lr":
        lr = Series(data.lr.steps, data.lr.values / 10.0**exponent)
        plt.plot(*_xy(lr), color=LR_COLOR, marker="braille")
    elif chart == "grad_norm":
        # Our own log scale (plotext's re-applies the log at every build): log10 values, ticks in units.
        logs = np.log10(data.grad_norm.values)
        plt.plot(data.grad_norm.steps.tolist(), logs.tolist(), color=GRAD_COLOR, marker="braille")
        rows = height - 4  # the title, two borders and the x ticks take the others
        ticks, labels = log_ticks(float(logs.min()), float(logs.max()), rows)
        plt.yticks(ticks, labels)
    else:
        # Bars at 0..n-1 with our own tick labels: plotext turns bar positions into strings and puts them
        # in a set, so its own ticks change with the interpreter's hash seed.
        n = len(data.hist_counts)
        plt.bar(list(range(n)), data.hist_counts.tolist(), color=HIST_COLOR, width=0.9)
        ticks = sorted({0, n // 2, n - 1})
        plt.xticks(ticks, [f"{data.hist_centres[i]:.3g}" for i in ticks])


def _new_figure(width: int, height: int, theme: str | None) -> Any:
    from plotext._figure import _figure_class  # a figure of its own: no global plotext state

    figure = _figure_class()
    if theme is not None:
        figure.theme(theme)
    figure.plotsize(width, height)
    return figure


def fits(width: int, height: int) -> bool:
    """Whether a chart of ``width`` x ``height`` cells is drawn by plotext (else: its compact form)."""
    return width >= MIN_WIDTH and height >= MIN_HEIGHT


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


def compact_lines(chart: ChartName, data: ChartData, width: int, height: int, lang: Lang = "en") -> list[str]:
    """A chart too small to draw: its title and latest value, on as many of ``height`` lines as there are."""
    title, value = t(TITLE_KEYS[chart], lang), latest_line(chart, data, lang)
    lines = [title, value] if height >= 2 else [f"{title}: {value}"]
    lines += [""] * (height - len(lines))
    return [set_cell_size(line, width) for line in lines[: max(0, height)]]


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
        figure = _new_figure(width, height, theme)
        draw(figure, chart, data, lang, height=height)
        return str(figure.build()).removesuffix("\n")
    except Exception as exc:  # one chart that plotext cannot draw never takes the rest down
        reason = printable(f"{t(TITLE_KEYS[chart], lang)}: cannot draw ({type(exc).__name__}: {exc})")
        lines = [reason[i : i + width] for i in range(0, min(len(reason), width * (height - 1)), width)]
        return "\n".join(set_cell_size(line, width) for line in (lines + [""] * height)[:height])


def _visible_width(line: str) -> int:
    return cell_len(_ANSI.sub("", line))


def _cell_lines(text: str, width: int, height: int) -> list[str]:
    """``text`` as exactly ``height`` lines, each padded to ``width`` visible cells."""
    lines = text.split("\n")[:height]
    lines += [""] * (height - len(lines))
    return [line + " " * max(0, width - _visible_width(line)) for line in lines]


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

    Each chart is built on its own (:func:`chart_text`), so one that cannot be drawn leaves the others.
    ``theme`` is a plotext theme name (``"clear"``: the terminal's own background); None keeps plotext's.
    """
    widths = (width // 2, width - width // 2)
    heights = (height // 2, height - height // 2)
    rows: list[str] = []
    for row in range(2):
        cells = [
            _cell_lines(
                chart_text(chart, data, widths[col], heights[row], lang, theme=theme),
                widths[col],
                heights[row],
            )
            for col, chart in enumerate(charts[row * 2 : row * 2 + 2])
        ]
        rows.extend("".join(parts) for parts in zip(*cells, strict=True))
    return "\n".join(rows)


def render_compare(
    runs: Sequence[tuple[str, TrainerState]],
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
) -> str:
    """Training loss of several runs on one chart, for ``--compare`` in the terminal. Never raises."""
    title = t("chart_compare", lang)
    if not fits(width, height):
        return "\n".join(set_cell_size(line, max(0, width)) for line in [title][: max(0, height)])
    colors = ["cyan", "orange", "magenta", "green", "red", "blue", "yellow", "white"]
    try:
        figure = _new_figure(width, height, theme)
        figure.title(title)
        drawn = 0
        for index, (label, state) in enumerate(runs):
            loss = downsample_minmax(state.loss.finite(), points_for_width(width))
            if len(loss):
                color = colors[index % len(colors)]
                figure.plot(*_xy(loss), label=_label(label), color=color, marker="braille")
                drawn += 1
        if not drawn:
            _no_data(figure, lang)
        return str(figure.build())
    except Exception as exc:  # as in chart_text
        return printable(f"{title}: cannot draw ({type(exc).__name__}: {exc})")[: max(0, width)]
