"""``-p`` and ``-s`` with ``--metrics``: the picked series as metric charts, smoothed, on an x-axis, log.

Without ``--metrics`` the two stay the four charts (:mod:`.charts`). With it, each picked series
(:mod:`.picking`, among the charts) is prepared by :func:`~trainmon_tui.views.metricchart.prepare_metric`
with the flags' options, and drawn: in the terminal as a grid that fits it (as many as fit; a line on
stderr says how many were left out), or as a PNG grid (:mod:`~trainmon_tui.views.metricfigures`), written
as ``-s`` writes, never overwriting. An x-axis the run cannot give (``--x tokens`` without
``num_input_tokens_seen`` or TRL's ``num_tokens``, ``--x time`` without a live log) is one line naming
what is missing, exit 1: the command was right, the run lacks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.cli.charts import chart_size, write_chart, writing_into
from trainmon_tui.cli.loading import RunRead
from trainmon_tui.cli.messages import CliError, say
from trainmon_tui.cli.picking import pick_keys
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.metricchart import ChartOptions, MetricChart, prepare_metric
from trainmon_tui.views.xaxis import StepMap, XAxis, live_times, step_map

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_POINTS = 800  # per curve in one panel of the PNG: two per pixel
AXIS_CODE = 1


def axis_map(run: RunRead, axis: str | None) -> StepMap | None:
    """``--x``'s mapping (None: steps), or CliError (exit 1) naming what the run lacks."""
    if axis is None or axis == XAxis.STEP.value:
        return None
    mapping = step_map(run.state, XAxis(axis), times=live_times(run.live))
    if isinstance(mapping, StepMap):
        return mapping
    raise CliError(f"--x {axis}: this run cannot give it: {mapping.reason}", AXIS_CODE)


@dataclass(frozen=True, slots=True)
class Picked:
    """The series ``--metrics`` picked and the options to draw them with, checked before any output."""

    run: RunRead
    keys: list[str]
    options: ChartOptions

    def charts(self, max_points: int, count: int | None = None) -> list[MetricChart]:
        """The first ``count`` (all) picked series prepared for ``max_points`` points per curve."""
        series = self.run.state.series
        keys = self.keys if count is None else self.keys[:count]
        return [prepare_metric(key, series[key], max_points, self.options) for key in keys]


def pick_charts(
    run: RunRead, patterns: Sequence[str], *, weight: float, axis: str | None, log: bool
) -> Picked:
    """The picked charts with the flags' options, in the patterns' order; CliError (exit 1) for a pattern
    that matches no chart or an axis the run cannot give."""
    options = ChartOptions(weight=weight, axis=axis_map(run, axis), log=log)
    return Picked(run, pick_keys(run.state, patterns, charts=True), options)


def print_metrics_plot(picked: Picked, lang: Lang) -> None:
    """``-p --metrics``: as many charts as fit the terminal; a note on stderr for those left out."""
    from trainmon_tui.views.metricterminal import fitting, metric_grid_text

    width, height = chart_size()
    _, shown, points = fitting(width, height, len(picked.keys))
    write_chart(metric_grid_text(picked.charts(points, shown), width, height, lang, theme="clear"))
    left_out_note(shown, len(picked.keys), f"{shown} fit this terminal")


def left_out_note(shown: int, total: int, how: str) -> None:
    """One line on stderr when not every picked series fits."""
    if total > shown:
        say(f"note: {total - shown} of {total} series left out ({how}); narrow --metrics to see them")


def save_metrics_plot(picked: Picked, target: Path, lang: Lang, force: bool) -> None:
    """``-s --metrics``: the PNG grid at ``target`` (a folder: a new name in it); says where."""
    from trainmon_tui.views.export import save_figure, save_figure_unique
    from trainmon_tui.views.metricfigures import MAX_PANELS, metrics_figure
    from trainmon_tui.views.runname import dashboard_title, export_stem

    run = picked.run
    charts = picked.charts(PNG_POINTS, MAX_PANELS)

    def build() -> Figure:
        return metrics_figure(charts, dashboard_title(run.state, lang), lang)

    with writing_into(target):
        if target.is_dir():
            stem = f"{export_stem(run.state, datetime.now())}_metrics"
            path = save_figure_unique(build, target, stem)
        else:
            path = save_figure(build, target, overwrite=force)
    left_out_note(len(charts), len(picked.keys), f"the PNG holds {MAX_PANELS} panels at most")
    say(f"saved: {path}")
