"""A chart too small to draw is its title and latest value, which never run into the next chart: the
last cell of each line stays blank, and text that does not fit ends in an ellipsis, in display cells
(a CJK character is two)."""

from __future__ import annotations

import numpy as np
import pytest
from rich.cells import cell_len

from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import Series
from trainmon_tui.views import charts, metricplot
from trainmon_tui.views.chartdata import CHART_NAMES, prepare
from trainmon_tui.views.metricchart import ChartOptions, prepare_metric

WIDTHS = [1, 2, 3, 5, 8, 11, 14, 19, 30, 60]


def _data():
    log = [
        {"loss": 4.724e-05, "grad_norm": 2.778e-07, "learning_rate": 1e-5, "step": s} for s in range(1, 201)
    ]
    return prepare(
        build_state({"log_history": log, "global_step": 200}, __import__("pathlib").Path("x.json"))
    )


def _full_texts(chart, data, lang):
    return charts.compact_lines(chart, data, 500, 2, lang)


def _check(lines: list[str], full: list[str], width: int, height: int) -> None:
    assert len(lines) == height
    for line, whole in zip(lines, full + [""] * height, strict=False):
        assert cell_len(line) == width, (line, width)
        assert line.endswith(" "), line  # the gap to the chart beside it
        text = whole.rstrip()
        if width == 1:
            assert line == " "
        elif cell_len(text) <= width - 1:
            assert line.rstrip() == text
        else:
            assert line.rstrip().endswith("…"), (line, text)
            assert text.startswith(line.rstrip()[:-1]), (line, text)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("height", [1, 2, 4])
@pytest.mark.parametrize("chart", CHART_NAMES)
def test_four_charts_compact_form_leaves_a_gap_and_an_ellipsis(chart, width, height, lang) -> None:
    data = _data()
    lines = charts.compact_lines(chart, data, width, height, lang)
    full = _full_texts(chart, data, lang) if height >= 2 else charts.compact_lines(chart, data, 500, 1, lang)
    _check(lines, full, width, height)


def test_two_compact_charts_side_by_side_do_not_run_together() -> None:
    data = _data()
    loss, grad = (charts.compact_lines(c, data, 14, 2, "en") for c in ("loss", "grad_norm"))
    row = loss[1] + grad[1]
    assert "202.778" not in row and "… " in row


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("height", [1, 2, 3])
def test_metric_charts_compact_form_leaves_a_gap_and_an_ellipsis(width, height, lang) -> None:
    chart = prepare_metric(
        "train/很长的中文指标名", Series(np.arange(1.0, 51.0), np.linspace(1, 2, 50)), 50, ChartOptions()
    )
    lines = metricplot.compact_lines(chart, width, height, lang)
    full = metricplot.compact_lines(chart, 500, 2 if height >= 2 else 1, lang)
    _check(lines, full, width, height)
