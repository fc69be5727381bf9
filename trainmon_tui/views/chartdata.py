"""What the charts draw: a run's series reduced to a few hundred finite points (:func:`prepare`).

The same :class:`ChartData` feeds the terminal charts (:mod:`.charts`, :mod:`.terminal`) and the PNG
(:mod:`.figures`). Preparing may run in a worker thread and touches every point of a long run; drawing
then only ever sees a few hundred, so it stays cheap at every resize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from trainmon_tui.files.model import EMPTY_SERIES, Series, TrainerState
from trainmon_tui.views.chartwindow import Window, on_axis
from trainmon_tui.views.controls import OVERVIEW, Controls
from trainmon_tui.views.series import (
    Scratch,
    downsample_minmax,
    finite_in_scratch,
    histogram,
    ma_window,
    moving_average,
    scratch_arrays,
)
from trainmon_tui.views.smoothing import ema, weight_label
from trainmon_tui.views.xaxis import LABELS, StepMap, XAxis, step_map
from trainmon_tui.views.yrange import full_range, robust_range

ChartName = Literal["loss", "lr", "grad_norm", "hist"]
CHART_NAMES: tuple[ChartName, ...] = ("loss", "lr", "grad_norm", "hist")
MAX_EVAL_SERIES = 3


@dataclass(frozen=True, slots=True)
class ChartData:
    """What the four charts draw, already reduced to at most ``max_points`` points per series."""

    loss: Series = EMPTY_SERIES
    loss_ma: Series = EMPTY_SERIES
    evals: dict[str, Series] = field(default_factory=dict)
    lr: Series = EMPTY_SERIES
    grad_norm: Series = EMPTY_SERIES  # finite and > 0 only: drawn on a log scale
    hist_counts: np.ndarray = field(default_factory=lambda: np.zeros(0))
    hist_centres: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # The newest point of each chart's main series as the file has it (NaN and inf included), for the
    # compact form of a chart too small to draw.
    latest: dict[ChartName, tuple[int, float]] = field(default_factory=dict)
    # What the controls made of them (views/controls.py): the step charts' x-axis ("step": the steps
    # themselves) and zoom window (None: the whole run), the loss chart's smoothing ("": the moving
    # average), log scale and y-range (None: the full range of what is drawn).
    x_label: str = "step"
    x_range: tuple[float, float] | None = None
    smoothing: str = ""
    loss_log: bool = False
    loss_range: tuple[float, float] | None = None
    alert_marks: tuple[tuple[int, str], ...] = ()  # (step, severity) of the alerts: views/alertmarks.py

    def step_range(self) -> tuple[float, float] | None:
        """The x range the loss, learning-rate and grad-norm charts share (the union of theirs, on the step
        axis the newest logged step included even when its value is not finite); None with no points."""
        series = [self.loss, self.loss_ma, self.lr, self.grad_norm, *self.evals.values()]
        ends = [(float(s.steps.min()), float(s.steps.max())) for s in series if len(s)]
        if self.x_label == "step":  # the newest steps are x values on the step axis only
            ends += [(float(step), float(step)) for step, _ in self.latest.values()]
        if not ends:
            return None
        return min(lo for lo, _ in ends), max(hi for _, hi in ends)

    def is_empty(self, chart: ChartName) -> bool:
        if chart == "loss":
            return not len(self.loss) and not any(len(s) for s in self.evals.values())
        if chart == "lr":
            return not len(self.lr)
        if chart == "grad_norm":
            return not len(self.grad_norm)
        return not len(self.hist_counts)


def _reduced(series: Series, max_points: int, scratch: Scratch) -> Series:
    """Downsampled, in arrays of its own (the input may live in scratch arrays that get reused)."""
    small = downsample_minmax(series, max_points, scratch=scratch)
    if small is series:
        return Series(series.steps.copy(), series.values.copy())
    return small


def prepare(
    state: TrainerState,
    max_points: int = 400,
    bins: int = 30,
    controls: Controls = OVERVIEW,
    times: Series | None = None,
) -> ChartData:
    """Reduce a state's series to what the charts draw: finite, downsampled with min/max per bucket.

    ``controls``: the overview's (its x-axis and zoom for the three step charts; the smoothing, log scale
    and robust range of the loss chart; the histogram is of the losses in the window); ``times``: wall
    times by step for the time axis (:func:`~.xaxis.live_times`). The defaults draw what the overview
    always drew, through the fast path below.

    The full-length intermediates (the finite losses, their moving average, the finite grad norms, the
    padded copies downsampling makes) live in work arrays reused from call to call
    (:func:`~trainmon_tui.views.series.scratch_arrays`): with a million entries fresh ones cost more in page
    faults than the arithmetic. Only the few hundred points returned are new arrays.
    """
    if controls.weight or controls.axis is not XAxis.STEP or controls.zoom or controls.log:
        return _prepare_controlled(state, max_points, bins, controls, times)
    with scratch_arrays() as scratch:
        raw_loss = state.loss
        loss = finite_in_scratch(raw_loss.steps, raw_loss.values, scratch, "prepare.loss")
        ma_values = moving_average(
            loss.values, ma_window(len(loss)), out=scratch.array(len(loss), "prepare.ma"), scratch=scratch
        )
        ma = Series(loss.steps, ma_values)
        evals = {
            key: downsample_minmax(state.get(key).finite(), max_points)
            for key in state.eval_loss_keys[:MAX_EVAL_SERIES]
        }
        lr = state.get(state.lr_key)
        grad = state.get("grad_norm")
        counts, centres = histogram(loss.values, bins)
        return ChartData(
            loss=_reduced(loss, max_points, scratch),
            loss_ma=_reduced(ma, max_points, scratch),
            evals=evals,
            lr=_reduced(finite_in_scratch(lr.steps, lr.values, scratch, "prepare.lr"), max_points, scratch),
            grad_norm=_reduced(
                finite_in_scratch(grad.steps, grad.values, scratch, "prepare.grad", positive=True),
                max_points,
                scratch,
            ),
            hist_counts=counts,
            hist_centres=centres,
            latest=_latest(state),
            loss_range=_loss_range(loss.values, [s.values for s in evals.values()], controls),
        )


def _latest(state: TrainerState) -> dict[ChartName, tuple[int, float]]:
    """The newest point of each step chart's series, as logged (NaN and inf included)."""
    mains: tuple[tuple[ChartName, Series], ...] = (
        ("loss", state.loss),
        ("lr", state.get(state.lr_key)),
        ("grad_norm", state.get("grad_norm")),
    )
    return {chart: (int(s.steps[-1]), float(s.values[-1])) for chart, s in mains if len(s)}


