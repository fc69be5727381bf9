"""The ``?`` screen: what each key does, read from the app's own bindings (and the widgets' keys).

Each binding's ``tooltip`` is what it does (:func:`~trainmon_tui.ui.keys.bindings` sets it from the one key
table), so the footer, this screen and the command palette cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from trainmon_tui.ui.keys import OTHER_KEYS, in_view
from trainmon_tui.views.i18n import Lang, t


def help_rows(bindings: Iterable[BindingType], lang: Lang, view: str | None = None) -> list[tuple[str, str]]:
    """(keys as written, what they do): the bindings, then the widgets' keys; keys that do the same thing
    share a row (``q`` and ``ctrl+c``, the four arrows). ``view``: only the keys that work in it."""
    rows: dict[str, list[str]] = {}
    for binding in bindings:
        if isinstance(binding, Binding) and (view is None or in_view(binding.action, view)):
            what = binding.tooltip or binding.description
            names = rows.setdefault(what, [])
            if (binding.key_display or binding.key) not in names:  # a key's quiet twin (keys.variants)
                names.append(binding.key_display or binding.key)
    own = [("  ".join(names), what) for what, names in rows.items()]
    others = [
        (keys, what[lang == "zh"])
        for keys, what, views in OTHER_KEYS
        if view is None or not views or view in views
    ]
    return own + others


class HelpScreen(ModalScreen[None]):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("escape,question_mark,q", "dismiss", "Close"),
    ]

    def __init__(self, bindings: Iterable[BindingType], lang: Lang = "en", view: str | None = None) -> None:
        super().__init__()
        self.rows = help_rows(bindings, lang, view)
        self.lang: Lang = lang

    def compose(self) -> ComposeResult:
        table = Table(show_header=False, box=None, padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for key, what in self.rows:
            table.add_row(key, what)
        scroll = VerticalScroll(id="help")
        scroll.border_subtitle = t("help_close", self.lang)  # on the frame: seen however long the list
        with scroll:
            yield Static(Text(t("help_title", self.lang) + "\n", style="bold"))
            yield Static(table)
