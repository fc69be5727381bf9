"""One metric chart in the terminal (views.metricplot): every size, every shape of data, every control, and
the key from the file shown as text, never obeyed by the terminal."""

from __future__ import annotations

import itertools
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from trainmon_tui.files.model import Series
from trainmon_tui.views.metricchart import ChartOptions, MetricChart, prepare_metric
from trainmon_tui.views.metricplot import RAW_BEHIND, chart_title, metric_chart_text
from trainmon_tui.views.xaxis import LABELS, StepMap, XAxis

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def series(values: object, steps: object = None) -> Series:
    v = np.asarray(values, dtype=np.float64)
    s = np.arange(1, len(v) + 1) if steps is None else np.asarray(steps)
    return Series(s.astype(np.int64), v)


EPOCHS = StepMap(XAxis.EPOCH, LABELS[XAxis.EPOCH], np.array([0, 1000]), np.array([0.0, 2.0]), rate=0.002)

SHAPES: dict[str, Series] = {
    "empty": series([]),
    "one point": series([0.5]),
    "constant": series(np.full(50, 0.3)),
    "1e-12 to 1e12": series(np.logspace(-12, 12, 200)),
    "zeros and negatives": series(np.linspace(-1.0, 1.0, 101)),
    "only NaN and inf": series([math.nan, math.inf, -math.inf, math.nan]),
    "resume: steps go back": series(
        np.linspace(2.0, 0.1, 200), np.concatenate([np.arange(1, 101), np.arange(50, 150)])
    ),
    "huge magnitudes": series([1e300, -1e300, 1e-300, 5e-324, 1.7e308]),
    "a spike": series(np.r_[np.linspace(1.0, 0.5, 500), [1e6], np.linspace(0.5, 0.4, 499)]),
}
OPTIONS: dict[str, ChartOptions] = {
    "plain": ChartOptions(),
    "log": ChartOptions(log=True),
    "smoothed": ChartOptions(weight=0.9),
    "smoothed log robust": ChartOptions(weight=0.99, log=True, robust=True),
    "zoomed": ChartOptions(zoom=3),
    "epoch axis": ChartOptions(axis=EPOCHS, weight=0.6),
}


def chart_of(shape: str, option: str, points: int = 120) -> MetricChart:
    return prepare_metric("train/loss", SHAPES[shape], points, OPTIONS[option])


def assert_block(text: str, width: int, height: int) -> None:
    lines = ANSI.sub("", text).split("\n") if text else []
    assert len(lines) == height, (len(lines), height)
    assert all(cell_len(line) == width for line in lines), [cell_len(line) for line in lines]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("size", [(80, 24), (32, 9), (20, 6), (19, 6), (40, 3), (1, 1), (0, 0)])
def test_every_shape_and_control_at_every_kind_of_size(
    shape: str, option: str, size: tuple[int, int]
) -> None:
    width, height = size
    assert_block(metric_chart_text(chart_of(shape, option), width, height), width, height)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 250),
    st.integers(1, 80),
    st.sampled_from(sorted(SHAPES)),
    st.sampled_from(sorted(OPTIONS)),
)
def test_any_size_draws_exactly_its_cells(width: int, height: int, shape: str, option: str) -> None:
    assert_block(metric_chart_text(chart_of(shape, option), width, height), width, height)


def test_drawing_twice_gives_the_same_text() -> None:
    """A fresh figure per build: plotext's in-place changes never reach the second render (a resize)."""
    for shape, option in itertools.product(("1e-12 to 1e12", "a spike"), ("log", "smoothed log robust")):
        chart = chart_of(shape, option)
        assert metric_chart_text(chart, 60, 16) == metric_chart_text(chart, 60, 16)


def test_the_title_names_the_key_and_what_is_not_the_default() -> None:
    chart = chart_of("a spike", "epoch axis")
    assert chart_title(chart) == "train/loss  EMA 0.6  x: epoch"
    assert "train/loss  EMA 0.6  x: epoch" in ANSI.sub("", metric_chart_text(chart, 80, 20))
    assert chart_title(chart_of("a spike", "log")) == "train/loss  log"


def test_smoothing_draws_the_raw_curve_grey_behind() -> None:
    plain = metric_chart_text(chart_of("a spike", "plain"), 80, 20)
    smoothed = metric_chart_text(chart_of("a spike", "smoothed"), 80, 20)
    assert RAW_BEHIND == "gray"
    grey = "\x1b[38;5;8m"  # plotext's "gray": colour 8 of the 256
    assert grey in smoothed and grey not in plain
    assert "\x1b[38;5;6m" in smoothed and "\x1b[38;5;6m" in plain  # the curve in its colour (cyan)


def test_too_small_to_draw_is_the_title_and_the_latest_value() -> None:
    text = metric_chart_text(chart_of("constant", "plain"), 19, 5)
    assert ANSI.sub("", text).split("\n")[:2] == ["train/loss".ljust(19), "0.3 @ 50".ljust(19)]


def test_nothing_to_draw_says_so() -> None:
    assert "no data" in metric_chart_text(chart_of("only NaN and inf", "plain"), 60, 16)


@pytest.mark.parametrize("key", ["[red]x[/red]", "\x1b[2Jwiped", "bidi\u202eevil", "a\nb"])
def test_a_key_from_the_file_is_shown_not_obeyed(key: str) -> None:
    chart = prepare_metric(key, SHAPES["constant"], 100, ChartOptions())
    for width, height in ((80, 20), (19, 5)):
        text = metric_chart_text(chart, width, height)
        plain = ANSI.sub("", text)
        assert "\x1b[2J" not in text and "\u202e" not in text
        assert_block(text, width, height)
        if key.startswith("["):
            assert "[red]x" in plain  # markup is data: shown as typed


def test_an_epoch_axis_shows_the_whole_run_from_its_first_point() -> None:
    """Ticks inside the window must not become the window: an epoch axis from 0.0015 to 3 once started
    at its first round tick, 0.5, and a sixth of the run was off the chart."""
    epochs = StepMap(XAxis.EPOCH, LABELS[XAxis.EPOCH], np.array([0, 10000]), np.array([0.0, 3.0]), rate=3e-4)
    values = np.r_[np.full(200, 5.0), np.full(1800, 1.0)]  # high before epoch 0.3 only
    chart = prepare_metric("m", series(values, np.arange(1, 2001) * 5), 100, ChartOptions(axis=epochs))
    assert chart.x_range is not None and chart.x_range[0] < 0.01
    rows = ANSI.sub("", metric_chart_text(chart, 50, 12)).split("\n")
    plot = [row[row.index("│") + 1 :] for row in rows[1:4] if "│" in row]  # the top rows: the level 5.0
    assert any(cell.strip() for row in plot for cell in row[:-1]), rows
