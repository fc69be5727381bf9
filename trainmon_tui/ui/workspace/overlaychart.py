"""One overlay chart pane: the selected runs' curves of one chart, each in its run's colour.

Drawn afresh at every render from the curves it holds (:func:`~trainmon_tui.views.terminal.overlay_text`,
which never raises), like the dashboard's chart panes; textual-plotext gives the theme.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import RenderResult
from textual_plotext import PlotextPlot

from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.terminal import overlay_text
from trainmon_tui.views.xaxis import XAxis
from trainmon_tui.workspace.overlay import Curve, chart_title


class OverlayChart(PlotextPlot):
    """The chart ``chart`` (one of :data:`~trainmon_tui.workspace.overlay.OVERLAYS`) of the selected runs."""

    def __init__(self, chart: str, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, classes="overlay")
        self.chart = chart
        self.lang: Lang = lang
        self.curves: Sequence[Curve] = ()
        self.axis = XAxis.STEP

    def show(self, curves: Sequence[Curve], axis: XAxis = XAxis.STEP) -> None:
        self.curves, self.axis = curves, axis
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.content_size
        theme = self._get_plotext_theme_name(self.app.theme)
        triples = [(c.color, c.label, c.series) for c in self.curves]
        text = overlay_text(
            chart_title(self.chart, self.lang), triples, width, height, self.lang, theme=theme
        )
        rendered = Text.from_ansi(text)
        return Text(rendered.plain, no_wrap=True) if self.app.no_color else rendered
