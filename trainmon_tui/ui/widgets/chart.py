"""One chart pane: drawn afresh from prepared (downsampled) data at every render, at whatever size it has.

textual-plotext's own render builds one long-lived figure again and again, and plotext's build changes the
figure's data in place: a log-scale chart crashed on the second render (a resize). Here every render goes
through :func:`~trainmon_tui.views.charts.chart_text`, which starts from a fresh figure, draws a chart
too small for plotext as its title and latest value, and never raises. The widget keeps textual-plotext for
its theme, which follows the app's. The mouse wheel over a chart zooms the overview's step charts
(:class:`ChartPane.Zoom`, as ``z`` / ``Z`` do).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.containers import Grid
from textual.message import Message
from textual_plotext import PlotextPlot

from trainmon_tui.views.chartdata import ChartData, ChartName
from trainmon_tui.views.charts import chart_text
from trainmon_tui.views.i18n import Lang


class ChartPane(PlotextPlot):
    """One of the four charts. :meth:`show` replaces its data; drawing happens on the next render."""

    class Zoom(Message):
        """The wheel turned over a chart: ``delta`` +1 zooms in, -1 out."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    def __init__(self, chart: ChartName, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart")
        self.chart: ChartName = chart
        self.lang: Lang = lang
        self.data = ChartData()

    def show(self, data: ChartData) -> None:
        self.data = data
        self.refresh()

    def render(self) -> RenderResult:
        width, height = self.content_size
        theme = self._get_plotext_theme_name(self.app.theme)
        text = Text.from_ansi(chart_text(self.chart, self.data, width, height, self.lang, theme=theme))
        if self.app.no_color:
            # NO_COLOR: Textual turns colours into greys by brightness, and red or magenta curves came out
            # nearly as dark as the background. Every cell in the foreground colour instead; the curves
            # stay apart by their markers (braille, blocks, dots).
            return Text(text.plain, no_wrap=True)
        return text

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.post_message(self.Zoom(1))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.post_message(self.Zoom(-1))


class ChartGrid(Grid):
    """The four charts, two rows of two (one column of four in a tall narrow pane, by app.tcss). An odd
    line goes to the top row, the loss and learning rate: Textual gives it to the last, and at 60x18 the
    loss chart was its compact form under the grad norm and histogram drawn in full."""

    def on_resize(self) -> None:
        height = self.content_size.height
        rows = self.styles.grid_size_rows
        wanted = f"{height - height // 2} {height // 2}" if rows == 2 and height > 1 else None
        if wanted != (str(self.styles.grid_rows) if self.styles.grid_rows else None):
            self.styles.grid_rows = wanted
