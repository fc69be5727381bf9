"""What the metrics and evaluations views share: asking for the charts on screen, prepared in a thread.

:meth:`ChartView.ask` starts a thread worker for the requests the view's :class:`~..metricwork.ChartStore`
lacks (one in flight per view: a newer request cancels the older's result), and once nothing is missing
posts :class:`~..messages.MetricsShown` to the app (tests wait on it). The worker's
:class:`~..messages.MetricsPrepared` goes into the store, and the view shows it (:meth:`refresh_view`).

Both views keep each key's chart controls (:class:`~trainmon_tui.views.controls.Controls`) and take the
control keys the same way: :meth:`control` and :meth:`zoom` act on the keys :meth:`targets` names: the
metrics view's focused chart (or all of them), the evaluations view's charts all at once (its table has
the focus).
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.worker import get_current_worker

from trainmon_tui.files.model import TrainerState
from trainmon_tui.ui.chartcontrols import AxisMaps
from trainmon_tui.ui.messages import ChartRequest, MetricsPrepared, MetricsShown
from trainmon_tui.ui.metricwork import ChartStore, prepare_requests
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.views import controls as vc


class ChartView(Vertical):
    """A view of prepared metric charts; the subclass lays them out in :meth:`refresh_view`."""

    VIEW = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: TrainerState | None = None
        self.axes: AxisMaps | None = None
        self.store = ChartStore()
        self.shows = 0  # times every chart on screen was ready
        self.controls: dict[str, vc.Controls] = {}

    def refresh_view(self) -> None:
        """Show the charts (the subclass's)."""

    def targets(self, every: bool) -> list[str]:
        """The keys a control key acts on, the one to toggle first (the subclass's)."""
        return []

    def controls_of(self, key: str) -> vc.Controls:
        return self.controls.get(key, vc.Controls())

    def control(self, what: str, every: bool) -> None:
        """``what`` (log, smoothing, axis, robust) toggled on the first target, the others set like it."""
        keys = self.targets(every)
        if not keys or self.axes is None:
            return
        mine = vc.toggled(self.controls_of(keys[0]), what, keys[0], self.axes.available)
        self.controls[keys[0]] = mine
        for other in keys[1:]:
            self.controls[other] = vc.same_as(self.controls_of(other), mine, what)
        self.refresh_view()

    def zoom(self, delta: int, key: str | None = None, every: bool = False) -> None:
        """Zoom ``key``'s chart (the mouse wheel), else the targets' (``every``: all of them)."""
        keys = [key] if key is not None else self.targets(every)
        for one in keys:
            self.controls[one] = vc.zoomed(self.controls_of(one), delta)
        if keys:
            self.refresh_view()

    def on_metric_pane_zoom(self, message: MetricPane.Zoom) -> None:
        message.stop()
        self.zoom(message.delta, message.key)

    def ask(self, requests: list[ChartRequest]) -> None:
        state, axes = self.state, self.axes
        missing = self.store.missing(requests)
        if state is None or axes is None or not missing:
            if state is not None:
                self.shows += 1
                self.app.post_message(MetricsShown(self.VIEW))
            return
        self.run_worker(
            lambda: self._prepare(state, axes, missing), thread=True, exclusive=True, group=self.VIEW
        )

    def _prepare(self, state: TrainerState, axes: AxisMaps, requests: list[ChartRequest]) -> None:
        charts = prepare_requests(state, axes, requests)
        if not get_current_worker().is_cancelled:
            self.post_message(MetricsPrepared(state, charts))

    def on_metrics_prepared(self, message: MetricsPrepared) -> None:
        message.stop()
        if self.store.add(message.state, message.charts):
            self.refresh_view()
