"""The ``?`` screen: what each key does, from the one key table (:mod:`.keys`), in the app's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from trainmon_tui.ui.keys import help_rows
from trainmon_tui.views.i18n import Lang, t


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, lang: Lang = "en") -> None:
        super().__init__()
        self.lang: Lang = lang

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in help_rows(self.lang):
            table.add_row(key, what)
        with Vertical(id="help"):
            yield Static(Text(t("help_title", self.lang) + "\n", style="bold"))
            yield Static(table)
            yield Static(Text("\n" + t("help_close", self.lang), style="dim"))
