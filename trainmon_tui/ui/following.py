"""Following one outputs folder: the snapshot of the run kept current, for the dashboard to show.

The watcher thread posts :class:`FolderChanged`; the reload controller (:mod:`.reload`) turns a burst of them
into one reload, which runs the core's :func:`~trainmon_tui.pipeline.take_snapshot` in a thread worker and
posts :class:`SnapshotTaken`. A cheap rescan every few seconds guards against lost events and picks up a
folder created after start; a resize or an overview chart control prepares the chart data again from
the state in memory. Nothing runs
while nothing changes. :class:`FollowingApp` holds all of it and leaves the showing to its subclass.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App
from textual.reactive import var
from textual.worker import get_current_worker

from trainmon_tui.files.model import TrainerState
from trainmon_tui.files.state import StateCache
from trainmon_tui.health.monitor import HealthMonitor
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.live.progress import progress_for
from trainmon_tui.live.source import LiveSource
from trainmon_tui.live.watch import FolderWatcher
from trainmon_tui.pipeline import Snapshot, prepare_charts, take_snapshot, with_charts
from trainmon_tui.ui.messages import ChartsPrepared, FolderChanged, ReloadFailed, SnapshotTaken
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.reload import ReloadController
from trainmon_tui.views.chartdata import points_for_width
from trainmon_tui.views.controls import OVERVIEW, Controls
from trainmon_tui.views.i18n import t

RESCAN_SECONDS = 5.0
RETRY_SECONDS = 1.0  # a state being written: read again this much later, at most MAX_RETRIES times running
MAX_RETRIES = 10


class FollowingApp(App[int]):
    """The data side of the dashboard: ``snapshot``, kept current. The subclass shows it (:meth:`apply`),
    says what it calls for (:meth:`react`) and keeps the info bar and summary up (:meth:`show_info`,
    :meth:`show_summary`)."""

    # The checkpoint shown instead of the latest (None: follow the latest); setting it reloads.
    pinned: var[Path | None] = var(None, init=False)

    def __init__(
        self, options: DashboardOptions, *, rescan_seconds: float = RESCAN_SECONDS, watch: bool = True
    ) -> None:
        """``watch=False`` (tests): no folder watcher and no rescan, so only what the test does reloads."""
        super().__init__()
        self.options = options
        self.outputs = options.outputs
        self.lang = options.lang
        self.rescan_seconds = rescan_seconds
        self.watching = watch
        self.set_reactive(FollowingApp.pinned, options.checkpoint)
        self.cache = StateCache()
        self.follower = LiveSource(self.outputs)  # trainmon_log.jsonl, else TensorBoard event files
        self.clock: Callable[[], float] = time.time  # wall time, for "last update" and the ETA
        self.snapshot: Snapshot | None = None
        self.monitor = HealthMonitor(options.thresholds)  # fed at every reload, kept for the session
        self.watcher = FolderWatcher(self.outputs, self._on_disk_change, options.poll_interval)
        self.reloads = ReloadController(self._start_reload, self.set_timer)
        self._retries = 0
        self.chart_controls: Controls = OVERVIEW  # the overview charts' (views/controls.py)

    def apply(self, snapshot: Snapshot) -> None:
        """Show ``snapshot`` (the subclass's)."""
        self.snapshot = snapshot

    def react(self, previous: Snapshot | None, snapshot: Snapshot) -> None:
        """What a new snapshot from disk calls for besides showing it (the subclass's)."""

    def show_info(self) -> None:
        """The info bar again: the watcher or the pin changed (the subclass's)."""

    def show_summary(self) -> None:
        """The summary again: its progress changed (the subclass's)."""

    def start_following(self) -> None:
        if self.watching:
            self.watcher.start()
            self.set_interval(self.rescan_seconds, self._rescan)
        self.reloads.now(force=True)

    def stop_following(self) -> None:
        self.watcher.stop()

    # --- noticing changes --------------------------------------------------------------------------

    def _on_disk_change(self, path: str) -> None:
        """Runs on the observer thread: only post (thread-safe), never touch widgets."""
        self.post_message(FolderChanged(path))

    def on_folder_changed(self, _message: FolderChanged) -> None:
        self.reloads.soon()

    def _rescan(self) -> None:
        if not self.watcher.running and self.watcher.start():
            self.show_info()  # the folder exists now
        # A state cut short is read again until it is complete or has settled into a lasting warning.
        self.reloads.now(force=self.snapshot is not None and self.snapshot.incomplete)
        self._refresh_progress()

    def _refresh_progress(self) -> None:
        """Time moves on while files do not: "last update", ETA and "stalled" are recomputed (cheap)."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.progress is None:
            return
        progress = progress_for(snapshot.state, snapshot.live, snapshot.checkpoint_times, self.clock())
        if progress != snapshot.progress:
            self.snapshot = dataclasses.replace(snapshot, progress=progress)
            self.show_summary()

    def watch_pinned(self) -> None:
        self.show_info()
        self.reloads.now(force=True)

    def on_resize(self) -> None:
        # This handler runs before Textual's own, which sets the app's new size: act once it has.
        self.call_next(self._resized)

    def _resized(self) -> None:
        self.show_info()
        self._charts_for_width()

    # --- reloading ---------------------------------------------------------------------------------

    def _start_reload(self, force: bool) -> None:
        """The controller's way to start one reload (never while another is in flight)."""
        previous = self.snapshot.fingerprint if self.snapshot is not None and not force else None
        self._reload(
            partial(
                take_snapshot,
                self.outputs,
                pinned=self.pinned,
                cache=self.cache,
                follower=self.follower,
                max_points=points_for_width(self.size.width),
                previous=previous,
                now=self.clock(),
                reuse=self.snapshot,
                controls=self.chart_controls,
                monitor=self.monitor,
            )
        )

    @work(thread=True, exclusive=False, group="reload", exit_on_error=False)
    def _reload(self, take: Callable[[], Snapshot | None]) -> None:
        """One reload, in a thread; it always ends with a message, which the controller waits for."""
        try:
            snapshot = take()
        except Exception as exc:
            self.post_message(ReloadFailed(exc))
        else:
            self.post_message(SnapshotTaken(snapshot))

    def on_reload_failed(self, message: ReloadFailed) -> None:
        self.reloads.finished()
        self.notify(f"reload failed: {message.error}", severity="error")

    def on_snapshot_taken(self, message: SnapshotTaken) -> None:
        snapshot = message.snapshot
        try:
            if snapshot is None:  # nothing shown has changed
                return
            if snapshot.pinned_missing and self.pinned is not None:
                self.notify(t("pinned_gone", self.lang, name=self.pinned.parent.name))
                self.pinned = None  # and so a reload, started once this one is finished
            if self.watching and snapshot.folder_exists and not self.watcher.running and self.watcher.start():
                self.show_info()  # the folder appeared after the rescan's watch failed: watch it now
            previous = self.snapshot
            self.apply(snapshot)
            self.react(previous, snapshot)
            if snapshot.incomplete and self._retries < MAX_RETRIES:
                self._retries += 1
                self.set_timer(RETRY_SECONDS, partial(self.reloads.now, True))
            elif not snapshot.incomplete:
                self._retries = 0
            self._charts_for_width()  # the pane was resized while the reload ran
        finally:
            self.reloads.finished()

    # --- chart data for a new width or new controls -----------------------------------------------

    def _charts_for_width(self) -> None:
        """Chart data for another width or other controls: prepared again from the state in memory."""
        snapshot = self.snapshot
        wanted = points_for_width(self.size.width)
        if snapshot is None or snapshot.state is None:
            return
        if snapshot.max_points != wanted or snapshot.controls != self.chart_controls:
            self._prepare_charts(snapshot.state, snapshot.live, wanted, self.chart_controls)

    def set_chart_controls(self, controls: Controls) -> None:
        """The overview charts' controls: their chart data prepared again (in a thread) for them."""
        self.chart_controls = controls
        self._charts_for_width()

    @work(thread=True, exclusive=True, group="charts", exit_on_error=False)
    def _prepare_charts(
        self, state: TrainerState, live: LiveLog | None, max_points: int, controls: Controls
    ) -> None:
        charts, error = prepare_charts(state, max_points, controls, live)
        if not get_current_worker().is_cancelled:
            self.post_message(ChartsPrepared(state, max_points, charts, error, controls))

    def on_charts_prepared(self, message: ChartsPrepared) -> None:
        snapshot = self.snapshot
        if snapshot is None or snapshot.state is not message.state:
            return  # a newer state came meanwhile (prepared for the width it was taken at)
        if (
            message.max_points == points_for_width(self.size.width)
            and message.controls == self.chart_controls
        ):
            charts = with_charts(
                snapshot, message.charts, message.error, message.max_points, message.controls
            )
            self.apply(charts)
