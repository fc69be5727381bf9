"""The overview's chart controls in the core: one window and x-axis for the step charts, the loss chart's
smoothing, log scale and robust range, worked out by hand on small runs, and hostile values."""

from __future__ import annotations

import math
import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from trainmon_tui.files.model import Series
from trainmon_tui.files.state import load_state
from trainmon_tui.views.chartdata import prepare
from trainmon_tui.views.charts import chart_text
from trainmon_tui.views.chartwindow import Window, on_axis
from trainmon_tui.views.controls import OVERVIEW, Controls
from trainmon_tui.views.smoothing import ema
from trainmon_tui.views.xaxis import XAxis, step_map

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def series(steps: list[int], values: list[float]) -> Series:
    return Series(np.array(steps, dtype=np.int64), np.array(values, dtype=np.float64))


def test_the_window_is_the_last_half_of_what_all_series_span_and_one_point_before() -> None:
    a, b = series([0, 10, 20, 30, 40], [1, 2, 3, 4, 5]), series([50, 60, 80], [1, 1, 1])
    window = Window([a, b], zoom=1)
    assert window.range == (40.0, 80.0)
    assert window(a).steps.tolist() == [30, 40] and window(b).steps.tolist() == [50, 60, 80]
    assert Window([a, b], zoom=0)(a) is a  # no zoom: the series itself
    assert Window([a, b], zoom=2).range == (60.0, 80.0)


def test_a_resumed_run_on_the_step_axis_is_cut_by_step_not_by_position() -> None:
    resumed = series([1, 2, 3, 4, 2, 3, 4, 5, 6], [9, 9, 9, 9, 1, 1, 1, 1, 1])
    window = Window([resumed], zoom=1)
    assert window.range == (3.5, 6.0)
    assert window(resumed).steps.tolist() == [4, 4, 5, 6]


def test_on_axis_leaves_out_what_the_axis_cannot_place(helpers: SimpleNamespace, tmp_path: Path) -> None:
    log = [{"loss": 1.0, "epoch": s / 10, "num_input_tokens_seen": 100 * s, "step": s} for s in (1, 2, 3)]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    tokens = step_map(state, XAxis.TOKENS)
    placed = on_axis(series([1, 2, 3, 4], [1, 2, 3, 4]), tokens)  # type: ignore[arg-type]
    assert placed.steps.tolist() == [100.0, 200.0, 300.0]  # step 4: past the last tokens count


def run(helpers: SimpleNamespace, tmp_path: Path, spike: float = 50.0, steps: int = 100):
    log = []
    for step in range(1, steps + 1):
        loss = spike if step == 50 else 1.0 + 1.0 / step
        log.append({"loss": loss, "learning_rate": 1e-4, "grad_norm": 0.5, "epoch": step / 50, "step": step})
        if step % 20 == 0:
            log.append({"eval_loss": 0.9, "epoch": step / 50, "step": step})
    return load_state(helpers.write_state(tmp_path, helpers.trainer_state(log, global_step=steps)))


def test_default_controls_prepare_what_the_overview_always_drew(helpers: SimpleNamespace, tmp_path) -> None:
    state = run(helpers, tmp_path)
    plain, controlled = prepare(state, 400), prepare(state, 400, controls=OVERVIEW)
    assert plain.loss.values.tolist() == controlled.loss.values.tolist()
    assert (plain.x_label, plain.x_range, plain.smoothing, plain.loss_log, plain.loss_range) == (
        "step", None, "", False, None,
    )  # fmt: skip


