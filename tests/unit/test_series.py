"""Downsampling that keeps spikes, the moving average, and the chart data built from them."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trainmon_tui.files.model import Series
from trainmon_tui.files.state import load_state
from trainmon_tui.views.chartdata import points_for_width, prepare
from trainmon_tui.views.series import (
    Scratch,
    downsample_minmax,
    finite_in_scratch,
    histogram,
    ma_window,
    moving_average,
)
from trainmon_tui.views.terminal import render_compare, render_grid


def series(values: np.ndarray) -> Series:
    return Series(np.arange(1, len(values) + 1, dtype=np.int64) * 10, np.asarray(values, dtype=np.float64))


@pytest.mark.parametrize("n", [5, 399, 1000, 10_007])
@pytest.mark.parametrize("max_points", [4, 5, 16, 101, 400])
def test_downsample_keeps_extremes_ends_and_bound(n, max_points):
    rng = np.random.default_rng(n * 1000 + max_points)
    values = rng.normal(size=n)
    values[n // 3] = 50.0  # a spike
    values[n // 2] = -50.0  # a dip
    src = series(values)
    out = downsample_minmax(src, max_points)
    assert len(out) <= max_points if n > max_points else len(out) == n
    assert out.values.max() == 50.0 and out.values.min() == -50.0
    assert out.steps[0] == src.steps[0] and out.steps[-1] == src.steps[-1]
    assert out.values[0] == src.values[0] and out.values[-1] == src.values[-1]
    assert np.all(np.diff(out.steps) > 0)  # in step order, no duplicates
    # every point kept is a real point of the source
    index = (out.steps // 10) - 1
    assert np.array_equal(src.values[index], out.values)


def reference_minmax(src: Series, max_points: int) -> Series:
    """Bucket by bucket: the first, the last, and each linspace bucket's first min and first max."""
    inner = src.values[1:-1]
    edges = np.linspace(0, len(inner), max(1, (max_points - 2) // 2) + 1).astype(np.int64)
    keep = {0, len(src) - 1}
    for lo, hi in itertools.pairwise(edges.tolist()):
        if hi > lo:
            keep |= {lo + 1 + int(np.argmin(inner[lo:hi])), lo + 1 + int(np.argmax(inner[lo:hi]))}
    index = sorted(keep)
    return Series(src.steps[index], src.values[index])


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(-3, 3), min_size=5, max_size=3000),  # few values: ties in every bucket
    max_points=st.integers(4, 700),
)
def test_downsample_is_min_and_max_per_bucket(values, max_points):
    """Buckets cut at linspace edges differ in size by one at most, whatever the lengths: one 2-D pass
    over them (padded) gives what a bucket-by-bucket loop gives, ties to the first occurrence."""
    src = series(np.array(values, dtype=np.float64))
    out = downsample_minmax(src, max_points)
    expected = src if len(src) <= max_points else reference_minmax(src, max_points)
    assert np.array_equal(out.steps, expected.steps) and np.array_equal(out.values, expected.values)


def test_downsample_is_a_no_op_when_small():
    src = series(np.array([3.0, 1.0, 2.0]))
    assert downsample_minmax(src, 10) is src


def test_downsample_constant_and_extreme_at_the_ends():
    src = series(np.r_[100.0, np.ones(5000), -100.0])
    out = downsample_minmax(src, 50)
    assert len(out) <= 50 and out.values[0] == 100.0 and out.values[-1] == -100.0


def test_moving_average_by_hand():
    values = np.array([1.0, 2.0, 3.0, 4.0])
    assert moving_average(values, 2).tolist() == [1.0, 1.5, 2.5, 3.5]
    assert moving_average(values, 3).tolist() == [1.0, 1.5, 2.0, 3.0]
    assert moving_average(values, 10).tolist() == [1.0, 1.5, 2.0, 2.5]  # shorter at the start
    assert moving_average(values, 1).tolist() == values.tolist()
    assert moving_average(np.zeros(0), 5).tolist() == []


