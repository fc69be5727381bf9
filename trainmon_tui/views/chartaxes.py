"""The overview charts' axes: round ticks for the value axes (learning rates scaled, grad norms and a
log-scale loss as ``log10``, counts whole), the step (or epoch, time, tokens) ticks the three step charts
share, and the loss chart's y window when its controls set one (the robust range, a log scale).

plotext's own ticks divide the data range evenly (``2172.5``): every tick here is ours, from
:mod:`.axes`, spaced for the plot's size.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from trainmon_tui.views.axes import Ticks, log_ticks, value_ticks, x_axis_ticks
from trainmon_tui.views.chartdata import ChartData, ChartName
from trainmon_tui.views.series import value_range

STEP_CHARTS: tuple[ChartName, ...] = ("loss", "lr", "grad_norm")
STEP_LABEL = "step"


def loss_window(data: ChartData) -> tuple[float, float] | None:
    """The loss chart's y window in drawn units (``log10`` on a log scale) when it is not simply the range
    of what is drawn: the robust range, or a single value widened; None otherwise."""
    span = data.loss_range or value_range(data.loss, data.loss_ma, *data.evals.values())
    if span is None or (data.loss_range is None and not data.loss_log):
        return None
    lo, hi = span
    if data.loss_log:
        lo, hi = math.log10(lo), math.log10(hi)
    if hi > lo:
        return lo, hi
    pad = abs(lo) * 0.05 or 0.5
    return lo - pad, hi + pad


def scale_exponent(values: np.ndarray) -> int:
    """The power of ten to divide by so tick labels stay short (learning rates are ~1e-5): 0 if none."""
    peak = float(np.max(np.abs(values))) if len(values) else 0.0
    if peak == 0.0 or 1e-2 <= peak < 1e4:
        return 0
    return int(np.floor(np.log10(peak)))


def y_ticks(chart: ChartName, data: ChartData, rows: int) -> Ticks:
    """The value axis of a chart ``rows`` rows high: round ticks (learning rates in units of
    :func:`scale_exponent`, grad norms as ``log10``, histogram counts whole); none for an empty chart."""
    if data.is_empty(chart):
        return Ticks([], [])
    if chart == "loss":
        window = loss_window(data)
        if window is None:
            return value_ticks(*value_range(data.loss, data.loss_ma, *data.evals.values()), rows)
        return log_ticks(*window, rows) if data.loss_log else value_ticks(*window, rows)
    if chart == "lr":
        scale = 10.0 ** scale_exponent(data.lr.values)
        return value_ticks(float(data.lr.values.min()) / scale, float(data.lr.values.max()) / scale, rows)
    if chart == "grad_norm":
        logs = np.log10(data.grad_norm.values)
        return log_ticks(float(logs.min()), float(logs.max()), rows)
    return value_ticks(0.0, float(data.hist_counts.max()), rows, integer=True)


def x_ticks(data: ChartData, width: int, height: int) -> Ticks:
    """The step ticks the loss, learning-rate and grad-norm charts share, at ``width`` x ``height`` cells:
    spaced for the narrowest plot area of the three (the widest y labels), so all three get the same."""
    span = data.step_range()
    if span is None:
        return Ticks([], [])
    labels = [label for chart in STEP_CHARTS for label in y_ticks(chart, data, height - 4).labels]
    cells = width - 2 - max((len(label) for label in labels), default=0)
    lo, hi = data.x_range if data.x_range is not None else span
    return x_axis_ticks(lo, hi, cells, data.x_label == STEP_LABEL)[0]


def set_axes(plt: Any, chart: ChartName, data: ChartData, width: int, height: int) -> None:
    plt.yticks(*y_ticks(chart, data, height - 4))
    if chart == "loss" and (window := loss_window(data)) is not None:
        plt.ylim(*window)
    if chart in STEP_CHARTS:
        positions, labels = x_ticks(data, width, height)
        span = data.x_range if data.x_range is not None else data.step_range()
        if positions and span is not None:
            whole = data.x_label == STEP_LABEL or span[1] - span[0] >= 4
            if data.x_range is not None or not whole:
                # Zoomed (or epochs): the axis is the window itself, and only the ticks inside it.
                inside = [
                    (p, label) for p, label in zip(positions, labels, strict=True) if span[0] <= p <= span[1]
                ]
                positions, labels = [p for p, _ in inside], [label for _, label in inside]
                plt.xlim(*span)
            else:
                plt.xlim(positions[0], positions[-1])  # step ticks end on round steps around the data
            if positions:
                plt.xticks(positions, labels)
