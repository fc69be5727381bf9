"""The dashboard app: summary, four charts and the checkpoint list of one outputs folder, kept up to date.

Flow: the watcher thread posts :class:`FolderChanged`; the reload controller (:mod:`.reload`) turns a burst
of them into one reload, which runs the core's :func:`~trainmon_tui.pipeline.take_snapshot` in a thread
worker and posts :class:`SnapshotTaken`; the app shows it in one ``batch_update`` and posts
:class:`SnapshotApplied`. A cheap rescan every few seconds guards against lost events and picks up a folder
created after start; a resize prepares the chart data again from the state in memory. Nothing runs while
nothing changes.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.worker import get_current_worker

from trainmon_tui.files.state import STATE_FILE, ErrorKind, StateCache, TrainerState
from trainmon_tui.live.progress import progress_for
from trainmon_tui.live.tbevents import LiveSource
from trainmon_tui.live.watch import FolderWatcher
from trainmon_tui.pipeline import Snapshot, take_snapshot
from trainmon_tui.simulate import SimulatedRun, demo_config
from trainmon_tui.ui import keys, notices
from trainmon_tui.ui.events import EventLog, EventLogScreen
from trainmon_tui.ui.help import HelpScreen
from trainmon_tui.ui.messages import (
    ChartsPrepared,
    FolderChanged,
    ReloadFailed,
    SnapshotApplied,
    SnapshotTaken,
)
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.reload import ReloadController
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.ui.widgets.checkpoints import FOLLOW_ID, CheckpointList
from trainmon_tui.ui.widgets.info import InfoBar
from trainmon_tui.ui.widgets.summary import SummaryPane
from trainmon_tui.views.charts import CHART_NAMES, ChartData, points_for_width, prepare
from trainmon_tui.views.i18n import t
from trainmon_tui.views.safetext import printable

RESCAN_SECONDS = 5.0
RETRY_SECONDS = 1.0
MAX_RETRIES = 10
NO_CHARTS = ChartData()


class TrainmonApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "trainmon-tui"
    # Classes on the screen by its size, for app.tcss: narrow panes stack the side pane above the charts,
    # tall and narrow ones give the charts one column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("en")

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
        self.set_reactive(TrainmonApp.pinned, options.checkpoint)
        self.cache = StateCache()
        self.follower = LiveSource(self.outputs)  # trainmon_log.jsonl, else TensorBoard event files
        self.clock: Callable[[], float] = time.time  # wall time, for "last update" and the ETA
        self.snapshot: Snapshot | None = None
        self.watcher = FolderWatcher(self.outputs, self._on_disk_change, options.poll_interval)
        self.reloads = ReloadController(self._start_reload, self.set_timer)
        self._retries = 0
        self.events = EventLog()
        self.notices = notices.Notices(self, self.outputs, self.lang)
        self._demo_stop = threading.Event()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
        logged: str | None = None,
    ) -> None:
        """Every notification of this app is plain text: paths, keys and reasons from files are data.

        Control characters are made visible and markup is off whatever a caller passes, so no message
        that embeds text from disk can act on the terminal or break on a ``[``. The event log keeps
        ``logged`` instead of the toast's short text when given (a saved PNG's whole path).
        """
        entry = logged if logged is not None else f"{title}: {message}" if title else message
        self.events.add(time.time(), severity, entry)
        super().notify(
            printable(message),
            title=printable(title),
            severity=severity,
            timeout=notices.TOAST_SECONDS if timeout is None else timeout,
            markup=False,
        )

    # --- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield InfoBar(id="info")
        with Horizontal(id="body"):
            with Vertical(id="side"):
                with VerticalScroll(id="summary-scroll"):
                    yield SummaryPane(id="summary")
                yield Static(id="problems")
                yield CheckpointList(self.lang, id="checkpoints")
            with Grid(id="charts"):
                for name in CHART_NAMES:
                    yield ChartPane(name, self.lang, id=f"chart-{name}")
        yield Footer()

    def on_mount(self) -> None:
        if self.options.demo:
            self._start_demo()
        if self.watching:
            self.watcher.start()
            self.set_interval(self.rescan_seconds, self._rescan)
        self.query_one(SummaryPane).show(None, self.lang, self._waiting_text())
        self._show_info()
        self.query_one(CheckpointList).focus()
        self.reloads.now(force=True)

    def on_resize(self) -> None:
        # This handler runs before Textual's own, which sets the app's new size: act once it has.
        self.call_next(self._resized)

    def _resized(self) -> None:
        self._show_info()
        self._charts_for_width()

    def on_unmount(self) -> None:
        self._demo_stop.set()
        self.watcher.stop()

    # --- noticing changes --------------------------------------------------------------------------

    def _on_disk_change(self, path: str) -> None:
        """Runs on the observer thread: only post (thread-safe), never touch widgets."""
        self.post_message(FolderChanged(path))

    def on_folder_changed(self, _message: FolderChanged) -> None:
        self.reloads.soon()

    def _rescan(self) -> None:
        if not self.watcher.running and self.watcher.start():
            self._show_info()  # the folder exists now
        self.reloads.now()
        self._refresh_progress()

    def _refresh_progress(self) -> None:
        """Time moves on while files do not: "last update", ETA and "stalled" are recomputed (cheap)."""
        snapshot = self.snapshot
        if snapshot is None or snapshot.progress is None:
            return
        progress = progress_for(snapshot.state, snapshot.live, snapshot.checkpoint_times, self.clock())
        if progress != snapshot.progress:
            self.snapshot = dataclasses.replace(snapshot, progress=progress)
            self._show_summary()

    def watch_pinned(self) -> None:
        self._show_info()
        self.reloads.now(force=True)

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
            previous = self.snapshot
            self.apply(snapshot)
            self._react(previous, snapshot)
            self._charts_for_width()  # the pane was resized while the reload ran
        finally:
            self.reloads.finished()

    def _charts_for_width(self) -> None:
        """Chart data downsampled for another width: prepared again from the state in memory."""
        snapshot = self.snapshot
        wanted = points_for_width(self.size.width)
        if snapshot is not None and snapshot.state is not None and snapshot.max_points != wanted:
            self._prepare_charts(snapshot.state, wanted)

    @work(thread=True, exclusive=True, group="charts", exit_on_error=False)
    def _prepare_charts(self, state: TrainerState, max_points: int) -> None:
        try:
            charts, error = prepare(state, max_points), None
        except Exception as exc:  # as the reload does: the state and summary stay, the charts say why
            charts, error = None, f"charts: cannot prepare ({type(exc).__name__}: {exc})"
        if not get_current_worker().is_cancelled:
            self.post_message(ChartsPrepared(state, max_points, charts, error))

    def on_charts_prepared(self, message: ChartsPrepared) -> None:
        snapshot = self.snapshot
        if snapshot is None or snapshot.state is not message.state:
            return  # a newer state came meanwhile (prepared for the width it was taken at)
        if message.max_points == points_for_width(self.size.width):
            charts, error = message.charts, message.error
            self.apply(
                dataclasses.replace(
                    snapshot, charts=charts, charts_error=error, max_points=message.max_points
                )
            )

    # --- showing a snapshot ------------------------------------------------------------------------

    def apply(self, snapshot: Snapshot) -> None:
        """Show ``snapshot`` on every widget in one update, then post :class:`SnapshotApplied`."""
        previous, self.snapshot = self.snapshot, snapshot
        with self.batch_update():
            self._show_info()
            self._show_summary()
            self._show_problems()
            # No state (the folder was deleted, a chart bug): no data, never the previous run's curves.
            charts = snapshot.charts if snapshot.charts is not None else NO_CHARTS
            if previous is None or charts is not (previous.charts or NO_CHARTS):
                for pane in self.query(ChartPane):
                    pane.show(charts)
            shown = snapshot.state.name if snapshot.state else None
            self.query_one(CheckpointList).show(snapshot.candidates, shown, self.pinned is None)
        self.post_message(SnapshotApplied(snapshot))

    def _react(self, previous: Snapshot | None, snapshot: Snapshot) -> None:
        """The notifications a new snapshot from disk calls for, and a retry while a state is half-written."""
        self.notices.announce(previous, snapshot, following=self.pinned is None)
        # Half-written files are retried quietly; these will not heal (they also stay in #problems).
        live = self._live_problems()
        if live and snapshot.live is not None:  # once per file: its count of bad lines keeps changing
            self.notices.once(f"live:{snapshot.live.path}", live[0], severity="warning")
        for line in self._skipped():
            self.notices.once(f"invalid:{line}", f"{t('skipped', self.lang)}: {line}", severity="warning")
        if snapshot.outputs_error is not None:
            error = str(snapshot.outputs_error)
            self.notices.once(f"outputs:{error}", error, severity="error")
        if snapshot.incomplete and self._retries < MAX_RETRIES:
            self._retries += 1
            self.set_timer(RETRY_SECONDS, partial(self.reloads.now, True))
        elif not snapshot.incomplete:
            self._retries = 0

    def _show_summary(self) -> None:
        snapshot = self.snapshot
        summary = snapshot.summary if snapshot else None
        progress = snapshot.progress if snapshot else None
        self.query_one(SummaryPane).show(summary, self.lang, self._waiting_text(), progress)

    def _waiting_text(self) -> str:
        """What the summary says while there is no state: why OUTPUTS cannot be used, or "waiting"."""
        snapshot = self.snapshot
        if snapshot is not None and snapshot.outputs_error is not None:
            return str(snapshot.outputs_error)
        return t("waiting", self.lang, path=self.outputs)

    def _skipped(self) -> list[str]:
        """The files that will not heal by waiting (not half-written ones): one line each, which and why."""
        snapshot = self.snapshot
        if snapshot is None:
            return []
        lines = [
            f"{_below(_file_or_folder(error.path), self.outputs)}: {error.reason}"
            for error in snapshot.errors
            if error.kind is ErrorKind.INVALID and error is not snapshot.outputs_error
        ]
        return [*lines, snapshot.charts_error] if snapshot.charts_error else lines

    def _live_problems(self) -> list[str]:
        """What the live log (or the event files) could not give: unreadable, or lines skipped."""
        live = self.snapshot.live if self.snapshot is not None else None
        if live is None:
            return []
        name = _below(live.path, self.outputs)
        if live.error:
            return [f"{name}: {live.error}"]
        if live.bad_lines:
            return [f"{name}: {live.bad_lines} bad line(s) skipped, {live.first_error}"]
        return []

    def _show_problems(self) -> None:
        """Unreadable states stay on screen for as long as they are there, not only as a notification."""
        lines = [*self._skipped(), *self._live_problems()]
        problems = self.query_one("#problems", Static)
        problems.display = bool(lines)
        text = Text(no_wrap=True, overflow="ellipsis", style="yellow")
        for index, line in enumerate(lines):
            text.append(("\n" if index else "") + f"⚠ {printable(line)}")
        problems.update(text)

    def _show_info(self) -> None:
        # Watching off (tests): the mode it would watch with, as on a folder being watched.
        running = self.watcher.running or not self.watching
        self.query_one(InfoBar).show(
            self.outputs,
            self.snapshot,
            lang=self.lang,
            pinned=self.pinned is not None,
            skipped=len(self._skipped()) + len(self._live_problems()),
            watch=self.watcher.mode.label if running else t("waiting_for_folder", self.lang),
            width=self.size.width,
        )

    # --- actions -----------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reloads.now(force=True)

    def action_toggle_follow(self) -> None:
        if self.pinned is not None:
            self.pinned = None
        elif self.snapshot is not None and self.snapshot.state is not None:
            self.pinned = self.snapshot.state.source

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        candidates = self.query_one(CheckpointList).paths
        option_id = event.option.id
        if option_id == FOLLOW_ID:
            self.pinned = None
        elif option_id in candidates:
            self.pinned = candidates[option_id].path

    def action_scroll_summary(self, pages: int) -> None:
        scroll = self.query_one("#summary-scroll", VerticalScroll)
        scroll.scroll_relative(y=pages * max(1, scroll.size.height - 1), animate=False)

    def action_toggle_side(self) -> None:
        """Hide or show the summary and checkpoint list, so the charts get the whole pane."""
        self.screen.toggle_class("-side-hidden")

    def action_events(self) -> None:
        self.push_screen(EventLogScreen(self.events, self.lang))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.BINDINGS, self.lang))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): the dashboard's own actions, and Textual's but the screenshot
        (it saves into ~/Downloads, which a training server seldom has; ``s`` saves the charts)."""
        for title, what, action in keys.commands(self.lang):
            yield SystemCommand(title, what[:1].upper() + what[1:], getattr(self, f"action_{action}"))
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_save_png(self) -> None:
        state = self.snapshot.state if self.snapshot else None
        if state is None:
            self.notify(t("nothing_to_save", self.lang), severity="warning")
            return
        self._export(state)

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, state: TrainerState) -> None:
        """Runs in a thread worker: matplotlib is imported here, on first use."""
        from trainmon_tui.views.export import save_dashboard_png_unique

        try:
            self.options.export_dir.mkdir(parents=True, exist_ok=True)
            path = save_dashboard_png_unique(state, self.options.export_dir, self.lang)
        except Exception as exc:
            self.notify(t("png_not_saved", self.lang, reason=exc), severity="error", timeout=10)
        else:
            # The folder as given (``--export-dir``, default the current one) and the name: short, and
            # the whole absolute path is in the event log.
            message = t("png_saved", self.lang, path=path)
            self.notify(message, timeout=6, logged=t("png_saved", self.lang, path=path.absolute()))

    def _start_demo(self) -> None:
        run = SimulatedRun(self.outputs, demo_config())
        threading.Thread(target=run.run, args=(1.5, self._demo_stop), daemon=True, name="demo").start()


def _file_or_folder(path: Path) -> Path:
    """A checkpoint's state file named by its folder (``checkpoint-10``); other files as they are."""
    return path.parent if path.name == STATE_FILE else path


def _below(path: Path, outputs: Path) -> str:
    """``path`` relative to the outputs folder when it is inside it (``checkpoint-10/trainer_state.json``)."""
    try:
        return str(path.relative_to(outputs))
    except ValueError:
        return str(path)


class ChineseTrainmonApp(TrainmonApp):
    """The dashboard with the footer in Chinese (a binding's description is the class's)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("zh")


def dashboard_app(
    options: DashboardOptions, *, rescan_seconds: float = RESCAN_SECONDS, watch: bool = True
) -> TrainmonApp:
    """The dashboard in the options' language."""
    cls = ChineseTrainmonApp if options.lang == "zh" else TrainmonApp
    return cls(options, rescan_seconds=rescan_seconds, watch=watch)


def run_dashboard(options: DashboardOptions) -> int:
    app = dashboard_app(options)
    app.run()
    return app.return_code or 0
