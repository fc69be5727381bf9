"""One plotext chart: a figure of its own per widget, replotted from prepared (downsampled) data."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from ...charts import ChartData, ChartName, draw
from ...i18n import Lang


class ChartPane(PlotextPlot):
    """One of the four charts. :meth:`show` replaces its data; drawing happens on the next render."""

    def __init__(self, chart: ChartName, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, classes="chart")
        self.chart: ChartName = chart
        self.lang: Lang = lang
        self.data = ChartData()

    def on_mount(self) -> None:
        super().on_mount()
        self.show(self.data)

    def show(self, data: ChartData) -> None:
        self.data = data
        self.plt.clear_figure()
        draw(self.plt, self.chart, data, self.lang)
        self.refresh()
