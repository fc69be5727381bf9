"""Preparing the metric charts a view shows, off the event loop, and keeping them until the state changes.

A request is (key, controls, points): the chart of one key with its controls, downsampled to ``points``
(about two per cell of its width). :class:`ChartStore` holds the prepared charts of the state on screen
and, while a new state's charts are being prepared, the previous state's, so that a live run's charts are
replaced, never blanked; likewise a chart whose controls changed shows its previous form until the new
one is ready. :func:`prepare_requests` runs in a thread worker (twenty charts of 200k steps take
about a tenth of a second: too long for the event loop) and its result comes back as
:class:`~.messages.MetricsPrepared`.
"""

from __future__ import annotations

from collections.abc import Iterable

from trainmon_tui.files.model import TrainerState
from trainmon_tui.ui.chartcontrols import AxisMaps
from trainmon_tui.ui.messages import ChartRequest
from trainmon_tui.views.controls import Controls
from trainmon_tui.views.metricchart import MetricChart, prepare_metric

POINTS_PER_CELL = 2
MAX_POINTS = 2000


def points_for(width: int) -> int:
    return max(8, min(MAX_POINTS, POINTS_PER_CELL * max(1, width)))


def prepare_requests(
    state: TrainerState, axes: AxisMaps, requests: Iterable[ChartRequest]
) -> dict[ChartRequest, MetricChart | None]:
    """Each request's chart; None for a key the state does not hold."""
    out: dict[ChartRequest, MetricChart | None] = {}
    for request in requests:
        key, controls, points = request
        series = state.series.get(key)
        if series is None or not isinstance(controls, Controls):
            out[request] = None
            continue
        out[request] = prepare_metric(key, series, points, axes.options(controls))
    return out


class ChartStore:
    """The prepared charts of one state, and the previous state's meanwhile."""

    def __init__(self) -> None:
        self.state: TrainerState | None = None
        self._charts: dict[ChartRequest, MetricChart | None] = {}
        self._last: dict[str, MetricChart | None] = {}  # by key: the newest chart prepared, any state

    def new_state(self, state: TrainerState | None) -> None:
        if state is not self.state:
            self.state, self._charts = state, {}

    def missing(self, requests: Iterable[ChartRequest]) -> list[ChartRequest]:
        return [r for r in dict.fromkeys(requests) if r not in self._charts]

    def add(self, state: TrainerState, charts: dict[ChartRequest, MetricChart | None]) -> bool:
        """Keep ``charts`` if they are of the state on screen (a slow worker's may not be)."""
        if state is not self.state:
            return False
        self._charts.update(charts)
        for (key, _controls, _points), chart in charts.items():
            self._last[key] = chart
        return True

    def get(self, request: ChartRequest) -> tuple[bool, MetricChart | None]:
        """(ready, chart): the chart prepared for ``request``, else the key's previous one, not ready."""
        if request in self._charts:
            return True, self._charts[request]
        return False, self._last.get(request[0])
