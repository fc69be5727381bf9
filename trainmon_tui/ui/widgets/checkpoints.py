"""The checkpoint list: newest first, with "follow latest" on top; picking one pins the view to it."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from trainmon_tui.files.discovery import Candidate
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable

FOLLOW_ID = "follow-latest"


class CheckpointList(OptionList):
    BINDINGS = [  # noqa: RUF012 - Textual's convention
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang: Lang = lang
        self.paths: dict[str, Candidate] = {}
        self._names: tuple[str, ...] = ()
        self._marks: tuple[str | None, bool] = (None, True)

    def show(self, candidates: Sequence[Candidate], shown: str | None, following: bool) -> None:
        """Rebuild the options when the checkpoints or the marks changed, keeping the highlight."""
        names = tuple(c.name for c in reversed(candidates))
        if names == self._names and self._marks == (shown, following):
            return
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else None
        self._names, self._marks = names, (shown, following)
        self.paths = {c.name: c for c in candidates}
        follow = Text(("● " if following else "○ ") + t("follow_latest", self.lang), style="bold")
        options = [Option(follow, id=FOLLOW_ID)]
        for name in names:
            label = Text(("▶ " if name == shown else "  ") + printable(name))
            if name == shown:
                label.stylize("bold")
            options.append(Option(label, id=name))
        self.clear_options()
        self.add_options(options)
        ids = [o.id for o in options]
        if highlighted in ids:
            self.highlighted = ids.index(highlighted)
