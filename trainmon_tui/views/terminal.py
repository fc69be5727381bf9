"""The charts printed once to the terminal: ``--plot``'s 2x2 grid, ``--compare``'s runs on one chart (and
the workspace's overlays, drawn the same way: :func:`overlay_text`).

Both are ANSI text, built chart by chart on fresh plotext figures (:mod:`.plotfigure`), and never raise: a
chart that cannot be drawn leaves the others (:func:`~.charts.chart_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len, set_cell_size

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.views.axes import step_ticks, value_ticks
from trainmon_tui.views.chartdata import CHART_NAMES, ChartData, ChartName, points_for_width
from trainmon_tui.views.charts import MIN_HEIGHT, chart_text, fits
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.plotfigure import BRAILLE, HD, LegendItem, Marker, build, new_figure, no_data, xy
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.series import downsample_minmax, value_range

COMPARE_MARKERS = (BRAILLE, Marker("dot", "•"), Marker("+", "+"), Marker("x", "x"), HD,
                   Marker("*", "*"), Marker("o", "o"), Marker("#", "#"))  # fmt: skip
COMPARE_COLORS = ("cyan", "orange", "magenta", "green", "red", "blue", "yellow", "white")
RICH_COLORS = (
    "cyan",
    "dark_orange",
    "magenta",
    "green",
    "red",
    "blue",
    "yellow",
    "white",
)  # the same, for Rich
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


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

    Each chart is built on its own (:func:`~.charts.chart_text`), so one that cannot be drawn leaves the
    others. ``theme`` is a plotext theme name (``"clear"``: the terminal's own background); None keeps
    plotext's.
    """
    return grid(lambda i, w, h: chart_text(charts[i], data, w, h, lang, theme=theme), width, height)


def grid(draw: Callable[[int, int, int], str], width: int, height: int) -> str:
    """Four charts in a 2x2 grid: ``draw(index, width, height)`` gives chart ``index``'s text (0 top left,
    then by rows), each cut or padded to its cell."""
    widths = (width // 2, width - width // 2)
    heights = (height // 2, height - height // 2)
    rows: list[str] = []
    for row in range(2):
        cells = [
            _cell_lines(draw(row * 2 + col, widths[col], heights[row]), widths[col], heights[row])
            for col in range(2)
        ]
        rows.extend("".join(parts) for parts in zip(*cells, strict=True))
    return "\n".join(rows)


def _visible_width(line: str) -> int:
    return cell_len(_ANSI.sub("", line))


def _cell_lines(text: str, width: int, height: int) -> list[str]:
    """``text`` as exactly ``height`` lines, each padded to ``width`` visible cells."""
    lines = text.split("\n")[:height]
    lines += [""] * (height - len(lines))
    return [line + " " * max(0, width - _visible_width(line)) for line in lines]


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
    try:
        losses = [state.loss.finite() for _, state in runs]
        window = common_window(losses)
        curves = [
            (index, label, downsample_minmax(moving_average_steps(loss, window), points_for_width(width)))
            for index, ((label, _), loss) in enumerate(zip(runs, losses, strict=True))
            if len(loss)
        ]
    except Exception as exc:  # as in chart_text
        return printable(f"{title}: cannot draw ({type(exc).__name__}: {exc})")[: max(0, width)]
    return overlay_text(title, curves, width, height, lang, legend=True, theme=theme)


def run_color(index: int) -> str:
    """The Rich colour of the run with this colour index (the same colour as its curves)."""
    return RICH_COLORS[index % len(RICH_COLORS)]


def overlay_text(
    title: str,
    curves: Sequence[tuple[int, str, Series]],
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    legend: bool = False,
    theme: str | None = None,
    steps: bool = True,
) -> str:
    """Curves given as (colour index, label, series) on one chart, each in its run's colour and marker,
    the legend under the chart when asked: ``--compare``'s chart and the workspace's overlays. ``steps``:
    the x values are steps (whole-number ticks), else any numbers (epochs, seconds, tokens). Too small
    is the title alone, a failure one line; never raises."""
    title = printable(title)
    if not fits(width, height):
        return "\n".join(set_cell_size(line, max(0, width)) for line in [title][: max(0, height)])
    try:
        markers = [COMPARE_MARKERS[color % len(COMPARE_MARKERS)] for color, _, _ in curves]
        items = [
            LegendItem(marker.glyph, printable(label), COMPARE_COLORS[color % len(COMPARE_COLORS)])
            for marker, (color, label, _) in zip(markers, curves, strict=True)
        ]
        lines = _legend_lines(items, width, height - MIN_HEIGHT) if legend else []
        figure = new_figure(width, height - len(lines), theme)
        for (_, _, series), marker, item in zip(curves, markers, items, strict=True):
            figure.plot(*xy(series), color=item.color, marker=marker.name)
        if curves:
            _compare_axes(figure, [series for _, _, series in curves], width, height - len(lines), steps)
        else:
            no_data(figure, lang)
        figure.title(title)
        return "\n".join([build(figure, [(title, None)]), *lines])
    except Exception as exc:  # as in chart_text
        return printable(f"{title}: cannot draw ({type(exc).__name__}: {exc})")[: max(0, width)]


def _legend_lines(items: Sequence[LegendItem], width: int, most: int) -> list[str]:
    """``⣿ a   • b   + c`` packed into at most ``most`` lines of ``width`` cells; markers in colour."""
    from plotext._utility import colorize

    lines: list[list[LegendItem]] = []
    used = 0
    for item in items:
        size = 2 + cell_len(item.name)
        if lines and used + 3 + size <= width:
            lines[-1].append(item)
            used += 3 + size
        else:
            lines.append([item])
            used = size
    out = []
    for line in lines[: max(0, most)]:
        text = "   ".join(f"{colorize(item.glyph, item.color)} {item.name}" for item in line)
        plain = "   ".join(f"{item.glyph} {item.name}" for item in line)
        out.append(text if cell_len(plain) <= width else set_cell_size(plain, width))
    return out


def _compare_axes(figure: Any, curves: Sequence[Series], width: int, height: int, steps: bool = True) -> None:
    y_positions, y_labels = value_ticks(*value_range(*curves), height - 4)
    figure.yticks(y_positions, y_labels)
    lo = min(float(c.steps.min()) for c in curves)
    hi = max(float(c.steps.max()) for c in curves)
    cells = width - 2 - max((len(label) for label in y_labels), default=0)
    positions, labels = step_ticks(lo, hi, cells) if steps else value_ticks(lo, hi, max(1, cells // 8) * 2)
    if positions:
        figure.xlim(positions[0], positions[-1])
        figure.xticks(positions, labels)
