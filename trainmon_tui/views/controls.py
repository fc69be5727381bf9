"""A chart's controls (log scale, smoothing, x-axis, zoom, robust y-range) and what each key makes of them.

One :class:`Controls` value describes what the user asked of a chart: the metrics and evaluations views
keep one per key, the overview one for its three step charts (:data:`OVERVIEW`: the full y-range, as the
overview always drew it). The keys' effects are pure functions of it: :func:`toggled` (``l``, ``m``, ``x``,
``o``), :func:`zoomed` (``z`` / ``Z``) and :func:`same_as` (a capital letter: every chart like the focused).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from trainmon_tui.views.metricchart import MAX_ZOOM
from trainmon_tui.views.smoothing import next_weight
from trainmon_tui.views.xaxis import XAxis, next_axis
from trainmon_tui.views.yrange import robust_by_default


@dataclass(frozen=True, slots=True)
class Controls:
    """One chart's controls; ``robust`` None for the key's default (:func:`~.yrange.robust_by_default`)."""

    weight: float = 0.0
    axis: XAxis = XAxis.STEP
    log: bool = False
    robust: bool | None = None
    zoom: int = 0


OVERVIEW = Controls(robust=False)


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
