"""The summary pane: the core's summary table, the same labels as ``--summary``."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...i18n import Lang
from ...progress import Progress
from ...report import summary_compact
from ...safetext import printable
from ...stats import Summary


class SummaryPane(Static):
    """Shows a :class:`~trainmon_tui.stats.Summary`, or a waiting line before the first checkpoint."""

    def show(
        self, summary: Summary | None, lang: Lang, waiting: str, progress: Progress | None = None
    ) -> None:
        if summary is None:
            self.update(Text(printable(waiting), style="italic"))
        else:
            self.update(summary_compact(summary, lang, progress))
