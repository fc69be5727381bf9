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
from trainmon_tui.views.series import (
    Scratch,
    downsample_minmax,
    finite_in_scratch,
    histogram,
    ma_window,
    moving_average,
    scratch_arrays,
)

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
    alert_marks: tuple[tuple[int, str], ...] = ()  # (step, severity) of the alerts: views/alertmarks.py

    def step_range(self) -> tuple[float, float] | None:
        """The steps the loss, learning-rate and grad-norm charts share as their x range (the union of
        theirs, the newest logged step included even when its value is not finite); None with no steps."""
        series = [self.loss, self.loss_ma, self.lr, self.grad_norm, *self.evals.values()]
        ends = [(float(s.steps.min()), float(s.steps.max())) for s in series if len(s)]
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


def prepare(state: TrainerState, max_points: int = 400, bins: int = 30) -> ChartData:
    """Reduce a state's series to what the charts draw: finite, downsampled with min/max per bucket.

    The full-length intermediates (the finite losses, their moving average, the finite grad norms, the
    padded copies downsampling makes) live in work arrays reused from call to call
    (:func:`~trainmon_tui.views.series.scratch_arrays`): with a million entries fresh ones cost more in page
    faults than the arithmetic. Only the few hundred points returned are new arrays.
    """
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
        mains: tuple[tuple[ChartName, Series], ...] = (("loss", raw_loss), ("lr", lr), ("grad_norm", grad))
        latest = {
            chart: (int(series.steps[-1]), float(series.values[-1])) for chart, series in mains if len(series)
        }
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
            latest=latest,
        )


def points_for_width(width_cells: int) -> int:
    """About two points per character cell: plotext draws braille-free markers one per cell."""
    return max(16, 2 * width_cells)
