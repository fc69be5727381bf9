"""The evaluations view: every evaluation as a table (newest first, the bests marked), and the eval charts.

The table is :func:`~trainmon_tui.views.evaltable.eval_table` as a DataTable: a row per eval step, a column
per eval metric of every set. The best value of each column is bold green *and* starred (``★``), the best
checkpoint's row carries ``◆ best`` in its first column, so both read without colour. It is built again
when a new state brings evaluations (the cursor kept on its step). Every label and cell is a
``rich.text.Text``, never markup: keys come from the file. Under the table, when the pane is tall enough,
one row of charts of the eval metrics (the catalogue's order: the losses first), prepared in a thread.
The chart control keys act on all of them at once (the table has the focus; the wheel zooms one).
"""

from __future__ import annotations

import math

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import DataTable, Static

from trainmon_tui.pipeline import Snapshot
from trainmon_tui.ui.chartcontrols import AxisMaps
from trainmon_tui.ui.messages import ChartRequest
from trainmon_tui.ui.metricwork import points_for
from trainmon_tui.ui.widgets.chartview import ChartView
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.views.evaltable import EvalTable, eval_table
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metrics import catalogue
from trainmon_tui.views.safetext import printable

BEST = "★"
BEST_ROW = "◆"
CHART_MIN_WIDTH = 36
CHARTS_HEIGHT = 10  # one row of eval charts under the table, when the pane has room for both
MIN_TABLE_HEIGHT = 8


def cell_text(value: float | None, best: bool) -> Text:
    if value is None:
        return Text("")
    shown = f"{value:.4g}" if math.isfinite(value) else str(value)
    if best:
        return Text(f"{BEST}{shown}", style="bold green", justify="right")
    return Text(shown, justify="right")


def column_label(key: str, set_name: str | None, metric: str) -> Text:
    return Text(printable(f"{set_name}/{metric}" if set_name else metric), style="bold")


class EvalsView(ChartView):
    VIEW = "evals"

    def __init__(self, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang: Lang = lang
        self.table: EvalTable | None = None
        self.chart_keys: list[str] = []
        self.chart_start = 0  # the first eval chart of the row shown (n / N turn it)
        self.header_text = Text("")  # the table's line; the charts' part is added when they are laid out

    def compose(self) -> ComposeResult:
        yield Static(id="evals-header")
        yield DataTable(id="evals-table", cursor_type="row", zebra_stripes=True)
        yield Grid(id="evals-charts")

    def show_snapshot(self, snapshot: Snapshot) -> None:
        state = snapshot.state
        if state is self.state:
            return
        self.state = state
        self.axes = AxisMaps(state, snapshot.live) if state is not None else None
        self.store.new_state(state)
        table = eval_table(state) if state is not None else None
        if table != self.table:
            self.table = table
            self._fill(table)
        self.chart_keys = [k for k in catalogue(state) if k.startswith("eval_")] if state is not None else []
        self.refresh_view()

    def targets(self, every: bool) -> list[str]:
        """Every eval chart, whichever letter: the table has the focus, not a chart."""
        return list(self.chart_keys)

    def _fill(self, table: EvalTable | None) -> None:
        widget = self.query_one("#evals-table", DataTable)
        cursor_step = None
        if widget.row_count and widget.cursor_row >= 0:
            cursor_step = widget.coordinate_to_cell_key(widget.cursor_coordinate).row_key.value
        widget.clear(columns=True)
        if table is None or not table.rows:
            self.header_text = Text(t("no_evals", self.lang), style="yellow")
            return
        widget.add_column(Text(""), key="best")
        widget.add_column(Text(t("step", self.lang), style="bold"), key="step")
        widget.add_column(Text(t("epoch", self.lang), style="bold"), key="epoch")
        for column in table.columns:
            widget.add_column(column_label(column.key, column.set_name, column.metric), key=column.key)
        for row in table.rows:
            cells = [
                Text(f"{BEST_ROW} {t('best_short', self.lang)}", style="bold yellow")
                if row.best_checkpoint
                else Text(""),
                Text(str(row.step), justify="right"),
                Text(f"{row.epoch:.4g}" if row.epoch is not None else "", justify="right"),
                *(cell_text(v, table.is_best(row, i)) for i, v in enumerate(row.cells)),
            ]
            widget.add_row(*cells, key=str(row.step))
        if cursor_step is not None and cursor_step in {str(r.step) for r in table.rows}:
            widget.move_cursor(row=widget.get_row_index(cursor_step), animate=False)
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(t("n_evals", self.lang, n=len(table.rows), k=len(table.columns)), style="bold")
        text.append(f"  {BEST} " + t("best_value", self.lang), style="green")
        if table.best_checkpoint_step is not None:
            text.append(
                f"  {BEST_ROW} " + t("best_checkpoint_at", self.lang, step=table.best_checkpoint_step)
            )
        self.header_text = text

    def turn_page(self, delta: int) -> None:
        """The next (or previous) row of eval charts, as many as the row holds."""
        per_row = max(1, self._per_row())
        last = max(0, (len(self.chart_keys) - 1) // per_row * per_row)
        self.chart_start = min(last, max(0, (self.chart_start // per_row + delta) * per_row))
        self.refresh_view()

    def _per_row(self) -> int:
        width, height = self.content_size
        room = height - 1 - CHARTS_HEIGHT >= MIN_TABLE_HEIGHT
        return min(len(self.chart_keys), max(1, width // CHART_MIN_WIDTH)) if room else 0

    def on_resize(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        if not self.is_mounted or not self.display:
            return
        width, height = self.content_size
        grid = self.query_one("#evals-charts", Grid)
        count = self._per_row()
        self.chart_start = min(self.chart_start, max(0, len(self.chart_keys) - count))
        keys = self.chart_keys[self.chart_start : self.chart_start + count]
        self._show_header(len(keys))
        grid.display = count > 0
        requests: list[ChartRequest] = []
        if count:
            grid.styles.height = CHARTS_HEIGHT if height < 40 else max(CHARTS_HEIGHT, height * 2 // 5)
            grid.styles.grid_size_columns, grid.styles.grid_size_rows = count, 1
            panes = list(grid.query(MetricPane))
            if len(panes) != count:
                for extra in panes[count:]:
                    extra.remove()
                grid.mount_all(MetricPane(self.lang) for _ in range(count - len(panes)))
                self.call_after_refresh(self.refresh_view)
                return
            for key, pane in zip(keys, panes, strict=False):
                request: ChartRequest = (key, self.controls_of(key), points_for(width // count))
                requests.append(request)
                ready, chart = self.store.get(request)
                pane.show(key, chart, ready=ready)
        self.ask(requests)

    def _show_header(self, shown: int) -> None:
        """The table's line, and which eval charts the row shows when it cannot show them all."""
        text = self.header_text.copy()
        if 0 < shown < len(self.chart_keys):
            first, last = self.chart_start + 1, self.chart_start + shown
            text.append("  " + t("eval_charts_of", self.lang, first=first, last=last, n=len(self.chart_keys)))
        self.query_one("#evals-header", Static).update(text)