@pytest.mark.parametrize(("n", "window"), [(0, 5), (100, 5), (1000, 20), (5000, 100), (1_000_000, 200)])
def test_ma_window(n, window):
    assert ma_window(n) == window


@pytest.mark.parametrize("repeat", [1, 100])  # 6 or 600 points: a few dropped (copied run by run), many
def test_finite_and_positive(repeat):
    values = np.tile([1.0, math.nan, math.inf, 0.0, -2.0, 3.0], repeat)
    src = Series(np.arange(len(values), dtype=np.int64), values)
    finite = finite_in_scratch(src.steps, src.values, Scratch(), "test")
    assert finite.values.tolist() == [1.0, 0.0, -2.0, 3.0] * repeat
    positive = finite_in_scratch(src.steps, src.values, Scratch(), "test", positive=True)
    assert positive.steps.tolist() == [step for k in range(repeat) for step in (6 * k, 6 * k + 5)]
    clean = Series(src.steps[:1], src.values[:1])
    assert finite_in_scratch(clean.steps, clean.values, Scratch(), "test").values is clean.values  # no copy


def test_histogram_ignores_nonfinite():
    counts, centres = histogram(np.array([1.0, 1.0, 2.0, math.nan, math.inf]), bins=2)
    assert counts.tolist() == [2, 1]
    assert centres.tolist() == [1.25, 1.75]
    assert histogram(np.array([math.nan]))[0].tolist() == []


def test_prepare_leaves_out_what_plotext_cannot_draw(tmp_path, helpers):
    entries = [
        {"loss": 2.0, "grad_norm": math.inf, "learning_rate": 1e-5, "step": 1},
        {"loss": math.nan, "grad_norm": 0.0, "learning_rate": math.nan, "step": 2},
        {"loss": 1.0, "grad_norm": -1.0, "learning_rate": 2e-5, "step": 3},
        {"loss": 0.5, "grad_norm": 0.25, "learning_rate": 3e-5, "step": 4},
        {"eval_loss": math.inf, "step": 4},
    ]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(entries, global_step=4)))
    data = prepare(state)
    assert data.loss.values.tolist() == [2.0, 1.0, 0.5]
    assert data.grad_norm.values.tolist() == [0.25]  # log scale: > 0 only
    assert data.lr.values.tolist() == [1e-5, 2e-5, 3e-5]
    assert data.is_empty("loss") is False and data.evals["eval_loss"].values.tolist() == []
    assert int(data.hist_counts.sum()) == 3
    text = render_grid(data, 100, 30)  # would raise inside plotext on inf or a log of <= 0
    assert "Training loss" in text and "Grad norm" in text
    assert "no data" not in text


def test_empty_charts_say_no_data(tmp_path, helpers):
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state([], global_step=0)))
    data = prepare(state)
    assert all(data.is_empty(chart) for chart in ("loss", "lr", "grad_norm", "hist"))
    assert render_grid(data, 100, 30).count("no data") == 4
    assert "no data" in render_compare([("a", state)], 80, 20)


def test_prepare_bounds_points(tmp_path, helpers):
    entries = [
        {"loss": 1 + math.sin(i / 50), "grad_norm": 1.0, "learning_rate": 1e-5, "step": i}
        for i in range(5000)
    ]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(entries, global_step=5000)))
    max_points = points_for_width(60)
    data = prepare(state, max_points=max_points)
    assert max_points == 120
    for s in (data.loss, data.loss_ma, data.lr, data.grad_norm):
        assert 0 < len(s) <= max_points


@pytest.mark.parametrize(
    "values",
    [
        [0.3, 0.30000000000000004],  # one rounding step apart: numpy cannot make finite-sized bins
        [1e308, -1e308, 5.0],  # the range overflows
        [-1.7976931348623157e308, 1.7976931348623157e308],
        [5e-324, 1e-323, 0.0],
    ],
)
def test_histogram_of_any_finite_values(values):
    counts, centres = histogram(np.array(values), bins=30)
    assert int(counts.sum()) == len(values)
    assert len(counts) == len(centres) >= 1
    assert np.isfinite(centres).all()
