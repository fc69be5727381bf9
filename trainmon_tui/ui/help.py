"""The ``?`` screen: what each key does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = (
    ("s", "save the four charts as a PNG into the export folder"),
    ("r", "reload now"),
    ("f", "follow the latest checkpoint on / off"),
    ("b", "hide / show the side pane (summary and checkpoints)"),
    ("e", "recent events (every notification, with its time)"),
    ("ctrl+p", "command palette: the same actions, and the theme"),
    ("↑ ↓  j k", "move in the checkpoint list"),
    ("pgup pgdn", "scroll the summary (or the mouse wheel over it)"),
    ("enter", "show the highlighted checkpoint (or follow latest)"),
    ("?", "this help"),
    ("q  ctrl+c", "quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with Vertical(id="help"):
            yield Static("[b]trainmon-tui keys[/b]\n")
            yield Static(table)
            yield Static("\n[dim]escape or ? to close[/dim]")
