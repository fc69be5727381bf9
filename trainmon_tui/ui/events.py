"""The event log: every notification of the session, newest last, opened with ``e``.

Toasts are short and gone after a few seconds so that they never hide the charts for long; what they said is
kept here (with the time, and in full: a saved PNG's whole path).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable

MAX_EVENTS = 200
_STYLES = {"information": "green", "warning": "yellow", "error": "bold red"}


@dataclass(frozen=True, slots=True)
class Event:
    when: float  # wall time
    severity: str  # Textual's: information, warning, error
    text: str  # printable already


class EventLog:
    """The last :data:`MAX_EVENTS` events. Appended from any thread (a deque's append is atomic)."""

    def __init__(self) -> None:
        self._events: deque[Event] = deque(maxlen=MAX_EVENTS)

    def add(self, when: float, severity: str, text: str) -> None:
        self._events.append(Event(when, severity, printable(text)))

    def __iter__(self) -> Iterator[Event]:
        return iter(list(self._events))

    def __len__(self) -> int:
        return len(self._events)


def events_table(events: EventLog, lang: Lang) -> Table | Text:
    if not len(events):
        return Text(t("no_events", lang), style="italic")
    table = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    table.add_column(no_wrap=True, style="dim")
    table.add_column(overflow="fold")
    for event in events:
        when = datetime.fromtimestamp(event.when).strftime("%H:%M:%S")
        table.add_row(when, Text(event.text, style=_STYLES.get(event.severity, "")))
    return table


class EventLogScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("escape,e,q", "dismiss", "Close"),
    ]

    def __init__(self, events: EventLog, lang: Lang) -> None:
        super().__init__()
        self.events = events
        self.lang = lang

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="events"):
            yield Static(Text(t("events_title", self.lang), style="bold"))
            yield Static(events_table(self.events, self.lang))
            yield Static(Text(t("close_hint", self.lang), style="dim"))

    def on_mount(self) -> None:
        self.query_one("#events", VerticalScroll).scroll_end(animate=False)
