"""The workspace kept current: one watcher on PARENT, events routed to their run, a rescan on an interval.

The watcher's thread only posts :class:`~.messages.RunChanged`; the app collects the runs those concern
(:meth:`~trainmon_tui.workspace.model.Workspace.route`) and, a moment later, reads only those in a thread
worker (a path under no known run asks for a rescan: a new run). Every ``rescan_seconds`` the folder list is
taken again and every run asked for a snapshot with its fingerprint (a ``scandir`` and a few ``stat`` calls
each when nothing changed). Polling (``--poll``, a network filesystem, inotify out of watches) is that
rescan at the polling interval, with no watcher at all. One read in flight at a time; what comes in
meanwhile is read right after. Each read ends with :class:`~.messages.RunsRead`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import App

from trainmon_tui.live.watch import DEFAULT_POLL_INTERVAL, FolderWatcher
from trainmon_tui.ui.workspace.messages import RunChanged, RunsRead
from trainmon_tui.workspace.model import Workspace

RESCAN_SECONDS = 5.0
SETTLE_SECONDS = 0.3  # a burst of events (a checkpoint being saved) read as one


class WorkspaceFollowing(App[Path | None]):
    """The data side of the workspace app: ``workspace`` read on events and on an interval."""

    def setup_following(
        self, workspace: Workspace, poll_interval: float | None, rescan_seconds: float, watch: bool
    ) -> None:
        self.workspace = workspace
        self.rescan_seconds = rescan_seconds
        self.watching = watch
        self.clock: Callable[[], float] = time.time
        self.watcher = FolderWatcher(workspace.parent, self._on_disk_change, poll_interval)
        self._pending: set[Path] = set()
        self._pending_rescan = False
        self._busy = False
        self._scheduled = False
        self.reads = 0  # reads finished (tests wait on RunsRead)

    def start_following(self) -> None:
        if self.watching:
            if self.workspace.fixed is None and not self.watcher.mode.polling:
                self.watcher.start()
                if self.watcher.mode.polling:  # inotify failed (max_user_watches): poll our own way
                    self.watcher.stop()
            self.set_interval(self.interval, self.rescan_now)
        self.rescan_now()

    @property
    def polling(self) -> bool:
        """No watcher: every run asked on an interval (``--poll``, a network filesystem, ``--compare``)."""
        return self.watcher.mode.polling or self.workspace.fixed is not None

    @property
    def interval(self) -> float:
        """How often the runs are asked: the rescan interval, or the polling interval when shorter.

        Polling is the workspace's own (a ``scandir`` and a few ``stat`` calls per run), not watchdog's
        polling observer, which would ``stat`` every file of every checkpoint under PARENT."""
        if self.watcher.mode.polling:
            return min(self.rescan_seconds, self.watcher.mode.interval or DEFAULT_POLL_INTERVAL)
        return self.rescan_seconds

    def stop_following(self) -> None:
        self.watcher.stop()

    def _on_disk_change(self, path: str) -> None:
        """On the observer's thread: post only."""
        self.post_message(RunChanged(path))

    def on_run_changed(self, message: RunChanged) -> None:
        run = self.workspace.route(message.path)
        if run is None:
            self._pending_rescan = True
        else:
            self._pending.add(run)
        if not self._scheduled:
            self._scheduled = True
            self.set_timer(SETTLE_SECONDS, self._read_pending)

    def request_read(self, runs: list[Path]) -> None:
        """Read these runs as soon as no read is in flight."""
        self._pending.update(runs)
        self._read_pending()

    def rescan_now(self) -> None:
        """The folder list again, and every run asked whether it changed."""
        self._pending_rescan = True
        self._pending.update(self.workspace.entries)
        self._read_pending()

    def _read_pending(self) -> None:
        self._scheduled = False
        if self._busy or not (self._pending or self._pending_rescan):
            return
        only = None if self._pending_rescan else set(self._pending)
        rescan, self._pending_rescan = self._pending_rescan, False
        self._pending.clear()
        self._busy = True
        self._read(rescan, only, self.clock())

    @work(thread=True, group="read", exit_on_error=False)
    def _read(self, rescan: bool, only: set[Path] | None, now: float) -> None:
        try:
            added = self.workspace.rescan() if rescan else []
            changed = self.workspace.refresh(only, now=now)
        except Exception as exc:  # a bug must not end the workspace: said, and the next read goes on
            self.call_from_thread(self.notify, f"read failed: {type(exc).__name__}: {exc}", severity="error")
            added, changed = [], []
        self.post_message(RunsRead(added, changed))

    def on_runs_read(self, message: RunsRead) -> None:
        self._busy = False
        self.reads += 1
        self.runs_read(message)
        if self._pending or self._pending_rescan:
            self._read_pending()

    def runs_read(self, message: RunsRead) -> None:
        """Show what a read found (the subclass's)."""
