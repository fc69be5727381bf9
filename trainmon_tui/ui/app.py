"""The live dashboard: summary, four charts and the checkpoint list of one outputs folder.

Flow: the watcher thread posts :class:`FolderChanged`; 50 ms after the first of a burst the app starts one
reload worker (never two at once: a request during a reload is remembered and run after it), which calls the
core's :func:`~trainmon_tui.pipeline.take_snapshot` in a thread; its result is applied in one
``batch_update``. A cheap rescan every few seconds guards against lost events and picks up a folder
created after start. Nothing runs while nothing changes.
"""

from __future__ import annotations

import dataclasses
import math
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from pathlib import Path

from rich.text import Text
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, OptionList, Static
from textual.worker import Worker, WorkerState

from trainmon_tui.files.model import STATE_FILE, ErrorKind, TrainerState
from trainmon_tui.files.state import StateCache
from trainmon_tui.live.progress import progress_for
from trainmon_tui.live.source import LiveSource, from_event_files
from trainmon_tui.live.watch import FolderWatcher
from trainmon_tui.pipeline import Snapshot, take_snapshot
from trainmon_tui.simulate import SimulatedRun, demo_config
from trainmon_tui.ui import keys
from trainmon_tui.ui.events import EventLog, EventLogScreen
from trainmon_tui.ui.help import HelpScreen
from trainmon_tui.ui.messages import FolderChanged
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.ui.widgets.checkpoints import FOLLOW_ID, CheckpointList
from trainmon_tui.ui.widgets.summary import SummaryPane
from trainmon_tui.views.chartdata import CHART_NAMES, ChartData, points_for_width
from trainmon_tui.views.i18n import t
from trainmon_tui.views.safetext import printable

# A save is a burst of events (folder, marker, state file, then rotation's deletions), and a live log may be
# appended many times a second: the first event of a burst schedules one reload this much later, and the
# events until then ride along. A throttle, not a resetting debounce, so a steady stream cannot starve it.
COALESCE_SECONDS = 0.05
RESCAN_SECONDS = 5.0
RETRY_SECONDS = 1.0
MAX_RETRIES = 10
# A toast is one line and short-lived so it never hides the charts for long (the event log keeps it all);
# while one "new checkpoint" toast is up, further new checkpoints wait and then come as one toast.
TOAST_SECONDS = 3.0
NO_CHARTS = ChartData()


class TrainmonApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "trainmon-tui"
    # Classes on the screen by its size, for app.tcss: narrow panes stack the side pane above the charts,
    # tall and narrow ones give the charts one column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS = keys.bindings("en")

    def __init__(self, options: DashboardOptions, *, rescan_seconds: float = RESCAN_SECONDS) -> None:
        super().__init__()
        self.options = options
        self.outputs = options.outputs
        self.lang = options.lang
        self.rescan_seconds = rescan_seconds
        self.pinned: Path | None = options.checkpoint
        self.cache = StateCache()
        self.follower = LiveSource(self.outputs)  # trainmon_log.jsonl, else TensorBoard event files
        self.clock: Callable[[], float] = time.time  # wall time, for "last update" and the ETA
        self.snapshot: Snapshot | None = None
        self.watcher = FolderWatcher(self.outputs, self._on_disk_change, options.poll_interval)
        self._fingerprint: object = None
        self._reload_running = False
        self._reload_pending = False
        self._force_next = False
        self._retries = 0
        self._coalesce: Timer | None = None
        self._notified: set[tuple[str, str]] = set()
        self.events = EventLog()
        self._toast_until = 0.0  # monotonic time the "new checkpoint" toast on screen goes away
        self._held: list[tuple[str, int | None]] = []  # new checkpoints waiting for that
        self._held_timer: Timer | None = None
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
            timeout=TOAST_SECONDS if timeout is None else timeout,
            markup=False,
        )

    # --- layout ------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(id="info")
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
        self.watcher.start()
        self.set_interval(self.rescan_seconds, self._rescan)
        self.query_one(SummaryPane).show(None, self.lang, self._waiting_text())
        self._show_info()
        self.query_one(CheckpointList).focus()
        self.request_reload(force=True)

    def on_resize(self) -> None:
        self._show_info()
        # Chart data is downsampled for the width: prepare it again (bursts coalesce in request_reload).
        if self.snapshot is not None:
            self.request_reload(force=True)

    def on_unmount(self) -> None:
        self._demo_stop.set()
        self.watcher.stop()

    # --- noticing changes --------------------------------------------------------------------------

    def _on_disk_change(self, path: str) -> None:
        """Runs on the observer thread: only post (thread-safe), never touch widgets."""
        self.post_message(FolderChanged(path))

    def on_folder_changed(self, _message: FolderChanged) -> None:
        if self._coalesce is None:
            self._coalesce = self.set_timer(COALESCE_SECONDS, self._coalesced_reload)

    def _coalesced_reload(self) -> None:
        self._coalesce = None
        self.request_reload()

    def _rescan(self) -> None:
        if not self.watcher.running and self.watcher.start():
            self._show_info()  # the folder exists now
        self.request_reload()
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

    def _show_summary(self) -> None:
        snapshot = self.snapshot
        summary = snapshot.summary if snapshot else None
        progress = snapshot.progress if snapshot else None
        self.query_one(SummaryPane).show(summary, self.lang, self._waiting_text(), progress)

    def request_reload(self, force: bool = False) -> None:
        """Start the reload worker, or remember to run it again when the one in flight ends."""
        self._force_next = self._force_next or force
        if self._reload_running:
            self._reload_pending = True
            return
        self._reload_running = True
        previous = None if self._force_next else self._fingerprint
        self._force_next = False
        self.run_worker(
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
            ),
            thread=True,
            group="reload",
            exit_on_error=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "reload" or not worker.is_finished:
            return
        self._reload_running = False
        if event.state is WorkerState.SUCCESS and worker.result is not None:
            self.apply(worker.result)
        elif event.state is WorkerState.ERROR:
            self.notify(f"reload failed: {worker.error}", severity="error", markup=False)
        if self._reload_pending:
            self._reload_pending = False
            self.request_reload()

    # --- showing a snapshot ------------------------------------------------------------------------

    def apply(self, snapshot: Snapshot) -> None:
        previous, self.snapshot = self.snapshot, snapshot
        self._fingerprint = snapshot.fingerprint
        if snapshot.pinned_missing and self.pinned is not None:
            self.notify(t("pinned_gone", self.lang, name=self.pinned.parent.name))
            self.pinned = None
            self.request_reload(force=True)
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
        self._announce(previous, snapshot)
        # Half-written files are retried quietly; these will not heal (they also stay in #problems).
        live = self._live_problems()
        if live and snapshot.live is not None:  # once per file: its count of bad lines keeps changing
            self._notify_once(f"live:{snapshot.live.path}", live[0], severity="warning")
        for line in self._skipped():
            self._notify_once(f"invalid:{line}", f"{t('skipped', self.lang)}: {line}", severity="warning")
        if snapshot.outputs_error is not None:
            self._notify_once(
                f"outputs:{snapshot.outputs_error}", str(snapshot.outputs_error), severity="error"
            )
        if snapshot.incomplete and self._retries < MAX_RETRIES:
            self._retries += 1
            self.set_timer(RETRY_SECONDS, partial(self.request_reload, True))
        elif not snapshot.incomplete:
            self._retries = 0

    def _announce(self, previous: Snapshot | None, snapshot: Snapshot) -> None:
        state = snapshot.state
        if state is None:
            return
        # A new checkpoint (or a rewritten root state), not a new live step: those arrive every few seconds.
        # Newer means a larger step: falling back to an older one (the shown one was deleted) is no news.
        saved = (snapshot.checkpoint, snapshot.checkpoint_step)
        before = previous.checkpoint_step if previous is not None else None
        is_new = (
            previous is not None
            and saved != (previous.checkpoint, before)
            and (before is None or (saved[1] is not None and saved[1] > before))
        )
        if is_new and self.pinned is None and saved[0] is not None:
            self._checkpoint_arrived(saved[0], saved[1])
        if state.max_steps and state.global_step is not None and state.global_step >= state.max_steps:
            self._notify_once("finished", f"{t('finished', self.lang)}: step {state.global_step}")
        names = {"loss": ("loss", "损失"), "grad_norm": ("grad norm", "梯度范数")}
        newest = (("loss", state.loss), ("grad_norm", state.get("grad_norm")))
        bad = [
            names[key][self.lang == "zh"]
            for key, series in newest
            if len(series) and not math.isfinite(series.values[-1])
        ]
        if bad:
            what = t("and", self.lang).join(bad)
            message = t("nonfinite_newest", self.lang, name=state.name, what=what)
            self._notify_once(f"nonfinite:{state.name}", message, severity="error")

    def _checkpoint_arrived(self, name: str, step: int | None) -> None:
        """One toast per new checkpoint, or one for all that came while the previous toast was up."""
        self._held.append((name, step))
        wait = self._toast_until - time.monotonic()
        if wait <= 0:
            self._show_held()
        elif self._held_timer is None:
            self._held_timer = self.set_timer(wait, self._show_held)

    def _show_held(self) -> None:
        self._held_timer = None
        held, self._held = self._held, []
        if not held:
            return
        if len(held) == 1:
            message = t("new_checkpoint", self.lang, name=held[0][0], step=held[0][1])
        else:
            first, last = held[0][1], held[-1][1]
            message = t("new_checkpoints", self.lang, first=first, last=last, n=len(held))
        self._toast_until = time.monotonic() + TOAST_SECONDS
        self.notify(message)

    def _notify_once(self, key: str, message: str, severity: str = "information") -> None:
        if (str(self.outputs), key) in self._notified:
            return
        self._notified.add((str(self.outputs), key))
        self.notify(message, severity=severity)  # type: ignore[arg-type]

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
        snapshot = self.snapshot
        # The folder gives way first: at 80 columns the checkpoint, step and watch mode stay visible.
        limit = 24 if self.size.width >= 100 else max(8, self.size.width // 5)
        info = Text.assemble((printable(short_path(self.outputs, limit)), "cyan"))
        state = snapshot.state if snapshot else None
        if state is not None:
            when = datetime.fromtimestamp(state.mtime).strftime("%H:%M:%S") if state.mtime else "-"
            name = printable(snapshot.checkpoint if snapshot and snapshot.checkpoint else state.name)
            step = f"{t('info_step', self.lang)} {state.global_step}"
            info.append_text(Text.assemble("  ", (name, "bold green"), f"  {step}"))
            if snapshot and snapshot.live is not None and not snapshot.live.empty:
                source = "tensorboard" if from_event_files(snapshot.live) else "live"
                info.append(f"  {source}", style="bold magenta")
            info.append(f"  {when}")
            if self.pinned is not None:
                info.append(f"  {t('pinned', self.lang)}", style="yellow")
        elif snapshot is not None and not snapshot.folder_exists:
            info.append(f"  {t('folder_not_created', self.lang)}", style="yellow")
        skipped = len(self._skipped()) + len(self._live_problems())
        if skipped:
            info.append(f"  {t('n_skipped', self.lang, n=skipped)}", style="bold yellow")
        watch = self.watcher.mode.label if self.watcher.running else t("waiting_for_folder", self.lang)
        info.append(f"  · {watch}", style="dim")
        self.query_one("#info", Static).update(info)

    # --- actions -----------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.request_reload(force=True)

    def action_toggle_follow(self) -> None:
        if self.pinned is not None:
            self.pinned = None
        elif self.snapshot is not None and self.snapshot.state is not None:
            self.pinned = self.snapshot.state.source
        self.request_reload(force=True)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        candidates = self.query_one(CheckpointList).paths
        option_id = event.option.id
        if option_id == FOLLOW_ID:
            self.pinned = None
        elif option_id in candidates:
            self.pinned = candidates[option_id].path
        self.request_reload(force=True)

    def action_scroll_summary(self, pages: int) -> None:
        scroll = self.query_one("#summary-scroll", VerticalScroll)
        scroll.scroll_relative(y=pages * max(1, scroll.size.height - 1), animate=False)

    def action_toggle_side(self) -> None:
        """Hide or show the summary and checkpoint list, so the charts get the whole pane."""
        self.screen.toggle_class("-side-hidden")

    def action_events(self) -> None:
        self.push_screen(EventLogScreen(self.events, self.lang))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): the dashboard's own actions, and Textual's but the screenshot
        (it saves into ~/Downloads, which a training server seldom has; ``s`` saves the charts)."""
        yield SystemCommand(
            "Save PNG", "Save the four charts as a PNG into the export folder", self.action_save_png
        )
        yield SystemCommand("Reload", "Read the outputs folder again now", self.action_reload)
        yield SystemCommand(
            "Follow latest", "Follow the latest checkpoint on / off", self.action_toggle_follow
        )
        yield SystemCommand(
            "Side pane", "Hide / show the summary and checkpoint list", self.action_toggle_side
        )
        yield SystemCommand("Events", "The notifications of this session", self.action_events)
        yield SystemCommand("Help", "The keys", self.action_help)
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.lang))

    def action_save_png(self) -> None:
        state = self.snapshot.state if self.snapshot else None
        if state is None:
            self.notify(t("nothing_to_save", self.lang), severity="warning")
            return
        self.run_worker(partial(self._export, state), thread=True, group="export", exit_on_error=False)

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


def short_path(path: Path, limit: int = 24) -> str:
    """The outputs folder as typed, or its last parts behind an ellipsis when that is long."""
    text = str(path)
    if len(text) <= limit:
        return text
    parts = path.parts
    tail = parts[-1]
    if len(tail) + 2 > limit:  # one long folder name: its end, which tells runs apart more often
        return "…" + tail[-(limit - 1) :]
    for part in reversed(parts[:-1]):
        if len(part) + len(tail) + 3 > limit:
            break
        tail = f"{part}/{tail}"
    return f"…/{tail}"


class ChineseTrainmonApp(TrainmonApp):
    """The dashboard with the footer in Chinese (a binding's description is the class's)."""

    BINDINGS = keys.bindings("zh")


def dashboard_app(options: DashboardOptions, **kwargs: float) -> TrainmonApp:
    """The dashboard in the options' language."""
    cls = ChineseTrainmonApp if options.lang == "zh" else TrainmonApp
    return cls(options, **kwargs)


def run_dashboard(options: DashboardOptions) -> int:
    app = dashboard_app(options)
    app.run()
    return app.return_code or 0
