"""The x-axes one state can give, built on first use, and a chart's controls made the core's options.

:class:`AxisMaps` builds the run's step -> x mappings once per state (the wall times come from the live
log's records) and turns a key's :class:`~trainmon_tui.views.controls.Controls` into the core's
:class:`~trainmon_tui.views.metricchart.ChartOptions`. Pure data, no Textual.
"""

from __future__ import annotations

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.views.controls import Controls
from trainmon_tui.views.metricchart import ChartOptions
from trainmon_tui.views.xaxis import StepMap, XAxis, available_axes, live_times, step_map


class AxisMaps:
    """The x-axes one state can give, built on first use."""

    def __init__(self, state: TrainerState, live: LiveLog | None) -> None:
        self.state = state
        self._times = live_times(live)
        self._maps: dict[XAxis, StepMap | None] = {}
        self._available: list[XAxis] | None = None

    @property
    def available(self) -> list[XAxis]:
        if self._available is None:
            self._available = available_axes(self.state, times=self._times)
        return self._available

    def mapping(self, axis: XAxis) -> StepMap | None:
        if axis is XAxis.STEP:
            return None
        if axis not in self._maps:
            found = step_map(self.state, axis, times=self._times)
            self._maps[axis] = found if isinstance(found, StepMap) else None
        return self._maps[axis]

    def options(self, controls: Controls) -> ChartOptions:
        return ChartOptions(
            weight=controls.weight,
            axis=self.mapping(controls.axis),
            log=controls.log,
            robust=controls.robust,
            zoom=controls.zoom,
        )
