"""TensorBoard's debiased EMA: worked values by hand, its pass-through rules, and the vectorised way
against the loop as TensorBoard writes it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainmon_tui.files.model import Series
from trainmon_tui.views.smoothing import (
    WEIGHTS,
    check_weight,
    ema,
    ema_reference,
    next_weight,
    smooth,
    weight_label,
)


def test_worked_values_at_one_half() -> None:
    # last: 0.5*0 + 0.5*1 = 0.5, / (1 - 0.5) = 1
    #       0.5*0.5 + 0.5*2 = 1.25, / (1 - 0.25) = 5/3
    #       0.5*1.25 + 0.5*3 = 2.125, / (1 - 0.125) = 17/7
    assert ema(np.array([1.0, 2.0, 3.0]), 0.5) == pytest.approx([1.0, 5 / 3, 17 / 7], rel=1e-15)


def test_worked_values_at_the_default_weight_with_a_nan() -> None:
    # w = 0.6: last = 0.4*10 = 4, / 0.4 = 10; last = 0.6*4 + 0 = 2.4, / (1 - 0.36) = 3.75;
    # the NaN is passed through and not counted; last = 0.6*2.4 + 0.4*5 = 3.44, / (1 - 0.6**3) = 3.44/0.784
    out = ema(np.array([10.0, 0.0, math.nan, 5.0]), 0.6)
    assert out[:2] == pytest.approx([10.0, 3.75], rel=1e-15)
    assert math.isnan(out[2])
    assert out[3] == pytest.approx(3.44 / 0.784, rel=1e-15)


def test_infinities_pass_through_and_do_not_poison_the_average() -> None:
    out = ema(np.array([1.0, math.inf, -math.inf, 3.0]), 0.5)
    assert out[1] == math.inf and out[2] == -math.inf
    # 3 is the second finite point: (0.5*0.5 + 0.5*3) / (1 - 0.25) = 7/3
    assert out[3] == pytest.approx(7 / 3, rel=1e-15)


def test_a_constant_series_comes_back_unchanged() -> None:
    values = np.full(1000, 0.1)
    out = ema(values, 0.99)
    assert np.array_equal(out, values)
    assert out is not values


def test_a_nan_makes_a_series_not_constant_as_in_tensorboard() -> None:
    out = ema(np.array([2.0, math.nan, 2.0]), 0.9)
    assert out[0] == pytest.approx(2.0) and out[2] == pytest.approx(2.0) and math.isnan(out[1])


def test_weight_zero_is_the_values_themselves() -> None:
    values = np.array([3.0, -1.0, math.nan, 7.5])
    assert np.array_equal(ema(values, 0.0), values, equal_nan=True)


@pytest.mark.parametrize(
    "values",
    [[], [5.0], [math.nan], [math.nan, math.nan], [math.inf, -math.inf], [1e308, -1e308, 1e308]],
)
def test_hostile_series(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    out = ema(array, 0.9)
    assert len(out) == len(array)
    assert np.array_equal(~np.isfinite(out), ~np.isfinite(array))
    assert np.allclose(out, ema_reference(array, 0.9), rtol=1e-12, equal_nan=True)


def test_huge_values_of_both_signs_stay_finite_and_in_range() -> None:
    values = np.array([1.7e308, -1.7e308] * 5000)
    out = ema(values, 0.99)
    assert np.isfinite(out).all()
    assert out.max() <= 1.7e308 and out.min() >= -1.7e308
    np.testing.assert_allclose(out, ema_reference(values, 0.99), rtol=0, atol=1.7e308 * 1e-12)


@pytest.mark.parametrize("weight", [0.6, 0.9, 0.99, 0.999])
def test_long_series_agree_with_the_loop_across_blocks(weight: float) -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(size=200_000).cumsum() + 100.0
    values[rng.integers(0, len(values), 300)] = math.nan
    expected = ema_reference(values, weight)
    out = ema(values, weight)
    peak = np.nanmax(np.abs(values))
    np.testing.assert_allclose(out, expected, rtol=0, atol=peak * 1e-12)
    assert np.array_equal(np.isnan(out), np.isnan(values))


def test_a_tiny_weight_agrees_too() -> None:
    values = np.linspace(-3.0, 5.0, 10_000) ** 3
    np.testing.assert_allclose(ema(values, 1e-30), ema_reference(values, 1e-30), rtol=1e-13, atol=1e-13)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=60),
    st.sampled_from([0.0, 0.3, 0.6, 0.9, 0.99]),
)
def test_vectorised_equals_tensorboards_loop(values: list[float], weight: float) -> None:
    array = np.array(values, dtype=np.float64)
    out = ema(array, weight)
    expected = ema_reference(array, weight)
    finite = np.isfinite(array)
    assert np.array_equal(out[~finite], array[~finite], equal_nan=True)
    if finite.any():
        peak = float(np.max(np.abs(array[finite])))
        assert np.all(np.abs(out[finite] - expected[finite]) <= peak * 1e-12)
        # a weighted mean of the finite values never leaves their range (but for rounding, as in TensorBoard)
        slack = peak * 1e-12
        assert out[finite].min() >= float(array[finite].min()) - slack
        assert out[finite].max() <= float(array[finite].max()) + slack


def test_smooth_keeps_the_steps_and_is_itself_when_off() -> None:
    series = Series(np.array([1, 2, 2, 1], dtype=np.int64), np.array([1.0, 2.0, 3.0, 4.0]))
    assert smooth(series, 0.0) is series
    smoothed = smooth(series, 0.5)
    assert smoothed.steps is series.steps
    assert smoothed.values[:3] == pytest.approx([1.0, 5 / 3, 17 / 7])


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, math.nan, math.inf])
def test_weights_out_of_range_are_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        check_weight(bad)
    with pytest.raises(ValueError):
        ema(np.ones(3), bad)


def test_the_m_key_cycles_off_then_the_three_weights() -> None:
    assert WEIGHTS == (0.0, 0.6, 0.9, 0.99)
    seen = [0.0]
    for _ in range(4):
        seen.append(next_weight(seen[-1]))
    assert seen == [0.0, 0.6, 0.9, 0.99, 0.0]
    assert next_weight(0.42) == 0.0
    assert weight_label(0.9) == "EMA 0.9" and weight_label(0.0) == ""
