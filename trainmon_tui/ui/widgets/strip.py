"""The overview strip: one line under the four charts with the trainer's headline metrics as sparklines.

:func:`~trainmon_tui.views.sparkline.fitted_strip` picks the metrics (DPO margins and accuracies, GRPO
reward and kl, SFT token accuracy, the first eval metric besides loss) and fits as many as the width takes;
this widget only colours them. It has no height when there is nothing to show (a plain Trainer run) and
app.tcss shows it on tall screens only, where a line costs the charts little. The line is drawn at render
time from the state it was last given, so a resize needs no new data; it is cached by state and width.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import RenderResult
from textual.widget import Widget

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.metrics import headline
from trainmon_tui.views.sparkline import GAP, fitted_strip, label

COLORS = ("cyan", "magenta", "green", "yellow", "red")


class HeadlineStrip(Widget):
    """One line: ``key ▁▂▄▆█ value`` for each headline metric that fits."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: TrainerState | None = None
        self._cache: tuple[int, int, Text] | None = None

    def show(self, state: TrainerState | None) -> None:
        if state is self.state:
            return
        self.state = state
        # Shown or not by whether the trainer has headline metrics (the keys only, no series walked);
        # render() draws the sparklines once for the width it has, and caches them.
        self.set_class(state is not None and bool(headline(state)), "-filled")
        self.refresh()

    def render(self) -> RenderResult:
        state, width = self.state, self.content_size.width
        if state is None:
            return Text("")
        if self._cache is not None and self._cache[:2] == (id(state), width):
            return self._cache[2]
        text = Text(no_wrap=True, overflow="ellipsis")
        for index, item in enumerate(fitted_strip(state, width)):
            key, value = label(item)
            color = COLORS[index % len(COLORS)]
            text.append(" " * GAP if index else "")
            text.append(key, style="bold")
            text.append(" ")
            text.append(item.sparkline, style=color)
            text.append(" ")
            text.append(value, style=color)
        self._cache = (id(state), width, text)
        return text
