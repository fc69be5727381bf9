"""What the overlay charts draw: one curve per selected run, per chart, each run in its colour.

The four charts of a workspace (:data:`OVERLAYS`; the last one may be any other metric the runs logged,
:func:`charts_with`): the training loss, smoothed with one moving average
spanning the same number of steps in every run (:func:`~trainmon_tui.views.compare.common_window`, as
``--compare`` does), the eval loss, the learning rate and the grad norm, each as logged. Every curve is
its finite points, downsampled (min/max) for the chart's width. A run's colour is its index in the table
(:func:`~trainmon_tui.views.terminal.run_color`), the same in the table, the legend and every chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.series import downsample_minmax
from trainmon_tui.views.xaxis import LABELS, StepMap, XAxis, live_times, on_axis, step_map

Run = tuple[int, str, TrainerState, LiveLog | None]  # colour index, label, state, live log

OVERLAYS = ("loss", "eval_loss", "learning_rate", "grad_norm")
TITLES = {  # label keys (views/i18n.py)
    "loss": "ws_chart_loss",
    "eval_loss": "ws_chart_eval",
    "learning_rate": "ws_chart_lr",
    "grad_norm": "ws_chart_grad",
}


def charts_with(metric: str) -> tuple[str, ...]:
    """The four charts, the last one ``metric`` (the grad norm unless another key was picked)."""
    return (*OVERLAYS[:3], metric)


def chart_title(chart: str, lang: Lang, axis: XAxis = XAxis.STEP) -> str:
    """The title of one overlay chart, in ``lang`` (any other key: the key itself, as logged), with its
    x-axis when it is not the step."""
    title = t(TITLES[chart], lang) if chart in TITLES else chart
    return title if axis is XAxis.STEP else f"{title}  x: {LABELS[axis]}"


@dataclass(frozen=True, slots=True)
class Curve:
    color: int  # the run's colour index
    label: str  # its short name (made printable by whoever draws it)
    series: Series


def series_of(state: TrainerState, chart: str) -> Series:
    """The series a chart draws for one run, finite points only."""
    if chart == "eval_loss":
        keys = state.eval_loss_keys
        return state.get(keys[0]).finite() if keys else state.get("eval_loss")
    if chart == "learning_rate":
        return state.get(state.lr_key).finite()
    return state.get(chart).finite()


def overlay_curves(
    runs: Sequence[Run], chart: str, max_points: int, *, smooth: bool = True, axis: XAxis = XAxis.STEP
) -> list[Curve]:
    """The curves of ``chart`` for ``runs``; runs without points, or that cannot give ``axis`` (no epoch,
    no wall times, no tokens), left out. The smoothing is done by step, then the points placed on the axis."""
    picked = [(color, label, series_of(state, chart), state, live) for color, label, state, live in runs]
    picked = [item for item in picked if len(item[2])]
    if chart == "loss" and smooth and picked:
        window = common_window([item[2] for item in picked])
        picked = [(c, label, moving_average_steps(s, window), st, lv) for c, label, s, st, lv in picked]
    curves = []
    for color, label, series, state, live in picked:
        if axis is not XAxis.STEP:
            mapping = step_map(state, axis, times=live_times(live))
            if not isinstance(mapping, StepMap):
                continue
            series = Series(*on_axis(series, mapping))
        if len(series):
            curves.append(Curve(color, label, downsample_minmax(series, max_points)))
    return curves
