"""Small messages between the watcher thread, the reload worker and the app."""

from __future__ import annotations

from textual.message import Message

from trainmon_tui.pipeline import Snapshot


class FolderChanged(Message):
    """Something relevant changed on disk (posted from the observer thread)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def can_replace(self, message: Message) -> bool:
        # A save writes a dozen files and rotation deletes whole folders: one pending change is enough.
        return isinstance(message, FolderChanged)


class SnapshotReady(Message):
    """The reload worker has a new picture of the run."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot
