"""The y-range: full, or the 1st-99th percentile widened to the newest value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainmon_tui.views.yrange import full_range, robust_by_default, robust_range, y_range


def test_an_early_spike_is_left_out() -> None:
    values = np.concatenate(([11.0], np.linspace(1.0, 0.5, 199)))
    lo, hi = robust_range(values)  # type: ignore[misc]
    # 200 values: the 99th percentile sits 0.01 of the way from the 198th to the 199th of the sorted
    # values (index 197.01 of 0..199), both on the line: well below the spike
    ordered = np.sort(values)
    assert hi == pytest.approx(ordered[197] + 0.01 * (ordered[198] - ordered[197]))
    assert hi < 1.1
    assert lo == 0.5  # the newest value, the smallest here
    lo_alone, _ = robust_range(values, keep_last=False)  # type: ignore[misc]
    assert lo_alone == pytest.approx(ordered[1] + 0.99 * (ordered[2] - ordered[1]))  # index 1.99
    assert full_range(values) == (0.5, 11.0)


def test_the_newest_value_is_never_cut_off() -> None:
    values = np.concatenate((np.linspace(1.0, 0.5, 199), [50.0]))
    assert robust_range(values)[1] == 50.0  # type: ignore[index]
    assert robust_range(values, keep_last=False)[1] < 1.1  # type: ignore[index]


def test_worked_percentiles_on_a_small_set() -> None:
    # 0..100: the k-th percentile is k exactly
    values = np.array([*range(50), *range(51, 101), 50], dtype=np.float64)  # newest: 50, inside
    assert robust_range(values) == (1.0, 99.0)
    assert robust_range(values, low=10, high=90) == (10.0, 90.0)
    assert robust_range(values, low=90, high=10) == (10.0, 90.0)
    assert robust_range(values, low=-5, high=500) == (0.0, 100.0)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], None),
        ([math.nan, math.inf, -math.inf], None),
        ([3.0], (3.0, 3.0)),
        ([2.0, math.nan, 2.0], (2.0, 2.0)),
    ],
)
def test_hostile_series(values: list[float], expected: tuple[float, float] | None) -> None:
    array = np.array(values, dtype=np.float64)
    assert robust_range(array) == expected
    assert full_range(array) == expected


def test_log_scale_counts_only_positive_values() -> None:
    values = np.array([-1.0, 0.0, 1e-3, 1.0, 10.0])
    assert full_range(values, log=True) == (1e-3, 10.0)
    assert robust_range(np.array([-1.0, 0.0]), log=True) is None
    assert y_range(values, robust=False, log=True) == (1e-3, 10.0)


def test_values_near_the_largest_double_do_not_overflow() -> None:
    values = np.array([-1.7e308, 1.7e308] * 50)
    lo, hi = robust_range(values)  # type: ignore[misc]
    assert math.isfinite(lo) and math.isfinite(hi) and lo == -1.7e308 and hi == 1.7e308


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), max_size=80))
def test_the_robust_range_is_inside_the_full_range(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    full = full_range(array)
    robust = robust_range(array)
    assert (full is None) == (robust is None)
    if full is not None and robust is not None:
        assert full[0] <= robust[0] <= robust[1] <= full[1]
        finite = array[np.isfinite(array)]
        assert robust[0] <= finite[-1] <= robust[1]


def test_loss_like_keys_default_to_robust() -> None:
    assert robust_by_default("loss") and robust_by_default("eval_g2_loss")
    assert not robust_by_default("learning_rate") and not robust_by_default("rewards/margins")
