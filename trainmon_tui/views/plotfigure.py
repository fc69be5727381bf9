"""plotext figures, one per build: made at the size asked for, built with a title row of our own.

plotext 5's ``build()`` transforms a figure's data in place (a log scale takes the log of the stored
values), so a figure built twice draws different data: every build here starts from :func:`new_figure`, a
figure of its own (no global plotext state). Its titles are drawn in one colour and measured in characters
(a CJK character counted as one cell): :func:`build` writes the top row itself, centred by display width,
each part in its colour (the legend's markers in their curves' colours).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from rich.cells import cell_len, set_cell_size

from trainmon_tui.files.model import Series
from trainmon_tui.views.i18n import Lang, t

# A title's parts: text and colour (None: the title's own).
TitlePart = tuple[str, str | None]


class Marker(NamedTuple):
    """A plotext marker, and the glyph it draws (for a legend)."""

    name: str
    glyph: str


class LegendItem(NamedTuple):
    """One curve in a legend: its marker's glyph, its name and its colour."""

    glyph: str
    name: str
    color: str


BRAILLE = Marker("braille", "⣿")
HD = Marker("hd", "▞")  # plotext's default marker


def new_figure(width: int, height: int, theme: str | None) -> Any:
    """A fresh plotext figure of ``width`` x ``height`` cells; ``theme`` a plotext theme name (None:
    plotext's own)."""
    from plotext._figure import _figure_class  # a figure of its own: no global plotext state

    figure = _figure_class()
    if theme is not None:
        figure.theme(theme)
    figure._limit_size(False, False)  # the size asked for, not cut to what plotext thinks the terminal is
    figure.plotsize(width, height)
    return figure


def build(figure: Any, title: Sequence[TitlePart]) -> str:
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


def xy(series: Series) -> tuple[list[float], list[float]]:
    """A series as the two lists plotext plots."""
    return series.steps.tolist(), series.values.tolist()


def no_data(plt: Any, lang: Lang) -> None:
    """An empty plot saying so, without axes."""
    plt.xlim(0, 1)
    plt.ylim(0, 1)
    plt.xticks([])
    plt.yticks([])
    plt.text(t("no_data", lang), 0.5, 0.5, alignment="center")


def failure_lines(reason: str, width: int, height: int) -> list[str]:
    """A chart plotext could not draw: ``reason`` (printable already) wrapped into its ``height`` lines of
    ``width`` cells, the rest blank."""
    lines = [reason[i : i + width] for i in range(0, min(len(reason), width * (height - 1)), width)]
    return [set_cell_size(line, width) for line in (lines + [""] * height)[:height]]


def compact_form(title: str, value: str, width: int, height: int) -> list[str]:
    """A chart too small to draw: ``title`` and ``value`` (on one line when ``height`` is 1), each line
    :func:`fit_cells` to ``width``, the rest blank."""
    lines = [title, value] if height >= 2 else [f"{title}: {value}"]
    lines += [""] * (height - len(lines))
    return [fit_cells(line, width) for line in lines[: max(0, height)]]


def fit_cells(text: str, width: int) -> str:
    """``text`` in exactly ``width`` display cells, the last one blank (the gap to the chart beside it),
    cut with an ellipsis when it does not fit (a CJK character is two cells, never cut in half)."""
    if width <= 0:
        return ""
    room = width - 1
    if cell_len(text) > room:
        text = set_cell_size(text, room - 1).rstrip() + "…" if room >= 1 else ""
    return set_cell_size(text, width)
