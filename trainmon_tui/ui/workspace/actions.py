"""The workspace's keys as actions: select, sort, filter, the chart shown, the x-axis, open a run, PNG.

:class:`WorkspaceActions` sits between :class:`~.following.WorkspaceFollowing` (the data) and
:class:`~.app.WorkspaceApp` (the layout and the showing): each action changes the
:class:`~.view.WorkspaceView` and asks the app to show it again (:meth:`show_rows`, :meth:`update_overlay`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path

from rich.text import Text
from textual import work
from textual.css.query import NoMatches
from textual.widgets import DataTable, Input, Static

from trainmon_tui.ui.help import HelpScreen
from trainmon_tui.ui.workspace.following import WorkspaceFollowing
from trainmon_tui.ui.workspace.keytable import WORKSPACE
from trainmon_tui.ui.workspace.table import RunsTable
from trainmon_tui.ui.workspace.view import WorkspaceView, columns
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metrics import catalogue, order_keys
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.xaxis import XAxis, available_axes, live_times, next_axis
from trainmon_tui.workspace.overlay import OVERLAYS, Curve
from trainmon_tui.workspace.rows import RunRow


class WorkspaceActions(WorkspaceFollowing):
    """The actions of the workspace's keys (:data:`~.keytable.WORKSPACE_KEYS`)."""

    lang: Lang
    view: WorkspaceView
    shown: list[RunRow]
    config_keys: list[str]
    curves: dict[str, Sequence[Curve]]
    export_dir: Path
    deliver_png: bool

    def show_rows(self) -> None:
        """The table, info line, legend and chart layout again (the subclass's)."""

    def update_overlay(self) -> None:
        """The selected runs' curves prepared again (the subclass's)."""

    def keep_selected(self) -> None:
        """Only the selected runs keep their series (the subclass's)."""

    def show_chart_layout(self) -> None:
        """Which charts are shown (the subclass's)."""

    @property
    def table(self) -> RunsTable:
        return self.query_one(RunsTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a "/" typed into the filter is text, and enter there ends the typing
        return not (action in ("filter_runs", "open_run") and isinstance(self.focused, Input))

    def action_toggle_select(self) -> None:
        run = self.table.cursor_run()
        if run is None:
            return
        self.view.selected.symmetric_difference_update({run})
        self.keep_selected()
        self.show_rows()
        self.update_overlay()

    def action_select_all(self) -> None:
        shown = {row.path for row in self.shown}
        if shown <= self.view.selected:
            self.view.selected -= shown
        else:
            self.view.selected |= shown
        self.keep_selected()
        self.show_rows()
        self.update_overlay()

    def action_sort(self, step: int) -> None:
        names = columns(self.config_keys)
        if step < 0:
            self.view.descending = not self.view.descending
        else:
            at = names.index(self.view.sort_column) if self.view.sort_column in names else -1
            self.view.sort_column = names[(at + 1) % len(names)]
            self.view.descending = False
        self.show_rows()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on a column's header sorts by it; a second click reverses the order."""
        names = columns(self.config_keys)
        if not 0 <= event.column_index < len(names):
            return
        column = names[event.column_index]
        if column == self.view.sort_column:
            self.view.descending = not self.view.descending
        else:
            self.view.sort_column, self.view.descending = column, False
        self.show_rows()

    def action_filter_runs(self) -> None:
        field = self.query_one("#ws-filter", Input)
        field.display = True
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#ws-filter", Input)
        field.value = ""
        field.display = False
        self.view.filter = ""
        self.table.focus()
        self.show_rows()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.view.filter = event.value
        self.show_rows()

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self.table.focus()

    def action_next_chart(self) -> None:
        self.view.chart = (self.view.chart + 1) % len(OVERLAYS)
        self.show_chart_layout()

    def action_runs_x_axis(self) -> None:
        """The next x-axis one of the selected runs can give: step, epoch, wall time, tokens seen."""
        available: set[XAxis] = {XAxis.STEP}
        for path in self.view.selected:
            snapshot = self.workspace.snapshot(path)
            if snapshot is not None and snapshot.state is not None:
                times = live_times(snapshot.live)
                available.update(available_axes(snapshot.state, times=times))
        self.view.axis = next_axis(self.view.axis, sorted(available, key=list(XAxis).index))
        self.update_overlay()

    def action_next_metric(self) -> None:
        """The fourth chart: the next metric the selected runs logged (the metrics view's order), after the
        three drawn already; back to the grad norm after the last."""
        keys: list[str] = []
        for path in sorted(self.view.selected, key=str):
            snapshot = self.workspace.snapshot(path)
            if snapshot is not None and snapshot.state is not None:
                keys += [k for k in catalogue(snapshot.state) if k not in keys]
        shown = {"loss", "learning_rate", "lr", "epoch"} | {
            k for k in keys if k.startswith("eval_") and k.endswith("loss")
        }
        cycle = ["grad_norm"] + [k for k in order_keys(keys) if k not in shown and k != "grad_norm"]
        at = cycle.index(self.view.metric) if self.view.metric in cycle else -1
        self.view.metric = cycle[(at + 1) % len(cycle)]
        self.update_overlay()

    def action_rescan(self) -> None:
        self.rescan_now()

    def action_open_run(self) -> None:
        run = self.table.cursor_run()
        row = next((r for r in self.shown if r.path == run), None)
        if run is None or row is None:
            return
        if row.status == "gone":  # nothing left to open
            self.notify(
                t("ws_gone_run", self.lang, name=printable(row.name)), severity="warning", markup=False
            )
            return
        self.view.cursor = run
        self.exit(run)

    def on_data_table_row_selected(self, _event: DataTable.RowSelected) -> None:
        self.action_open_run()

    def on_data_table_row_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        with suppress(NoMatches):  # the app is closing: its widgets are gone
            self._show_reason()

    def _show_reason(self) -> None:
        """The whole reason of the run under the cursor, when it has one (the table cuts it short)."""
        run = self.table.cursor_run()
        row = next((r for r in self.shown if r.path == run), None)
        line = self.query_one("#ws-reason", Static)
        line.display = bool(row is not None and row.reason)
        if row is not None and row.reason:
            text = f"⚠ {printable(row.name)}: {printable(row.reason)}"
            line.update(Text(text, style="yellow", no_wrap=True, overflow="ellipsis"))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.BINDINGS, self.lang, WORKSPACE))

    def action_save_png(self) -> None:
        self._export(dict(self.curves), len(self.workspace.entries))

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, curves: dict[str, Sequence[Curve]], count: int) -> None:
        from trainmon_tui.workspace.export import overlay_png, save_overlay_png

        if self.deliver_png:  # in a browser: a download there, nothing written on the server
            if not self.is_web:
                self.notify(t("png_needs_browser", self.lang), severity="error", markup=False)
                return
            try:
                name, data = overlay_png(curves, self.workspace.parent, count, self.lang)
                self.call_from_thread(
                    self.deliver_binary, io.BytesIO(data), save_filename=name, mime_type="image/png"
                )
            except Exception as exc:
                self.notify(t("png_not_saved", self.lang, reason=exc), severity="error", markup=False)
            else:
                self.notify(t("png_delivered", self.lang, name=name), markup=False)
            return
        try:
            self.export_dir.mkdir(parents=True, exist_ok=True)
            path = save_overlay_png(curves, self.export_dir, self.workspace.parent, count, self.lang)
        except Exception as exc:
            self.notify(t("png_not_saved", self.lang, reason=exc), severity="error", markup=False)
        else:
            self.notify(t("ws_saved", self.lang, path=path), markup=False)
