"""X-axes: a series drawn against step, epoch, wall time or tokens seen, each a mapping from step.

Every series is logged by step. The other axes are mappings from step, built once per run by
:func:`step_map` and applied to any series with :meth:`StepMap.apply`:

- **step** (the default): the step itself; always available.
- **epoch**: the ``epoch`` series the Trainer logs with every entry. A step it was not logged at (a key a
  callback logged, a live-log step) gets the linear interpolation between its neighbours; beyond the last
  logged step, the line through the first and last points is extended (the Trainer's epoch *is* a linear
  function of the step within a run: ``step / steps_per_epoch``). The point (0, 0) is added when no epoch
  was logged at step 0 or before: every run starts at epoch 0.
- **tokens**: ``num_input_tokens_seen`` (the Trainer's, with ``include_num_input_tokens_seen``), else
  TRL's ``num_tokens`` (the same running count, logged by SFT and GRPO): interpolated between logged
  steps, with (0, 0) added likewise, but not extended past the last one (tokens per step vary): a point
  there has no x and is left out.
- **time**: wall-clock seconds from the run's first known time, from a step -> time mapping the caller has
  (the live log's records carry times; ``trainer_state.json`` has none): interpolated between known steps,
  never extended (a pause or a resume cannot be guessed).

Logged mappings are cleaned first: non-finite values dropped, and for a step logged more than once (a
resumed run, or an evaluation entry at the step of a training entry) the last value logged wins. Steps
out of order are sorted. :func:`step_map` answers :class:`Unavailable` with a one-line reason when the run
cannot give an axis, so a UI can skip it in its cycle (:func:`available_axes`, :func:`next_axis`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.live.livelog import LiveLog


class XAxis(Enum):
    """The axes, by the names ``--x`` takes."""

    STEP = "step"
    EPOCH = "epoch"
    TIME = "time"
    TOKENS = "tokens"


LABELS = {
    XAxis.STEP: "step",
    XAxis.EPOCH: "epoch",
    XAxis.TIME: "wall time (s)",
    XAxis.TOKENS: "tokens seen",
}
TOKEN_KEYS = ("num_input_tokens_seen", "num_tokens")


@dataclass(frozen=True, slots=True)
class StepMap:
    """A mapping from step to x: ``steps`` sorted and distinct, ``values`` their x; ``rate`` the slope
    used past the last step (None: not extended); ``key`` the series it came from, if one did."""

    axis: XAxis
    label: str
    steps: np.ndarray  # int64, sorted, distinct (empty for the step axis: the identity)
    values: np.ndarray  # float64
    rate: float | None = None
    key: str | None = None

    def apply(self, steps: np.ndarray) -> np.ndarray:
        """x for each of ``steps`` (float64, same length), NaN where this axis cannot place the step."""
        at = np.asarray(steps, dtype=np.float64)
        if self.axis is XAxis.STEP:
            same: np.ndarray = at.copy()
            return same
        known = self.steps.astype(np.float64)
        x: np.ndarray = np.interp(at, known, self.values)
        outside = (at < known[0]) | (at > known[-1])
        if outside.any():
            if self.rate is None:
                x[outside] = np.nan
            else:
                before, after = at < known[0], at > known[-1]
                with np.errstate(over="ignore", invalid="ignore"):  # ±inf: left out by on_axis
                    x[before] = self.values[0] + self.rate * (at[before] - known[0])
                    x[after] = self.values[-1] + self.rate * (at[after] - known[-1])
                if self.axis is XAxis.EPOCH:
                    np.maximum(x, 0.0, out=x, where=before)  # no negative epochs before the start
        return x


@dataclass(frozen=True, slots=True)
class Unavailable:
    """The run cannot give this axis; ``reason`` says why in a few words."""

    axis: XAxis
    reason: str


def last_per_step(series: Series) -> Series:
    """``series`` sorted by step, the last value logged at each step kept (NaN and ±inf as logged)."""
    if len(series) == 0:
        return series
    order = np.argsort(series.steps, kind="stable")
    steps, values = series.steps[order], series.values[order]
    last = np.append(steps[1:] != steps[:-1], True)
    return Series(steps[last], values[last])


def clean_mapping(series: Series) -> Series:
    """``series`` with finite values only, sorted by step, the last value logged at each step kept."""
    return last_per_step(series.finite())


def _from_zero(mapping: Series) -> Series:
    """The point (0, 0) first, unless a step at or before 0 was logged."""
    if len(mapping) == 0 or mapping.steps[0] <= 0:
        return mapping
    return Series(np.insert(mapping.steps, 0, 0), np.insert(mapping.values, 0, 0.0))


def _rate(mapping: Series) -> float | None:
    span = float(mapping.steps[-1]) - float(mapping.steps[0])
    if span <= 0:
        return None
    rate = (float(mapping.values[-1]) - float(mapping.values[0])) / span
    return rate if np.isfinite(rate) else None


def times_series(times: Mapping[int, float]) -> Series:
    """A ``{step: wall time}`` mapping as a series, for :func:`step_map`'s ``times``."""
    steps = np.fromiter(times.keys(), dtype=np.int64, count=len(times))
    values = np.fromiter(times.values(), dtype=np.float64, count=len(times))
    return Series(steps, values)


