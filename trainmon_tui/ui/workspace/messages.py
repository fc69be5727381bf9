"""The workspace app's messages: what its workers found (what tests wait on)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from textual.message import Message

from trainmon_tui.views.xaxis import XAxis
from trainmon_tui.workspace.overlay import Curve


class RunChanged(Message):
    """The watcher saw a change under PARENT (posted from its thread)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path


class RunsRead(Message):
    """A refresh finished: the runs added by a rescan, and those whose row changed."""

    def __init__(self, added: Sequence[Path], changed: Sequence[Path]) -> None:
        super().__init__()
        self.added = list(added)
        self.changed = list(changed)


class TableShown(Message):
    """The table shows the rows of this moment (posted after each update of it)."""

    def __init__(self, keys: Sequence[Path]) -> None:
        super().__init__()
        self.keys = list(keys)


class OverlayReady(Message):
    """The overlay curves of the selected runs, per chart, prepared in a thread."""

    def __init__(self, generation: int, curves: Mapping[str, Sequence[Curve]], axis: XAxis) -> None:
        super().__init__()
        self.generation = generation
        self.curves = dict(curves)
        self.axis = axis
