"""``-p --metrics``' terminal text: as many metric charts as fit the terminal, in a grid, printed once.

The grid is the metrics view's (:func:`~.metricgrid.grid_layout`): charts of at least 32 x 9 cells, as
many as the terminal holds, and with fewer series the fewest columns and rows that hold them, so three
series get three large charts. The last column and row take the cells left over, so the grid fills the
width and height given. Each chart is :func:`~.metricplot.metric_chart_text` (exactly its size, never
raising). :func:`fitting` says how many of the picked series are shown; the caller prepares only those
(about two points per cell of their width), and says how many were left out.
"""

from __future__ import annotations

from collections.abc import Sequence

from trainmon_tui.views.chartdata import points_for_width
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.metricchart import MetricChart
from trainmon_tui.views.metricgrid import GridLayout, grid_layout


def fitting(width: int, height: int, count: int) -> tuple[GridLayout, int, int]:
    """The grid for ``count`` charts in ``width`` x ``height`` cells, how many it shows, and the points per
    curve for a chart of its width."""
    layout = grid_layout(width, height, count)
    return layout, min(count, layout.per_page), points_for_width(layout.chart_width)


def _sizes(total: int, parts: int) -> list[int]:
    """``total`` cells cut into ``parts`` sizes, the last taking the remainder."""
    each = max(1, total // parts)
    return [each] * (parts - 1) + [max(1, total - each * (parts - 1))]


def metric_grid_text(
    charts: Sequence[MetricChart],
    width: int,
    height: int,
    lang: Lang = "en",
    *,
    theme: str | None = None,
) -> str:
    """``charts`` (those :func:`fitting` shows) as one string of terminal text, row by row."""
    from trainmon_tui.views.metricplot import metric_chart_text

    layout = grid_layout(width, height, len(charts))
    rows_used = max(1, -(-len(charts) // layout.cols))
    widths = _sizes(width, layout.cols)
    heights = _sizes(height, rows_used)
    lines: list[str] = []
    for row in range(rows_used):
        cells = []
        for col in range(layout.cols):
            index = row * layout.cols + col
            w, h = widths[col], heights[row]
            if index < len(charts):
                text = metric_chart_text(charts[index], w, h, lang, theme=theme)
                cell = (text.split("\n") + [""] * h)[:h]
            else:
                cell = [" " * w] * h
            cells.append(cell)
        lines.extend("".join(parts) for parts in zip(*cells, strict=True))
    return "\n".join(lines)
