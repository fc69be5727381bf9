"""One metric chart pane: a prepared :class:`MetricChart` drawn by the core at the pane's size, cached.

The pane draws :func:`~trainmon_tui.views.metricplot.metric_chart_text` (which never raises and draws a
compact title and latest value when too small), keeps the text for as long as the chart, size, theme and
focus stay the same (a grid of twenty charts repaints without twenty plotext builds), and marks the
focused chart twice: a thick left border in the accent colour, and its title row reversed, which reads
without colour too. The mouse wheel over a pane zooms that chart (:class:`MetricPane.Zoom`).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.message import Message
from textual_plotext import PlotextPlot

from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metricchart import MetricChart
from trainmon_tui.views.metricplot import metric_chart_text
from trainmon_tui.views.safetext import printable


class MetricPane(PlotextPlot):
    """A chart of one key (or none: an empty slot of the grid's last page)."""

    class Zoom(Message):
        """The wheel turned over the pane showing ``key``: ``delta`` +1 zooms in, -1 out."""

        def __init__(self, key: str, delta: int) -> None:
            super().__init__()
            self.key = key
            self.delta = delta

    class Picked(Message):
        """The pane showing ``key`` was clicked."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    def __init__(self, lang: Lang = "en", *, id: str | None = None, classes: str = "metric") -> None:
        super().__init__(id=id, classes=classes)
        self.lang: Lang = lang
        self.key: str | None = None
        self.chart: MetricChart | None = None
        self.ready = False  # the chart is the one prepared for the pane's key, controls and width
        self._cache: tuple[object, Text] | None = None

    def show(
        self, key: str | None, chart: MetricChart | None, focused: bool = False, ready: bool = True
    ) -> None:
        self.ready = ready
        if key == self.key and chart is self.chart and focused == self.has_class("-focused"):
            return
        self.key, self.chart = key, chart
        self.set_class(focused, "-focused")
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.content_size
        if self.key is None:
            return Text("")
        theme = self._get_plotext_theme_name(self.app.theme)
        focused = self.has_class("-focused")
        token = (id(self.chart), width, height, theme, focused, self.app.no_color)
        if self._cache is not None and self._cache[0] == token:
            return self._cache[1]
        if self.chart is None:  # being prepared: its key, so the grid reads at once
            text = Text(printable(self.key), no_wrap=True, overflow="ellipsis")
            text.append("\n" + t("preparing", self.lang), style="dim")
        else:
            drawn = metric_chart_text(self.chart, width, height, self.lang, theme=theme)
            text = Text.from_ansi(drawn, no_wrap=True)
            if self.app.no_color:
                text = Text(text.plain, no_wrap=True)
        if focused:
            first = text.plain.find("\n")
            text.stylize("reverse", 0, first if first >= 0 else len(text.plain))
        self._cache = (token, text)
        return text

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        if self.key is not None:
            event.stop()
            self.post_message(self.Zoom(self.key, 1))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if self.key is not None:
            event.stop()
            self.post_message(self.Zoom(self.key, -1))

    def on_click(self, event: events.Click) -> None:
        if self.key is not None:
            event.stop()
            self.post_message(self.Picked(self.key))