def _loss_range(
    losses: np.ndarray, evals: list[np.ndarray], controls: Controls
) -> tuple[float, float] | None:
    """The loss chart's y-range when it ignores outliers (the losses' 1st-99th percentile and the newest
    loss, widened to the eval losses' full range); None for the full range."""
    if not controls.robust:
        return None
    found = robust_range(losses, log=controls.log)
    for values in evals:
        whole = full_range(values, log=controls.log)
        if whole is not None:
            found = whole if found is None else (min(found[0], whole[0]), max(found[1], whole[1]))
    return found


def _prepare_controlled(
    state: TrainerState, max_points: int, bins: int, controls: Controls, times: Series | None
) -> ChartData:
    """:func:`prepare` with controls: smoothed over the whole run first, then on the axis and zoomed."""
    found = step_map(state, controls.axis, times=times) if controls.axis is not XAxis.STEP else None
    mapping = found if isinstance(found, StepMap) else None
    loss = state.loss.finite()
    smooth = (
        ema(loss.values, controls.weight)
        if controls.weight
        else moving_average(loss.values, ma_window(len(loss)))
    )
    lr = state.get(state.lr_key).finite()
    grad = state.get("grad_norm").finite()
    grad = Series(grad.steps[grad.values > 0], grad.values[grad.values > 0])
    placed = {
        "loss": on_axis(loss, mapping),
        "ma": on_axis(Series(loss.steps, smooth), mapping),
        "lr": on_axis(lr, mapping),
        "grad": on_axis(grad, mapping),
        **{key: on_axis(state.get(key).finite(), mapping) for key in state.eval_loss_keys[:MAX_EVAL_SERIES]},
    }
    window = Window(list(placed.values()), controls.zoom)
    shown = {name: window(series) for name, series in placed.items()}
    if controls.log:  # the loss chart's curves: positive values only
        for name in ("loss", "ma", *state.eval_loss_keys[:MAX_EVAL_SERIES]):
            series = shown[name]
            shown[name] = Series(series.steps[series.values > 0], series.values[series.values > 0])
    evals = {key: downsample_minmax(shown[key], max_points) for key in state.eval_loss_keys[:MAX_EVAL_SERIES]}
    counts, centres = histogram(shown["loss"].values, bins)
    return ChartData(
        loss=downsample_minmax(shown["loss"], max_points),
        loss_ma=downsample_minmax(shown["ma"], max_points),
        evals=evals,
        lr=downsample_minmax(shown["lr"], max_points),
        grad_norm=downsample_minmax(shown["grad"], max_points),
        hist_counts=counts,
        hist_centres=centres,
        latest=_latest(state),
        x_label=mapping.label if mapping is not None else LABELS[XAxis.STEP],
        smoothing=weight_label(controls.weight),
        loss_log=controls.log,
        loss_range=_loss_range(shown["loss"].values, [shown[k].values for k in evals], controls),
        x_range=window.range if controls.zoom else None,
    )


def points_for_width(width_cells: int) -> int:
    """About two points per character cell: plotext draws braille-free markers one per cell."""
    return max(16, 2 * width_cells)
