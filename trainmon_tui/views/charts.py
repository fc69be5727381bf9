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

Its own ticks divide the data range evenly (``2172.5``) and its legend sits on the data in the upper left
corner, where it cannot be moved. So every tick is ours (:mod:`trainmon_tui.views.axes`: round, spaced for the
plot's size; the three step charts share one axis, :func:`x_ticks`), and the legend is a line in the title,
which :func:`_build` writes itself: measured in display cells, the markers in their curves' colours.
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

from trainmon_tui.files.model import EMPTY_SERIES, Series, TrainerState
from trainmon_tui.views.axes import step_ticks, value_ticks
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.series import (
    Scratch,
    downsample_minmax,
    finite_in_scratch,
    histogram,
    ma_window,
    moving_average,
    scratch_arrays,
)

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

    def step_range(self) -> tuple[float, float] | None:
        """The steps the loss, learning-rate and grad-norm charts share as their x range (the union of
        theirs, the newest logged step included even when its value is not finite); None with no steps."""
        series = [self.loss, self.loss_ma, self.lr, self.grad_norm, *self.evals.values()]
        ends = [(float(s.steps.min()), float(s.steps.max())) for s in series if len(s)]
        ends += [(float(step), float(step)) for step, _ in self.latest.values()]
        if not ends:
            return None
        return min(lo for lo, _ in ends), max(hi for _, hi in ends)

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
    (:func:`~trainmon_tui.views.series.scratch_arrays`): with a million entries fresh ones cost more in page
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


# A title is its words and, for the loss chart, a one-line legend: each curve's marker in its colour, then
# its name (plotext 5 puts its own legend in the plot's upper left corner, over the data, and cannot move it).
TitlePart = tuple[str, str | None]  # text, colour (None: the title's own)
BRAILLE_GLYPH = "⣿"
HD_GLYPH = "▞"  # what plotext's default "hd" marker draws
EVAL_MARKERS = (("dot", "•"), ("x", "x"), ("+", "+"))
EVAL_COLORS = (EVAL_COLOR, "yellow", "white")


def _eval_name(key: str, lang: Lang) -> str:
    if key == "eval_loss":
        return t("legend_eval", lang)
    return _label(key.removeprefix("eval_").removesuffix("_loss") or key)


def _legend(items: Sequence[tuple[str, str, str]]) -> list[TitlePart]:
    """``(glyph, name, colour)`` items as title parts: ``⣿ loss  ▞ avg  • eval``."""
    parts: list[TitlePart] = []
    for index, (glyph, name, color) in enumerate(items):
        parts += [("  " if index else "", None), (glyph, color), (f" {name}", None)]
    return parts


def _fitted_title(title: str, legend: list[TitlePart], width: int) -> list[TitlePart]:
    """The title and its legend when they fit in ``width`` cells, else the legend, else the title (cut)."""
    tries = [[(title + "  ", None), *legend], legend] if legend else []
    for parts in tries:
        if cell_len("".join(text for text, _ in parts)) <= width:
            return parts
    return [(title if cell_len(title) <= width else set_cell_size(title, max(0, width)).rstrip(), None)]


def _value_range(*series: Series) -> tuple[float, float]:
    values = [s.values for s in series if len(s)]
    return min(float(v.min()) for v in values), max(float(v.max()) for v in values)


STEP_CHARTS: tuple[ChartName, ...] = ("loss", "lr", "grad_norm")


def y_ticks(chart: ChartName, data: ChartData, rows: int) -> tuple[list[float], list[str]]:
    """The value axis of a chart ``rows`` rows high: round ticks (learning rates in units of
    :func:`scale_exponent`, grad norms as ``log10``, histogram counts whole); none for an empty chart."""
    if data.is_empty(chart):
        return [], []
    if chart == "loss":
        return value_ticks(*_value_range(data.loss, data.loss_ma, *data.evals.values()), rows)
    if chart == "lr":
        scale = 10.0 ** scale_exponent(data.lr.values)
        return value_ticks(float(data.lr.values.min()) / scale, float(data.lr.values.max()) / scale, rows)
    if chart == "grad_norm":
        logs = np.log10(data.grad_norm.values)
        return log_ticks(float(logs.min()), float(logs.max()), rows)
    return value_ticks(0.0, float(data.hist_counts.max()), rows, integer=True)


def x_ticks(data: ChartData, width: int, height: int) -> tuple[list[float], list[str]]:
    """The step ticks the loss, learning-rate and grad-norm charts share, at ``width`` x ``height`` cells:
    spaced for the narrowest plot area of the three (the widest y labels), so all three get the same."""
    span = data.step_range()
    if span is None:
        return [], []
    labels = [label for chart in STEP_CHARTS for label in y_ticks(chart, data, height - 4)[1]]
    return step_ticks(span[0], span[1], width - 2 - max((len(label) for label in labels), default=0))


def _set_axes(plt: Any, chart: ChartName, data: ChartData, width: int, height: int) -> None:
    plt.yticks(*y_ticks(chart, data, height - 4))
    if chart in STEP_CHARTS:
        positions, labels = x_ticks(data, width, height)
        if positions:
            plt.xlim(positions[0], positions[-1])
            plt.xticks(positions, labels)


def draw(
    plt: Any, chart: ChartName, data: ChartData, lang: Lang = "en", *, height: int = 24, width: int = 80
) -> list[TitlePart]:
    """Draw one chart on a fresh plotext-like figure (see :func:`chart_text`: plotext's build is not pure).

    ``width`` x ``height``: the figure's size in cells, for tick spacing. Returns the title as coloured
    parts (plotext draws titles in one colour: :func:`chart_text` paints the legend's markers).
    """
    title = t(TITLE_KEYS[chart], lang)
    exponent = scale_exponent(data.lr.values) if chart == "lr" else 0
    if exponent:
        title = f"{t('chart_lr_short', lang)} (×1e{exponent})"
    legend: list[tuple[str, str, str]] = []
    if data.is_empty(chart):
        _no_data(plt, lang)
    else:
        if chart == "loss":
            legend = _draw_loss(plt, data, lang)
        elif chart == "lr":
            plt.plot(data.lr.steps.tolist(), (data.lr.values / 10.0**exponent).tolist(), color=LR_COLOR,
                     marker="braille")  # fmt: skip
        elif chart == "grad_norm":
            # Our own log scale (plotext's re-applies the log at every build): log10 values, ticks in units.
            logs = np.log10(data.grad_norm.values)
            plt.plot(data.grad_norm.steps.tolist(), logs.tolist(), color=GRAD_COLOR, marker="braille")
        else:
            _draw_hist(plt, data)
        _set_axes(plt, chart, data, width, height)
    parts = _fitted_title(title, _legend(legend), width)
    plt.title("".join(text for text, _ in parts))
    return parts


def _draw_loss(plt: Any, data: ChartData, lang: Lang) -> list[tuple[str, str, str]]:
    legend: list[tuple[str, str, str]] = []
    if len(data.loss):
        plt.plot(*_xy(data.loss), color=LOSS_COLOR, marker="braille")
        plt.plot(*_xy(data.loss_ma), color=MA_COLOR)
        legend += [(BRAILLE_GLYPH, t("loss", lang), LOSS_COLOR), (HD_GLYPH, t("legend_avg", lang), MA_COLOR)]
    drawn = [(key, series) for key, series in data.evals.items() if len(series)]
    for index, (key, series) in enumerate(drawn):
        (marker, glyph), color = (
            EVAL_MARKERS[index % len(EVAL_MARKERS)],
            EVAL_COLORS[index % len(EVAL_COLORS)],
        )
        plt.plot(*_xy(series), color=color, marker=marker)
        legend.append((glyph, _eval_name(key, lang), color))
    return legend


def _draw_hist(plt: Any, data: ChartData) -> None:
    # Bars at 0..n-1 with our own tick labels: plotext turns bar positions into strings and puts them
    # in a set, so its own ticks change with the interpreter's hash seed. Counts are whole numbers.
    n = len(data.hist_counts)
    plt.bar(list(range(n)), data.hist_counts.tolist(), color=HIST_COLOR, width=0.9)
    ticks = sorted({0, n // 2, n - 1})
    plt.xticks(ticks, [f"{data.hist_centres[i]:.3g}" for i in ticks])


def _new_figure(width: int, height: int, theme: str | None) -> Any:
    from plotext._figure import _figure_class  # a figure of its own: no global plotext state

    figure = _figure_class()
    if theme is not None:
        figure.theme(theme)
    figure._limit_size(False, False)  # the size asked for, not cut to what plotext thinks the terminal is
    figure.plotsize(width, height)
    return figure


def _build(figure: Any, title: Sequence[TitlePart]) -> str:
    """``figure.build()`` with the top row written by us: the title centred by display width (plotext
    counts a CJK character as one cell) and the legend's markers in their curves' colours."""
    figure._set_sizes()
    figure._build_matrix()
    matrix = figure.monitor.matrix
    if matrix.rows and title:
        _paint_title(matrix, title, figure.monitor.ticks_color, figure.monitor.ticks_style)
    matrix.set_canvas()
    return str(matrix.get_canvas()).removesuffix("\n")


def _paint_title(matrix: Any, title: Sequence[TitlePart], color: Any, style: Any) -> None:
    row, cols = matrix.rows - 1, matrix.cols
    for col in range(cols):
        matrix.set_marker(col, row, " ")
    cells = [(char, part_color) for text, part_color in title for char in text]
    col = max(0, (cols - sum(cell_len(char) for char, _ in cells)) // 2)
    for char, part_color in cells:
        size = cell_len(char)
        if col + size > cols:
            break
        matrix.insert_element(col, row, char, part_color or color, style)
        if size == 2:  # a wide character takes two cells: the second one holds nothing
            matrix.insert_element(col + 1, row, "", color, style)
        col += size


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
        title = draw(figure, chart, data, lang, height=height, width=width)
        return _build(figure, title)
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


COMPARE_MARKERS = (("braille", BRAILLE_GLYPH), ("dot", "•"), ("+", "+"), ("x", "x"), ("hd", HD_GLYPH),
                   ("*", "*"), ("o", "o"), ("#", "#"))  # fmt: skip
COMPARE_COLORS = ("cyan", "orange", "magenta", "green", "red", "blue", "yellow", "white")


def _legend_lines(items: Sequence[tuple[str, str, str]], width: int, most: int) -> list[str]:
    """``⣿ a   • b   + c`` packed into at most ``most`` lines of ``width`` cells; markers in colour."""
    from plotext._utility import colorize

    lines: list[list[tuple[str, str, str]]] = []
    used = 0
    for glyph, name, color in items:
        size = 2 + cell_len(name)
        if lines and used + 3 + size <= width:
            lines[-1].append((glyph, name, color))
            used += 3 + size
        else:
            lines.append([(glyph, name, color)])
            used = size
    out = []
    for line in lines[: max(0, most)]:
        text = "   ".join(f"{colorize(glyph, color)} {name}" for glyph, name, color in line)
        plain = "   ".join(f"{glyph} {name}" for glyph, name, _ in line)
        out.append(text if cell_len(plain) <= width else set_cell_size(plain, width))
    return out


def render_compare(
    runs: Sequence[tuple[str, TrainerState]],
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
) -> str:
    """The training loss of several runs on one chart, for ``--compare`` in the terminal. Never raises.

    Each run is its moving average over the same number of steps (:func:`~trainmon_tui.views.compare.
    common_window`), drawn with a marker of its own (braille, ``•``, ``+``, ``x``, ...) so the runs stay
    apart without colour; the legend is under the chart, off the data.
    """
    title = t("chart_compare", lang)
    if not fits(width, height):
        return "\n".join(set_cell_size(line, max(0, width)) for line in [title][: max(0, height)])
    try:
        losses = [state.loss.finite() for _, state in runs]
        window = common_window(losses)
        curves = [
            (index, label, downsample_minmax(moving_average_steps(loss, window), points_for_width(width)))
            for index, ((label, _), loss) in enumerate(zip(runs, losses, strict=True))
            if len(loss)
        ]
        items = [(COMPARE_MARKERS[i % len(COMPARE_MARKERS)][1], _label(label),
                  COMPARE_COLORS[i % len(COMPARE_COLORS)]) for i, label, _ in curves]  # fmt: skip
        legend = _legend_lines(items, width, height - MIN_HEIGHT)
        figure = _new_figure(width, height - len(legend), theme)
        for (index, _, curve), (_, _, color) in zip(curves, items, strict=True):
            figure.plot(*_xy(curve), color=color, marker=COMPARE_MARKERS[index % len(COMPARE_MARKERS)][0])
        if curves:
            _compare_axes(figure, [curve for _, _, curve in curves], width, height - len(legend))
        else:
            _no_data(figure, lang)
        figure.title(title)
        return "\n".join([_build(figure, [(title, None)]), *legend])
    except Exception as exc:  # as in chart_text
        return printable(f"{title}: cannot draw ({type(exc).__name__}: {exc})")[: max(0, width)]


def _compare_axes(figure: Any, curves: Sequence[Series], width: int, height: int) -> None:
    y_positions, y_labels = value_ticks(*_value_range(*curves), height - 4)
    figure.yticks(y_positions, y_labels)
    lo = min(float(c.steps.min()) for c in curves)
    hi = max(float(c.steps.max()) for c in curves)
    positions, labels = step_ticks(lo, hi, width - 2 - max((len(label) for label in y_labels), default=0))
    if positions:
        figure.xlim(positions[0], positions[-1])
        figure.xticks(positions, labels)
