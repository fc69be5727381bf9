"""A metric chart's data: smoothing over the whole series, the x-axis, zoom, log filter, range, reduction."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainmon_tui.files.model import Series
from trainmon_tui.views.metricchart import MAX_ZOOM, ChartOptions, prepare_metric, zoom_window
from trainmon_tui.views.smoothing import ema
from trainmon_tui.views.xaxis import StepMap, XAxis


def _series(values: list[float], steps: list[int] | None = None) -> Series:
    steps = list(range(1, len(values) + 1)) if steps is None else steps
    return Series(np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))


def test_plain_chart_is_the_finite_points_on_steps() -> None:
    chart = prepare_metric("grad_norm", _series([1.0, math.nan, 3.0, math.inf]), 100)
    assert chart.raw.steps.tolist() == [1.0, 3.0] and chart.raw.values.tolist() == [1.0, 3.0]
    assert chart.smoothed is None and chart.smoothing == ""
    assert chart.y_range == (1.0, 3.0) and chart.x_range == (1.0, 3.0)
    assert chart.x_label == "step"
    assert (chart.shown, chart.left_out) == (2, 2)
    assert chart.robust is False  # grad_norm is not loss-like


def test_smoothing_runs_over_the_whole_series_before_zoom_and_reduction() -> None:
    values = [float(v) for v in np.random.default_rng(3).normal(size=1000)]
    series = _series(values)
    full = ema(series.values, 0.9)
    chart = prepare_metric("loss", series, 4000, ChartOptions(weight=0.9, zoom=1))
    assert chart.smoothing == "EMA 0.9" and chart.robust is True
    assert chart.smoothed is not None
    # zoomed to the last half (steps 500.5 .. 1000), with step 500 before the window
    assert chart.smoothed.steps[0] == 500.0 and chart.raw.steps[0] == 500.0
    np.testing.assert_array_equal(chart.smoothed.values, full[499:])
    assert chart.x_range == (500.5, 1000.0)
    assert chart.shown == 500


def test_downsampling_keeps_both_curves_small() -> None:
    series = _series([math.sin(i / 50) for i in range(20_000)])
    chart = prepare_metric("x", series, 200, ChartOptions(weight=0.6))
    assert len(chart.raw) <= 200 and chart.smoothed is not None and len(chart.smoothed) <= 200
    assert chart.raw.values.max() == pytest.approx(1.0, abs=1e-6)  # the extremes survive min/max buckets


def test_log_scale_leaves_out_values_not_positive_in_both_curves() -> None:
    series = _series([-1.0, 0.0, 1.0, 10.0, 100.0])
    chart = prepare_metric("loss", series, 100, ChartOptions(weight=0.6, log=True, robust=False))
    assert chart.raw.values.tolist() == [1.0, 10.0, 100.0]
    assert chart.smoothed is not None and (chart.smoothed.values > 0).all()
    assert chart.left_out == 2 and chart.y_range == (1.0, 100.0)


def test_an_axis_that_cannot_place_points_leaves_them_out() -> None:
    tokens = StepMap(XAxis.TOKENS, "tokens seen", np.array([0, 10], dtype=np.int64), np.array([0.0, 100.0]))
    chart = prepare_metric("loss", _series([1.0, 2.0, 3.0], [5, 10, 15]), 100, ChartOptions(axis=tokens))
    assert chart.raw.steps.tolist() == [50.0, 100.0] and chart.x_label == "tokens seen"
    assert chart.left_out == 1


def test_steps_that_go_back_are_drawn_in_x_order() -> None:
    chart = prepare_metric("loss", _series([1.0, 2.0, 3.0, 4.0], [1, 3, 2, 4]), 100, ChartOptions(weight=0.5))
    assert chart.raw.steps.tolist() == [1.0, 2.0, 3.0, 4.0]
    assert chart.raw.values.tolist() == [1.0, 3.0, 2.0, 4.0]
    smoothed_in_file_order = ema(np.array([1.0, 2.0, 3.0, 4.0]), 0.5)
    assert chart.smoothed is not None
    assert chart.smoothed.values.tolist() == pytest.approx(smoothed_in_file_order[[0, 2, 1, 3]].tolist())


def test_robust_range_by_default_for_losses() -> None:
    values = [50.0] + [1.0 + i / 1000 for i in range(999)]
    loss = prepare_metric("loss", _series(values), 100)
    assert loss.y_range is not None and loss.y_range[1] < 2.0
    other = prepare_metric("rewards/margins", _series(values), 100)
    assert other.y_range == (1.0, 50.0)
    forced = prepare_metric("loss", _series(values), 100, ChartOptions(robust=False))
    assert forced.y_range == (1.0, 50.0)


@pytest.mark.parametrize("values", [[], [math.nan], [math.nan, math.inf], [5.0], [1e308, -1e308]])
def test_hostile_series(values: list[float]) -> None:
    for options in (ChartOptions(), ChartOptions(weight=0.99, log=True, zoom=3)):
        chart = prepare_metric("loss", _series(values), 50, options)
        assert len(chart.raw) <= max(1, len(values))
        assert np.isfinite(chart.raw.values).all()
        if len(chart.raw) == 0:
            assert chart.y_range is None


def test_zoom_window() -> None:
    assert zoom_window(0.0, 100.0, 0) == (0.0, 100.0)
    assert zoom_window(0.0, 100.0, 1) == (50.0, 100.0)
    assert zoom_window(0.0, 100.0, 2) == (75.0, 100.0)
    assert zoom_window(0.0, 100.0, -4) == (0.0, 100.0)
    assert zoom_window(0.0, 1024.0, 99) == zoom_window(0.0, 1024.0, MAX_ZOOM) == (1023.0, 1024.0)
    assert zoom_window(5.0, 5.0, 3) == (5.0, 5.0)
    assert zoom_window(-1.7e308, 1.7e308, 1) == (-1.7e308, 1.7e308)  # the span overflows: no zoom


@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=50),
    st.sampled_from([0.0, 0.6, 0.99]),
    st.booleans(),
    st.integers(0, 4),
)
def test_what_is_drawn_is_always_finite_and_small(
    values: list[float], weight: float, log: bool, zoom: int
) -> None:
    chart = prepare_metric("loss", _series(values), 8, ChartOptions(weight=weight, log=log, zoom=zoom))
    for curve in (chart.raw, chart.smoothed):
        if curve is not None:
            assert len(curve) <= 8
            assert np.isfinite(curve.values).all() and np.isfinite(curve.steps).all()
            assert np.all(np.diff(curve.steps) >= 0)
            if log:
                assert (curve.values > 0).all()
    assert chart.shown + chart.left_out <= len(values)
