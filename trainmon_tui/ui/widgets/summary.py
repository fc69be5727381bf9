"""The summary pane: the core's summary table, the same labels as ``--summary``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from trainmon_tui.live.eta import Progress
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.report import summary_compact
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.stats import Summary


class SummaryPane(Static):
    """Shows a :class:`~trainmon_tui.views.stats.Summary`, or a waiting line before the first checkpoint."""

    def show(
        self, summary: Summary | None, lang: Lang, waiting: str, progress: Progress | None = None
    ) -> None:
        # The content setter, not update(): it also drops the cached height, which update() leaves behind
        # when its refresh comes too early (the summary then stayed one line high in a stacked pane).
        if summary is None:
            self.content = Text(printable(waiting), style="italic")
        else:
            self.content = summary_compact(summary, lang, progress)
