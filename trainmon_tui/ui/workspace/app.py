"""The workspace app: the runs table, its filter, a legend of the selected runs, and their overlay charts.

:class:`~.following.WorkspaceFollowing` keeps the :class:`~trainmon_tui.workspace.model.Workspace` current;
this app shows it: the rows filtered and sorted by the :class:`~.view.WorkspaceView` (which outlives the
app: ``enter`` exits with the run under the cursor, :func:`~.run.run_workspace` opens its dashboard and,
after escape, this app again on the same view), and the selected runs' curves prepared in a thread worker.
Tall panes show the four charts in a 2x2 grid, short ones one chart at a time (``c`` for the next).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid
from textual.widgets import Footer, Input, Static

from trainmon_tui.ui import keys
from trainmon_tui.ui.workspace.actions import WorkspaceActions
from trainmon_tui.ui.workspace.following import RESCAN_SECONDS
from trainmon_tui.ui.workspace.keytable import WORKSPACE_KEYS
from trainmon_tui.ui.workspace.messages import OverlayReady, RunsRead, TableShown
from trainmon_tui.ui.workspace.overlaychart import OverlayChart
from trainmon_tui.ui.workspace.table import RunsTable
from trainmon_tui.ui.workspace.view import SELECTED_AT_START, WorkspaceView, arrange, columns
from trainmon_tui.views.chartdata import points_for_width
from trainmon_tui.views.compare import distinct_labels
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.terminal import run_color
from trainmon_tui.views.xaxis import XAxis
from trainmon_tui.workspace.cells import headers
from trainmon_tui.workspace.config import differing
from trainmon_tui.workspace.model import Workspace
from trainmon_tui.workspace.overlay import OVERLAYS, Curve, Run, charts_with, overlay_curves
from trainmon_tui.workspace.rows import RunRow

TALL = 36  # rows from which the four charts fit as a 2x2 grid


class WorkspaceApp(WorkspaceActions):
    CSS_PATH = str(Path(__file__).with_name("workspace.tcss"))  # also for a subclass defined elsewhere
    TITLE = "trainmon-tui"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (TALL, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("en", WORKSPACE_KEYS)

    def __init__(
        self,
        workspace: Workspace,
        view: WorkspaceView | None = None,
        *,
        lang: Lang = "en",
        poll_interval: float | None = None,
        export_dir: Path = Path("."),
        rescan_seconds: float = RESCAN_SECONDS,
        watch: bool = True,
        deliver_png: bool = False,
    ) -> None:
        super().__init__()
        self.lang: Lang = lang
        self.view = view if view is not None else WorkspaceView()
        self.export_dir = export_dir
        self.deliver_png = deliver_png  # served in a browser: ``s`` sends the PNG there
        self.shown: list[RunRow] = []
        self.config_keys: list[str] = []
        self._generation = 0
        self.generation_shown = 0  # the overlay request whose curves are on screen (tests wait on it)
        self._overlay_waits: set[Path] = set()  # selected runs read again: the overlay follows when they are
        self.curves: dict[str, Sequence[Curve]] = {}
        self.setup_following(workspace, poll_interval, rescan_seconds, watch)

    def compose(self) -> ComposeResult:
        yield Static(id="ws-info")
        yield Input(placeholder=t("ws_filter", self.lang), id="ws-filter", value=self.view.filter)
        yield RunsTable(self.lang, id="runs")
        yield Static(id="ws-reason")
        yield Static(id="ws-legend")
        with Grid(id="ws-charts"):
            for chart in OVERLAYS:
                yield OverlayChart(chart, self.lang, id=f"ws-{chart}")
        yield Footer()

    def on_mount(self) -> None:
        if self.view.started:  # reopened: only the selected runs keep their series
            self.workspace.keep = set(self.view.selected)
        elif self.workspace.keep is None:  # the first read keeps those it will select (see select_first)
            self.workspace.keep_first = SELECTED_AT_START
        self.query_one("#ws-filter", Input).display = bool(self.view.filter)
        self.table.focus()
        self.show_rows()  # a workspace reopened: its rows at once, before anything is read again
        self.update_overlay()
        self.start_following()

    def on_unmount(self) -> None:
        self.stop_following()

    # --- showing -----------------------------------------------------------------------------------

    def runs_read(self, message: RunsRead) -> None:
        if not self.query(RunsTable):  # a read that ended as the app closed: nothing left to show it on
            return
        rows = self.workspace.rows()
        if self.view.started:  # not the first read: say what came and went
            by_path = {row.path: row for row in rows}
            for path in message.added:
                self.notify(t("ws_new_run", self.lang, name=printable(by_path[path].name)), markup=False)
            for path in message.changed:
                row = by_path.get(path)
                if row is not None and row.status == "gone" and path not in message.added:
                    self.notify(t("ws_gone_run", self.lang, name=printable(row.name)), markup=False)
        self.view.select_first(rows)
        arrived = {p for p in self._overlay_waits if self.workspace.snapshot(p) is not None}
        self._overlay_waits -= arrived
        waiting = bool(arrived & self.view.selected)
        self.keep_selected()
        self.show_rows()
        if waiting or set(message.changed) & self.view.selected or not self.curves:
            self.update_overlay()

    def keep_selected(self) -> None:
        """Only the selected runs keep their series; a run selected again is read again first."""
        again = self.workspace.set_keep(self.view.selected)
        if again:
            self._overlay_waits.update(again)  # drawn again once they are read
            self.request_read(again)

    def show_rows(self) -> None:
        rows = self.workspace.rows()
        for path in self.view.selected:  # a colour from the first time a run is selected, kept
            self.view.color(path)
        self.config_keys = differing([row.config for row in rows])
        names = columns(self.config_keys)
        if self.view.sort_column not in names:
            self.view.sort_column, self.view.descending = "name", False
        self.shown = arrange(rows, self.view, self.lang)
        sort = (names.index(self.view.sort_column), self.view.descending)
        cursor = self.table.cursor_run() or self.view.cursor
        self.table.show(self.shown, self.config_keys, self.view.colors, self.view.selected, sort, cursor)
        self._show_info(len(rows))
        self._show_legend()
        self._show_reason()
        self.show_chart_layout()
        self.post_message(TableShown([row.path for row in self.shown]))

    def _show_info(self, total: int) -> None:
        names = headers(self.config_keys, self.lang)
        column = names[columns(self.config_keys).index(self.view.sort_column)]
        column += " ▼" if self.view.descending else " ▲"
        text = Text(no_wrap=True, overflow="ellipsis")
        if total == 0:
            key = "ws_no_runs" if self.reads else "ws_looking"  # before the first read: not "none" yet
            text.append(t(key, self.lang, path=printable(self.workspace.parent)), style="bold")
            self.query_one("#ws-info", Static).update(text)
            return
        line = t("ws_status_line", self.lang, shown=len(self.shown), n=total,
                 selected=len(self.view.selected), column=column)  # fmt: skip
        mode = f"polling {self.interval:g}s" if self.polling else self.watcher.mode.label
        rest = f" · {line} · {mode}"
        # The path cut in its middle so that the line fits: the status and the watch mode stay in view.
        room = self.size.width - 4 - cell_len(rest) - cell_len(t("ws_title", self.lang, n=total, path=""))
        path = middle_cut(printable(self.workspace.parent), max(12, room))
        text.append(t("ws_title", self.lang, n=total, path=path), style="bold")
        text.append(rest, style="dim")
        self.query_one("#ws-info", Static).update(text)

    def labels(self) -> dict[Path, str]:
        """The selected runs' short names: the part of their names that tells them apart."""
        chosen = [row for row in self.workspace.rows() if row.path in self.view.selected]
        if len(chosen) == 1:
            return {chosen[0].path: chosen[0].name}
        return dict(zip((r.path for r in chosen), distinct_labels([r.name for r in chosen]), strict=True))

    def _show_legend(self) -> None:
        labels = self.labels()
        text = Text(no_wrap=True, overflow="ellipsis")
        for path, label in labels.items():
            text.append("● ", style=run_color(self.view.color(path)))
            text.append(printable(label) + "   ")
        if not labels:
            text.append(t("ws_none_selected", self.lang), style="dim")
        self.query_one("#ws-legend", Static).update(text)

    def show_chart_layout(self) -> None:
        tall = self.size.height >= TALL
        for index, chart in enumerate(self.query(OverlayChart)):
            chart.display = tall or index == self.view.chart % len(OVERLAYS)

    def on_resize(self) -> None:
        self.call_next(self.show_chart_layout)

    # --- the overlay -------------------------------------------------------------------------------

    def update_overlay(self) -> None:
        self._generation += 1
        labels = self.labels()
        runs = []
        for path, label in labels.items():
            snapshot = self.workspace.snapshot(path)
            if snapshot is not None and snapshot.state is not None:
                runs.append((self.view.color(path), label, snapshot.state, snapshot.live))
        width = max(20, self.size.width // (2 if self.size.height >= TALL else 1))
        points = points_for_width(width)
        self._prepare_overlay(self._generation, runs, points, self.view.axis, self.view.metric)

    @work(thread=True, exclusive=True, group="overlay", exit_on_error=False)
    def _prepare_overlay(
        self, generation: int, runs: list[Run], max_points: int, axis: XAxis, metric: str
    ) -> None:
        charts = charts_with(metric)
        curves = {chart: overlay_curves(runs, chart, max_points, axis=axis) for chart in charts}
        self.post_message(OverlayReady(generation, curves, axis))

    def on_overlay_ready(self, message: OverlayReady) -> None:
        if message.generation != self._generation:
            return
        self.generation_shown = message.generation
        self.curves = message.curves
        for pane, chart in zip(self.query(OverlayChart), message.curves, strict=False):
            pane.chart = chart  # the fourth may be another metric now
            pane.show(self.curves[chart], message.axis)


def middle_cut(text: str, width: int) -> str:
    """``text`` in ``width`` cells, its middle replaced by ``…`` when it is longer (a path's ends tell)."""
    if cell_len(text) <= width:
        return text
    head, tail = text[: width // 3], text[len(text) - (width - width // 3 - 1) :]
    while tail and cell_len(head) + 1 + cell_len(tail) > width:
        tail = tail[1:]
    return f"{head}…{tail}"


class ChineseWorkspaceApp(WorkspaceApp):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("zh", WORKSPACE_KEYS)
