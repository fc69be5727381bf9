"""The dashboard app: the overview (summary, four charts, checkpoints), the metrics and evaluations views.

:class:`~.following.FollowingApp` keeps the snapshot of the run current; this app lays out the widgets,
shows each snapshot in one ``batch_update`` (then posts :class:`SnapshotApplied`), says what it calls for,
and runs the actions of the keys and the command palette.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, OptionList, Static

from trainmon_tui.pipeline import Snapshot
from trainmon_tui.simulate import SimulatedRun, demo_config
from trainmon_tui.ui import keys, notices
from trainmon_tui.ui.alerting import AlertActions, Alerting
from trainmon_tui.ui.events import EventLog, EventLogScreen
from trainmon_tui.ui.exporting import PngExports
from trainmon_tui.ui.following import RESCAN_SECONDS, FollowingApp
from trainmon_tui.ui.help import HelpScreen
from trainmon_tui.ui.messages import SnapshotApplied
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.viewactions import ViewActions
from trainmon_tui.ui.widgets.chart import ChartGrid, ChartPane
from trainmon_tui.ui.widgets.checkpoints import FOLLOW_ID, CheckpointList
from trainmon_tui.ui.widgets.evalsview import EvalsView
from trainmon_tui.ui.widgets.info import InfoBar
from trainmon_tui.ui.widgets.metricsview import MetricsView
from trainmon_tui.ui.widgets.strip import HeadlineStrip
from trainmon_tui.ui.widgets.summary import SummaryPane
from trainmon_tui.ui.widgets.systempane import SystemPane
from trainmon_tui.ui.widgets.viewtabs import ViewTabs
from trainmon_tui.views.chartdata import CHART_NAMES, ChartData
from trainmon_tui.views.i18n import t
from trainmon_tui.views.safetext import printable

NO_CHARTS = ChartData()


class TrainmonApp(AlertActions, ViewActions, PngExports, FollowingApp):
    CSS_PATH = "app.tcss"
    TITLE = "trainmon-tui"
    # Classes on the screen by its size, for app.tcss: narrow panes stack the side pane above the charts,
    # tall and narrow ones give the charts one column.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-wide"), (120, "-wider")]  # noqa: RUF012
    VERTICAL_BREAKPOINTS = [(0, "-short"), (36, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("en")

    def __init__(
        self, options: DashboardOptions, *, rescan_seconds: float = RESCAN_SECONDS, watch: bool = True
    ) -> None:
        super().__init__(options, rescan_seconds=rescan_seconds, watch=watch)
        self.events = EventLog()
        self.notices = notices.Notices(self, self.outputs, self.lang)
        self.alerting = Alerting(self)  # notifications, bell and --on-alert for the health alerts
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
        ``logged`` instead of the toast's short text when given ("": nothing, it is logged already).
        """
        entry = logged if logged is not None else f"{title}: {message}" if title else message
        if entry:
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
        yield ViewTabs(self.lang, id="tabs")
        with ContentSwitcher(initial=keys.OVERVIEW, id="views"):
            with Horizontal(id=keys.OVERVIEW):
                with Vertical(id="side"):
                    with VerticalScroll(id="summary-scroll"):
                        yield SummaryPane(id="summary")
                    if self.options.system:
                        yield SystemPane(self.lang, id="system")
                    yield Static(id="problems")
                    yield CheckpointList(self.lang, id="checkpoints")
                with Vertical(id="chart-area"):
                    with ChartGrid(id="charts"):
                        for name in CHART_NAMES:
                            yield ChartPane(name, self.lang, id=f"chart-{name}")
                    yield HeadlineStrip(id="strip")
            yield MetricsView(self.lang, id=keys.METRICS)
            yield EvalsView(self.lang, id=keys.EVALS)
        yield Footer()

    def on_mount(self) -> None:
        if self.options.theme:
            self.theme = self.options.theme
        if self.options.demo:
            self._start_demo()
        self.query_one(SummaryPane).show(None, self.lang, self._waiting_text())
        self.show_info()
        self.query_one(CheckpointList).focus()
        self.start_following()

    def on_unmount(self) -> None:
        self._demo_stop.set()
        self.stop_following()

    # --- showing a snapshot ------------------------------------------------------------------------

    def apply(self, snapshot: Snapshot) -> None:
        """Show ``snapshot`` on every widget in one update, then post :class:`SnapshotApplied`."""
        previous, self.snapshot = self.snapshot, snapshot
        with self.batch_update():
            self.show_info()
            self.show_summary()
            self._show_problems()
            # No state (the folder was deleted, a chart bug): no data, never the previous run's curves.
            charts = snapshot.charts if snapshot.charts is not None else NO_CHARTS
            if previous is None or charts is not (previous.charts or NO_CHARTS):
                for pane in self.query(ChartPane):
                    pane.show(charts)
            self.query_one(HeadlineStrip).show(snapshot.state)
            shown = snapshot.state.name if snapshot.state else None
            self.query_one(CheckpointList).show(snapshot.candidates, shown, self.pinned is None)
            # The other views follow the run while shown (the catalogue again: new keys get charts).
            if self.view == keys.METRICS:
                self.query_one(MetricsView).show_snapshot(snapshot)
            elif self.view == keys.EVALS:
                self.query_one(EvalsView).show_snapshot(snapshot)
        self.post_message(SnapshotApplied(snapshot))

    def react(self, previous: Snapshot | None, snapshot: Snapshot) -> None:
        """The notifications a new snapshot from disk calls for."""
        self.notices.announce(previous, snapshot, following=self.pinned is None)
        self.alerting.react(snapshot)
        # Half-written files are retried quietly; these will not heal (they also stay in #problems).
        for warning in snapshot.lasting_warnings:
            if warning.source == "live":  # once per file: its count of bad lines keeps changing
                self.notices.once(f"live:{warning.path}", str(warning), severity=warning.severity)
            else:
                line = f"{t('skipped', self.lang)}: {warning}"
                self.notices.once(f"invalid:{warning}", line, severity=warning.severity)
        if snapshot.outputs_error is not None:
            error = str(snapshot.outputs_error)
            self.notices.once(f"outputs:{error}", error, severity="error")

    def show_summary(self) -> None:
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

    def _problems(self) -> list[str]:
        """What will not heal by waiting (not half-written states): one line each, which file and why."""
        return [str(w) for w in self.snapshot.lasting_warnings] if self.snapshot is not None else []

    def _show_problems(self) -> None:
        """Unreadable states stay on screen for as long as they are there, not only as a notification."""
        lines = self._problems()
        problems = self.query_one("#problems", Static)
        problems.display = bool(lines)
        text = Text(no_wrap=True, overflow="ellipsis", style="yellow")
        for index, line in enumerate(lines):
            text.append(("\n" if index else "") + f"⚠ {printable(line)}")
        problems.update(text)

    def show_info(self) -> None:
        # Watching off (tests): the mode it would watch with, as on a folder being watched.
        running = self.watcher.running or not self.watching
        self.query_one(InfoBar).show(
            self.outputs,
            self.snapshot,
            lang=self.lang,
            pinned=self.pinned is not None,
            skipped=len(self._problems()),
            alerts=self.alerting.counts(),
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
        self.push_screen(HelpScreen(self.BINDINGS, self.lang, self.view))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The command palette (ctrl+p): the dashboard's own actions, and Textual's but the screenshot
        (it saves into ~/Downloads, which a training server seldom has; ``s`` saves the charts)."""
        for title, what, action in keys.commands(self.lang):
            yield SystemCommand(title, what[:1].upper() + what[1:], getattr(self, f"action_{action}"))
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def _start_demo(self) -> None:
        run = SimulatedRun(self.outputs, demo_config())
        threading.Thread(target=run.run, args=(1.5, self._demo_stop), daemon=True, name="demo").start()


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
