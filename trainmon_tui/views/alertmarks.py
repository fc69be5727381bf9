"""Markers on the overview's loss, learning-rate and grad-norm charts at the steps where alerts fired:
a vertical line each, bright red for critical, bright yellow for a warning (critical drawn last, on top).

The steps come with the chart data (``ChartData.alert_marks``, ``(step, severity)`` pairs that the
pipeline sets from the health report; the newest :data:`MAX_MARKS`), so a chart prepared again for
another width keeps them. A line is drawn before the curves' axes are set and only within the steps the
chart shows; plotext draws the curves over it. The histogram, and the charts on another x-axis than
the step (epoch, time, tokens), have no markers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # types only: the command line's flags import this module, and start without numpy
    from trainmon_tui.views.chartdata import ChartData, ChartName

MAX_MARKS = 20
# 256-colour codes: plotext's names are not the terminal's ("yellow" is its bright green), and the curves
# use the plain colours (the grad norm is red), so the markers take the bright ones.
COLORS: dict[str, int] = {"critical": 9, "warning": 11}


def draw_marks(plt: Any, chart: ChartName, data: ChartData) -> None:
    """One vertical line per alert step within the chart's step range (nothing for the histogram)."""
    if chart == "hist" or not data.alert_marks or data.x_label != "step":  # marks are steps
        return
    span = data.step_range()
    if span is None:
        return
    marks = sorted(data.alert_marks[-MAX_MARKS:], key=lambda mark: mark[1] == "critical")
    for step, severity in marks:
        if span[0] <= step <= span[1]:
            plt.vline(step, COLORS.get(severity, COLORS["critical"]))
