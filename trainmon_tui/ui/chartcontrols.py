"""Each metric chart's controls (log scale, smoothing, x-axis, zoom, robust y-range), kept by key.

The metrics view keeps one :class:`Controls` per key, so a key's chart keeps its settings across pages, a
filter and new snapshots. :class:`AxisMaps` builds the run's step -> x mappings once per state (the wall
times come from the live log's records) and turns a key's controls into the core's
:class:`~trainmon_tui.views.metricchart.ChartOptions`. Pure data, no Textual.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.views.metricchart import MAX_ZOOM, ChartOptions
from trainmon_tui.views.smoothing import next_weight
from trainmon_tui.views.xaxis import StepMap, XAxis, available_axes, next_axis, step_map, times_series
from trainmon_tui.views.yrange import robust_by_default


@dataclass(frozen=True, slots=True)
class Controls:
    """One chart's controls; ``robust`` None for the key's default."""

    weight: float = 0.0
    axis: XAxis = XAxis.STEP
    log: bool = False
    robust: bool | None = None
    zoom: int = 0


def toggled(controls: Controls, what: str, key: str, axes: list[XAxis]) -> Controls:
    """``controls`` after the key for ``what`` (``log``, ``smoothing``, ``axis``, ``robust``)."""
    if what == "log":
        return dataclasses.replace(controls, log=not controls.log)
    if what == "smoothing":
        return dataclasses.replace(controls, weight=next_weight(controls.weight))
    if what == "axis":
        return dataclasses.replace(controls, axis=next_axis(controls.axis, axes), zoom=0)
    robust = robust_by_default(key) if controls.robust is None else controls.robust
    return dataclasses.replace(controls, robust=not robust)


def zoomed(controls: Controls, delta: int) -> Controls:
    return dataclasses.replace(controls, zoom=min(MAX_ZOOM, max(0, controls.zoom + delta)))


def same_as(controls: Controls, source: Controls, what: str) -> Controls:
    """``controls`` with ``what`` set as in ``source`` (a capital letter: every chart like the focused)."""
    field = {"log": "log", "smoothing": "weight", "axis": "axis", "robust": "robust"}[what]
    changes: dict[str, object] = {field: getattr(source, field)}
    if what == "axis":
        changes["zoom"] = 0
    return dataclasses.replace(controls, **changes)  # type: ignore[arg-type]


def wall_times(live: LiveLog | None) -> dict[int, float]:
    """Step -> wall time of the live log's log records (the last record of a step wins)."""
    if live is None:
        return {}
    return {record.step: record.time for record in live.logs}


class AxisMaps:
    """The x-axes one state can give, built on first use."""

    def __init__(self, state: TrainerState, live: LiveLog | None) -> None:
        self.state = state
        times = wall_times(live)
        self._times = times_series(times) if times else None
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
