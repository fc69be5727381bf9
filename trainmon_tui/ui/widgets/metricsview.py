"""The metrics view: every chartable series as a small chart in a paged grid, filtered, focused, zoomed.

What it shows is data from the core: the catalogue (:func:`~trainmon_tui.views.metrics.catalogue`,
recomputed on every snapshot, so a key that appears mid-run gets its chart), the filter, the grid's shape,
the page and the focus (:mod:`~trainmon_tui.views.metricgrid`). Only the charts on screen are prepared, in
a thread worker (:mod:`~trainmon_tui.ui.metricwork`); paging, filtering and focusing read no file. The
app's keys (:mod:`~trainmon_tui.ui.keys`) call the public methods here.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Static

from trainmon_tui.pipeline import Snapshot
from trainmon_tui.ui import chartcontrols as cc
from trainmon_tui.ui.messages import ChartRequest
from trainmon_tui.ui.metricwork import points_for
from trainmon_tui.ui.widgets.chartview import ChartView
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.views import metricgrid as mg
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metrics import catalogue
from trainmon_tui.views.safetext import printable


class MetricsView(ChartView):
    """The grid (or one chart full size), its header line and the filter input."""

    VIEW = "metrics"
    can_focus = True  # the arrows, enter and escape reach the app's bindings through it

    def __init__(self, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lang: Lang = lang
        self.keys: list[str] = []  # the catalogue
        self.shown: list[str] = []  # the catalogue through the filter
        self.filter_text = ""
        self.focus_index = 0
        self.full = False  # the focused chart full size
        self.layout_now = mg.grid_layout(80, 20, 0)

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-header")
        yield Input(placeholder=t("filter_hint", self.lang), id="metrics-filter")
        yield Grid(id="metrics-grid")
        yield MetricPane(self.lang, id="metrics-full")

    def on_mount(self) -> None:
        self.query_one("#metrics-filter").display = False
        self.query_one("#metrics-full").display = False

    # --- data --------------------------------------------------------------------------------------

    def show_snapshot(self, snapshot: Snapshot) -> None:
        state = snapshot.state
        if state is self.state:
            return
        self.state = state
        self.axes = cc.AxisMaps(state, snapshot.live) if state is not None else None
        self.store.new_state(state)
        self._set_keys(catalogue(state) if state is not None else [])

    def _set_keys(self, keys: list[str], filter_text: str | None = None) -> None:
        before, focus = self.shown, self.focus_index
        self.keys = keys
        if filter_text is not None:
            self.filter_text = filter_text
        self.shown = mg.filter_keys(keys, self.filter_text)
        self.focus_index = mg.refocus(before, focus, self.shown) if before else 0
        self.refresh_view()

    @property
    def focused_key(self) -> str | None:
        return self.shown[self.focus_index] if 0 <= self.focus_index < len(self.shown) else None

    def targets(self, every: bool) -> list[str]:
        """The focused chart first, then (``every``) every other key of the catalogue."""
        key = self.focused_key
        if key is None:
            return []
        return [key, *(other for other in self.keys if other != key)] if every else [key]

    # --- keys --------------------------------------------------------------------------------------

    def turn_page(self, delta: int) -> None:
        per_page = self.layout_now.per_page
        page = mg.page_of(len(self.shown), per_page, self.focus_index // per_page + delta)
        self.focus_index = page.start
        self.refresh_view()

    def move(self, direction: mg.Direction) -> None:
        if not self.full:
            self.focus_index = mg.move_focus(self.focus_index, direction, self.layout_now, len(self.shown))
            self.refresh_view()

    def toggle_full(self, on: bool | None = None) -> None:
        self.full = (not self.full if on is None else on) and self.focused_key is not None
        self.refresh_view()

    def open_filter(self) -> None:
        field = self.query_one("#metrics-filter", Input)
        field.display = True
        # At once, not through focus() (a callback queued behind the keys already waiting): the rest of
        # "/margins" typed in one burst belongs to the filter, not to the grid's keys (m, n, s, ...).
        self.screen.set_focus(field)
        self.refresh_view()

    def back(self) -> None:
        """Escape: full size back to the grid, else the filter cleared and closed."""
        if self.full:
            self.toggle_full(False)
            return
        field = self.query_one("#metrics-filter", Input)
        field.display = False
        field.value = ""  # Input.Changed clears the filter
        self._set_keys(self.keys, "")
        self.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if event.value != self.filter_text:
            self._set_keys(self.keys, event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus()  # the filter stays; the arrows move between charts again

    def on_metric_pane_picked(self, message: MetricPane.Picked) -> None:
        if message.key in self.shown:
            self.focus_index = self.shown.index(message.key)
            self.refresh_view()

    def on_resize(self) -> None:
        self.refresh_view()

    # --- showing -----------------------------------------------------------------------------------

    def _grid_size(self) -> tuple[int, int]:
        width, height = self.content_size
        filter_shown = self.query_one("#metrics-filter").display
        return width, max(1, height - 1 - (1 if filter_shown else 0))

    def refresh_view(self) -> None:
        """Lay out the grid for the pane and the filtered keys, put the charts on it, ask for the missing."""
        if not self.is_mounted or not self.display:
            return
        width, height = self._grid_size()
        layout = mg.grid_layout(width, height, len(self.shown))
        self.layout_now = layout
        page, keys = mg.page_keys(self.shown, layout.per_page, self.focus_index // max(1, layout.per_page))
        grid = self.query_one("#metrics-grid", Grid)
        full = self.query_one("#metrics-full", MetricPane)
        grid.display, full.display = not self.full, self.full
        self._header(page)
        requests: list[ChartRequest] = []
        if self.full and self.focused_key is not None:
            key = self.focused_key
            request = (key, self.controls_of(key), points_for(width))
            requests.append(request)
            ready, chart = self.store.get(request)
            full.show(key, chart, ready=ready)
        else:
            grid.styles.grid_size_columns, grid.styles.grid_size_rows = layout.cols, layout.rows
            panes = list(grid.query(MetricPane))
            if len(panes) < layout.per_page:
                grid.mount_all(MetricPane(self.lang) for _ in range(layout.per_page - len(panes)))
            elif len(panes) > layout.per_page:
                for extra in panes[layout.per_page :]:
                    extra.remove()
            points = points_for(layout.chart_width)
            for index in range(layout.per_page):
                slot_key = keys[index] if index < len(keys) else None
                slot = (slot_key, self.controls_of(slot_key), points) if slot_key else None
                if slot is not None:
                    requests.append(slot)
                if index < len(panes):
                    ready, chart = self.store.get(slot) if slot is not None else (True, None)
                    panes[index].show(slot_key, chart, page.start + index == self.focus_index, ready)
            if len(panes) < layout.per_page:
                self.call_after_refresh(self.refresh_view)  # the new panes, once mounted
                return
        self.ask(requests)

    def _header(self, page: mg.Page) -> None:
        i, k = page.label_numbers
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(t("page_of", self.lang, i=i, k=k), style="bold")
        text.append("  " + t("n_charts", self.lang, n=len(self.shown), total=len(self.keys)))
        if self.filter_text:
            text.append("  " + t("filter_is", self.lang), style="dim")
            text.append(printable(self.filter_text), style="yellow")
        key = self.focused_key
        if key is not None:
            text.append("  ▶ ", style="dim")
            text.append(printable(key), style="bold cyan")
        elif self.state is not None:
            text.append("  " + t("no_match" if self.keys else "no_metrics", self.lang), style="yellow")
        self.query_one("#metrics-header", Static).update(text)