def live_times(live: LiveLog | None) -> Series | None:
    """Wall time by step from the live log's records (the first record of each step: when it was reached)."""
    if live is None or not live.logs:
        return None
    times: dict[int, float] = {}
    for record in live.logs:
        times.setdefault(record.step, record.time)
    return times_series(times)


def step_map(state: TrainerState, axis: XAxis, *, times: Series | None = None) -> StepMap | Unavailable:
    """The mapping from step to ``axis`` for this run (see the module's docstring); ``times``: wall
    times by step, as the caller has them (the live log's), for the time axis."""
    label = LABELS[axis]
    empty_steps, empty_values = np.zeros(0, dtype=np.int64), np.zeros(0)
    if axis is XAxis.STEP:
        return StepMap(axis, label, empty_steps, empty_values)
    if axis is XAxis.EPOCH:
        mapping = _from_zero(clean_mapping(state.get("epoch")))
        if len(mapping) == 0:
            return Unavailable(axis, "no epoch logged")
        if float(mapping.values.max()) == float(mapping.values.min()):
            return Unavailable(axis, "the epoch never changes")
        return StepMap(axis, label, mapping.steps, mapping.values, _rate(mapping), "epoch")
    if axis is XAxis.TOKENS:
        key = next((k for k in TOKEN_KEYS if len(clean_mapping(state.get(k)))), None)
        if key is None:
            return Unavailable(axis, "no num_input_tokens_seen logged")
        mapping = _from_zero(clean_mapping(state.get(key)))
        return StepMap(
            axis, label if key == TOKEN_KEYS[0] else f"tokens ({key})", mapping.steps, mapping.values, key=key
        )
    mapping = clean_mapping(times) if times is not None else Series(empty_steps, empty_values)
    if len(mapping) == 0:
        return Unavailable(axis, "no wall times (the live log gives them)")
    return StepMap(axis, label, mapping.steps, mapping.values - mapping.values[0])


def on_axis(series: Series, mapping: StepMap) -> tuple[np.ndarray, np.ndarray]:
    """``(x, y)`` of ``series`` on the axis, the points the axis cannot place left out (y as logged)."""
    x = mapping.apply(series.steps)
    placed = np.isfinite(x)
    if placed.all():
        return x, series.values
    return x[placed], series.values[placed]


def available_axes(state: TrainerState, *, times: Series | None = None) -> list[XAxis]:
    """The axes this run can give, in the ``x`` key's cycle order (step first, always there)."""
    return [axis for axis in XAxis if isinstance(step_map(state, axis, times=times), StepMap)]


def next_axis(current: XAxis, available: Sequence[XAxis]) -> XAxis:
    """The axis after ``current`` among ``available`` (in :class:`XAxis` order), back to step after the
    last; step when ``current`` is no longer available."""
    order = [axis for axis in XAxis if axis in available] or [XAxis.STEP]
    if current not in order:
        return order[0]
    return order[(order.index(current) + 1) % len(order)]
