"""What the metrics and evaluations views share: asking for the charts on screen, prepared in a thread.

:meth:`ChartView.ask` starts a thread worker for the requests the view's :class:`~..metricwork.ChartStore`
lacks (one in flight per view: a newer request cancels the older's result), and once nothing is missing
posts :class:`~..messages.MetricsShown` to the app (tests wait on it). The worker's
:class:`~..messages.MetricsPrepared` goes into the store, and the view shows it (:meth:`refresh_view`).
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.worker import get_current_worker

from trainmon_tui.files.model import TrainerState
from trainmon_tui.ui.chartcontrols import AxisMaps
from trainmon_tui.ui.messages import ChartRequest, MetricsPrepared, MetricsShown
from trainmon_tui.ui.metricwork import ChartStore, prepare_requests


class ChartView(Vertical):
    """A view of prepared metric charts; the subclass lays them out in :meth:`refresh_view`."""

    VIEW = ""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state: TrainerState | None = None
        self.axes: AxisMaps | None = None
        self.store = ChartStore()
        self.shows = 0  # times every chart on screen was ready

    def refresh_view(self) -> None:
        """Show the charts (the subclass's)."""

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
