"""What the overlay charts draw: one curve per selected run, per chart, each run in its colour.

The four charts of a workspace (:data:`OVERLAYS`): the training loss, smoothed with one moving average
spanning the same number of steps in every run (:func:`~trainmon_tui.views.compare.common_window`, as
``--compare`` does), the eval loss, the learning rate and the grad norm, each as logged. Every curve is
its finite points, downsampled (min/max) for the chart's width. A run's colour is its index in the table
(:func:`~trainmon_tui.views.terminal.run_color`), the same in the table, the legend and every chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.series import downsample_minmax

OVERLAYS = ("loss", "eval_loss", "learning_rate", "grad_norm")
TITLES = {  # label keys (views/i18n.py)
    "loss": "ws_chart_loss",
    "eval_loss": "ws_chart_eval",
    "learning_rate": "ws_chart_lr",
    "grad_norm": "ws_chart_grad",
}


def chart_title(chart: str, lang: Lang) -> str:
    """The title of one overlay chart, in ``lang``."""
    return t(TITLES[chart], lang)


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
    runs: Sequence[tuple[int, str, TrainerState]], chart: str, max_points: int, *, smooth: bool = True
) -> list[Curve]:
    """The curves of ``chart`` for ``runs`` (colour index, label, state); runs without points left out."""
    picked = [(color, label, series_of(state, chart)) for color, label, state in runs]
    picked = [(color, label, series) for color, label, series in picked if len(series)]
    if chart == "loss" and smooth and picked:
        window = common_window([series for _, _, series in picked])
        picked = [(c, label, moving_average_steps(series, window)) for c, label, series in picked]
    return [Curve(c, label, downsample_minmax(series, max_points)) for c, label, series in picked]
