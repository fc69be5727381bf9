"""Markers on the charts at the alerts' steps: set by the pipeline from the health report, kept for a new
width, drawn as vertical lines within the step range (none on the histogram)."""

from __future__ import annotations

import numpy as np

from trainmon_tui.files.model import Series
from trainmon_tui.files.state import StateCache
from trainmon_tui.health.monitor import HealthMonitor
from trainmon_tui.pipeline import prepare_charts, take_snapshot, with_charts
from trainmon_tui.simulate import RunConfig, write_run
from trainmon_tui.views.alertmarks import draw_marks
from trainmon_tui.views.chartdata import ChartData
from trainmon_tui.views.charts import chart_text


class Recorder:
    def __init__(self) -> None:
        self.lines: list[tuple[float, int | None]] = []

    def vline(self, coordinate: float, color: int | None = None) -> None:
        self.lines.append((coordinate, color))


def _data(marks: tuple[tuple[int, str], ...]) -> ChartData:
    steps = np.arange(10, 110, 10, dtype=np.int64)
    return ChartData(loss=Series(steps, np.linspace(2, 1, 10)), alert_marks=marks)


def test_lines_within_the_step_range_coloured_by_severity():
    plt = Recorder()
    draw_marks(plt, "loss", _data(((30, "critical"), (55, "warning"), (500, "critical"))))
    assert plt.lines == [(55, 11), (30, 9)]  # 500 is beyond the chart's steps; critical drawn last
    hist = Recorder()
    draw_marks(hist, "hist", _data(((30, "critical"),)))
    assert hist.lines == []


def test_a_marked_chart_draws_its_line():
    plain = chart_text("loss", _data(()), 60, 16)
    marked = chart_text("loss", _data(((50, "critical"),)), 60, 16)
    assert marked != plain and "\x1b[38;5;9m│" in marked and "\x1b[38;5;9m│" not in plain


def test_the_pipeline_marks_the_alerts_and_keeps_them_for_a_new_width(tmp_path):
    outputs = tmp_path / "run"
    write_run(outputs, [20, 40], RunConfig(max_steps=100, nan_steps=frozenset({33})))
    snapshot = take_snapshot(outputs, cache=StateCache(), max_points=200, monitor=HealthMonitor())
    assert snapshot.charts is not None
    assert snapshot.charts.alert_marks == ((33, "critical"), (33, "warning"))
    charts, error = prepare_charts(snapshot.state, 80)
    wider = with_charts(snapshot, charts, error, 80)
    assert wider.charts is not None and wider.charts.alert_marks == snapshot.charts.alert_marks
    unmarked = take_snapshot(outputs, cache=StateCache(), max_points=200)
    assert unmarked.charts is not None and unmarked.charts.alert_marks == ()


def test_unchanged_marks_keep_the_same_chart_data(tmp_path):
    outputs = tmp_path / "run"
    write_run(outputs, [20], RunConfig(max_steps=100, nan_steps=frozenset({15})))
    cache, monitor = StateCache(), HealthMonitor()
    first = take_snapshot(outputs, cache=cache, max_points=200, monitor=monitor)
    again = take_snapshot(outputs, cache=cache, max_points=200, monitor=monitor, reuse=first)
    assert again.charts is first.charts  # no redraw for nothing