def test_smoothing_is_the_ema_of_the_whole_run_then_zoomed(helpers: SimpleNamespace, tmp_path) -> None:
    state = run(helpers, tmp_path)
    data = prepare(state, 400, controls=Controls(weight=0.9, robust=False, zoom=1))
    expected = ema(state.loss.values, 0.9)
    assert data.smoothing == "EMA 0.9" and data.x_range == (50.5, 100.0)
    assert data.loss_ma.steps.tolist() == list(range(50, 101))
    assert data.loss_ma.values.tolist() == pytest.approx(expected[49:].tolist())
    assert data.hist_counts.sum() == 51  # the losses in the window (and the one before it)
    assert data.latest["loss"] == (100, pytest.approx(1.01))  # the newest point, zoomed or not


def test_the_robust_range_leaves_the_spike_out_and_keeps_the_evals(
    helpers: SimpleNamespace, tmp_path
) -> None:
    state = run(helpers, tmp_path, spike=1e300, steps=300)  # one in 300: above the 99th percentile
    data = prepare(state, 400, controls=Controls(robust=True))
    lo, hi = data.loss_range
    assert hi < 3 and lo == pytest.approx(0.9)  # the eval losses (0.9) stay in view
    text = chart_text("loss", data, 60, 16)  # the spike drawn on the edge, not a hang or an error
    assert "cannot draw" not in text and len(text.split("\n")) == 16


def test_a_log_scale_leaves_out_losses_that_are_not_positive(helpers: SimpleNamespace, tmp_path) -> None:
    log = [{"loss": v, "step": s} for s, v in enumerate([2.0, 0.0, -1.0, 1.0, math.nan, 0.5], start=1)]
    state = load_state(helpers.write_state(tmp_path, helpers.trainer_state(log)))
    data = prepare(state, 400, controls=Controls(log=True, robust=False))
    assert data.loss.values.tolist() == [2.0, 1.0, 0.5] and data.loss_log
    assert bool(np.all(data.loss_ma.values > 0))
    first = chart_text("loss", data, 60, 16).split("\n")[0]
    assert "log" in first


def test_the_epoch_axis_moves_all_three_step_charts(helpers: SimpleNamespace, tmp_path) -> None:
    state = run(helpers, tmp_path)
    data = prepare(state, 400, controls=Controls(axis=XAxis.EPOCH, robust=False))
    assert data.x_label == "epoch"
    for s in (data.loss, data.lr, data.grad_norm, *data.evals.values()):
        assert s.steps.max() == pytest.approx(2.0)
    assert "x: epoch" in chart_text("grad_norm", data, 60, 16).split("\n")[0]


def test_a_zoomed_axis_is_the_window_with_the_ticks_inside(helpers: SimpleNamespace, tmp_path) -> None:
    state = run(helpers, tmp_path)
    data = prepare(state, 400, controls=Controls(zoom=1, robust=False))
    labels = ANSI.sub("", chart_text("lr", data, 60, 16)).split("\n")[-1].split()
    assert labels and all(50.5 <= float(label) <= 100 for label in labels), labels


def test_the_epoch_axis_is_labelled_in_epochs(helpers: SimpleNamespace, tmp_path) -> None:
    """The newest step (kept for the compact form) is no x value on another axis: the ticks are epochs."""
    state = run(helpers, tmp_path)
    data = prepare(state, 400, controls=Controls(axis=XAxis.EPOCH, robust=False))
    assert data.step_range() == (pytest.approx(0.02), pytest.approx(2.0))
    for chart in ("loss", "lr", "grad_norm"):
        labels = ANSI.sub("", chart_text(chart, data, 60, 16)).split("\n")[-1].split()
        assert labels and all(0 <= float(label) <= 2 for label in labels), (chart, labels)


def test_a_log_scale_stays_in_the_title_when_the_words_give_way(helpers: SimpleNamespace, tmp_path) -> None:
    """At 80-100 columns the loss chart's title gave way to its legend and "log" went with it."""
    state = run(helpers, tmp_path)
    data = prepare(state, 400, controls=Controls(log=True, robust=False))
    first = ANSI.sub("", chart_text("loss", data, 40, 16)).split("\n")[0]
    assert "Training loss" not in first and "log" in first and "loss" in first  # the legend kept too
