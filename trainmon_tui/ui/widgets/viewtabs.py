"""The row of view tabs under the info bar: ``1 Overview  2 Metrics  3 Evaluations``, the shown one marked.

One line (Textual's Tabs take two, with their underline): the tab shown is reversed and bracketed
(``[2 Metrics]``), so it reads without colour. A click on a tab posts :class:`ViewTabs.Picked`.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from trainmon_tui.ui.keys import EVALS, METRICS, OVERVIEW, VIEWS
from trainmon_tui.views.i18n import Lang, t

_LABELS = {OVERVIEW: "view_overview", METRICS: "view_metrics", EVALS: "view_evals"}


def tab_labels(lang: Lang) -> list[str]:
    return [f"{i} {t(_LABELS[view], lang)}" for i, view in enumerate(VIEWS, start=1)]


class ViewTabs(Static):
    class Picked(Message):
        def __init__(self, view: str) -> None:
            super().__init__()
            self.view = view

    def __init__(self, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang: Lang = lang
        self.current = VIEWS[0]
        self._spans: list[tuple[int, int, str]] = []

    def show(self, view: str) -> None:
        self.current = view
        text = Text(no_wrap=True, overflow="ellipsis")
        self._spans = []
        for view_name, label in zip(VIEWS, tab_labels(self.lang), strict=True):
            start = cell_len(text.plain)
            if view_name == view:
                text.append(f"[{label}]", style="bold reverse")
            else:
                text.append(f" {label} ", style="dim")
            self._spans.append((start, cell_len(text.plain), view_name))
            text.append(" ")
        self.update(text)

    def on_mount(self) -> None:
        self.show(self.current)

    def on_click(self, event: events.Click) -> None:
        x = event.x - self.gutter.left
        for start, stop, view in self._spans:
            if start <= x < stop:
                self.post_message(self.Picked(view))
