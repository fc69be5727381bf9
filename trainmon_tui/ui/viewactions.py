"""The views as tabs: which view is shown, switching with ``1`` ``2`` ``3``, and the metrics view's keys.

Every key is the app's (:mod:`.keys`); :meth:`ViewActions.check_action` disables the keys of the other views,
which leaves them out of the footer and lets a key shared by two views (``pagedown``) reach the binding of
the view shown. The views are panes of one ``ContentSwitcher`` rather than screens: they share the info
bar, the tab row, the footer and the snapshot, which the app shows once for all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import ContentSwitcher, DataTable, Input

from trainmon_tui.ui import keys
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.ui.widgets.chartview import ChartView
from trainmon_tui.ui.widgets.checkpoints import CheckpointList
from trainmon_tui.ui.widgets.evalsview import EvalsView
from trainmon_tui.ui.widgets.metricsview import MetricsView
from trainmon_tui.ui.widgets.viewtabs import ViewTabs
from trainmon_tui.views import controls as vc
from trainmon_tui.views.metricgrid import Direction
from trainmon_tui.views.xaxis import available_axes, live_times

if TYPE_CHECKING:
    from trainmon_tui.pipeline import Snapshot

_DIRECTIONS: dict[str, Direction] = {"up": "up", "down": "down", "left": "left", "right": "right"}


class ViewActions(App[int]):
    """The view shown (``view``) and the actions of the keys that change or act on it."""

    view: str = keys.OVERVIEW
    if TYPE_CHECKING:  # FollowingApp's, beside this class in the app's bases
        snapshot: Snapshot | None
        chart_controls: vc.Controls

        def set_chart_controls(self, controls: vc.Controls) -> None: ...

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if keys.yields_to_text(action) and isinstance(self.focused, Input):
            return False  # a "/" or "2" typed into the filter is text ("rewards/margins", "eval_2")
        if action in keys.SCREEN_ACTIONS and isinstance(self.screen, ModalScreen):
            return False  # the help or the event log on top: PgDn scrolls it, not the summary behind
        return keys.in_view(action, self.view)

    def action_show_view(self, view: str) -> None:
        if view not in keys.VIEWS or view == self.view:
            return
        self.view = view
        self.query_one(ContentSwitcher).current = view
        self.query_one(ViewTabs).show(view)
        snapshot = self.snapshot
        if view == keys.METRICS:
            metrics = self.query_one(MetricsView)
            if snapshot is not None:
                metrics.show_snapshot(snapshot)
            metrics.refresh_view()
            self.screen.set_focus(metrics)  # at once: the keys after "2" in a burst are the view's
        elif view == keys.EVALS:
            evals = self.query_one(EvalsView)
            if snapshot is not None:
                evals.show_snapshot(snapshot)
            evals.refresh_view()
            self.screen.set_focus(self.query_one("#evals-table", DataTable))
        else:
            self.screen.set_focus(self.query_one(CheckpointList))
        self.refresh_bindings()

    def on_view_tabs_picked(self, message: ViewTabs.Picked) -> None:
        self.action_show_view(message.view)

    @property
    def metrics(self) -> MetricsView:
        return self.query_one(MetricsView)

    def action_open_filter(self) -> None:
        self.metrics.open_filter()

    def action_page(self, delta: int) -> None:
        self.metrics.turn_page(delta)

    def action_chart_page(self, delta: int) -> None:
        self.query_one(EvalsView).turn_page(int(delta))

    def action_move_focus(self, direction: str) -> None:
        if direction in _DIRECTIONS:
            self.metrics.move(_DIRECTIONS[direction])

    def action_full_size(self) -> None:
        self.metrics.toggle_full(True)

    def action_metrics_back(self) -> None:
        self.metrics.back()

    @property
    def chart_view(self) -> ChartView | None:
        """The view of metric charts shown (the metrics or the evaluations view), if one is."""
        if self.view == keys.METRICS:
            return self.metrics
        if self.view == keys.EVALS:
            return self.query_one(EvalsView)
        return None

    def _control(self, what: str, every: Any) -> None:
        view = self.chart_view
        if view is not None:
            view.control(what, bool(every))
        elif self.snapshot is not None and self.snapshot.state is not None:
            # The overview: one set of controls for its step charts, whichever letter.
            state, live = self.snapshot.state, self.snapshot.live
            axes = available_axes(state, times=live_times(live)) if what == "axis" else []
            self.set_chart_controls(vc.toggled(self.chart_controls, what, "loss", axes))

    def action_log_scale(self, every: bool) -> None:
        self._control("log", every)

    def action_smoothing(self, every: bool) -> None:
        self._control("smoothing", every)

    def action_x_axis(self, every: bool) -> None:
        self._control("axis", every)

    def action_robust(self, every: bool) -> None:
        self._control("robust", every)

    def action_zoom(self, delta: int) -> None:
        view = self.chart_view
        if view is not None:
            view.zoom(int(delta))
        else:
            self.set_chart_controls(vc.zoomed(self.chart_controls, int(delta)))

    def on_chart_pane_zoom(self, message: ChartPane.Zoom) -> None:
        self.set_chart_controls(vc.zoomed(self.chart_controls, message.delta))

    def action_zoom_every(self, delta: int) -> None:
        view = self.chart_view
        if view is not None:
            view.zoom(int(delta), every=True)
        else:
            self.set_chart_controls(vc.zoomed(self.chart_controls, int(delta)))

    # The same actions for the keys that work in the overview and the evaluations view without a place in
    # their footer (keys.variants: Textual enables a binding by its action's name).
    action_quiet_log_scale = action_log_scale
    action_quiet_smoothing = action_smoothing
    action_quiet_x_axis = action_x_axis
    action_quiet_zoom = action_zoom
    action_quiet_robust = action_robust
    action_quiet_zoom_every = action_zoom_every
