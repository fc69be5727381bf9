"""Rows 9 and 10: the metrics view's page 1, and a filter applied, on a run of many keys x many steps.

What the metrics view does for a page, without the widgets: the catalogue of the run's keys (and, for
row 10, the ``/`` filter over it), the grid for a 160x48 pane, then for each chart on the page its data
(:func:`~trainmon_tui.views.metricchart.prepare_metric`, downsampled for its width) and its terminal text
(:func:`~trainmon_tui.views.metricplot.metric_chart_text`). The naive way draws the same page's series
with plotext, unreduced but for a cap of :data:`NAIVE_POINTS` points each (the full 200,000 would take
~1.8 s a chart, ~40 s a page): the ratio understates what downsampling saves.

The run is built in memory (100 keys x 200,000 steps is 20 million values, a JSON file of ~400 MB that
the view never reads again: paging and filtering cost no disk reads).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from benchmarks.util import Row, interleaved, median
from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.views.metricchart import prepare_metric
from trainmon_tui.views.metricgrid import filter_keys, grid_layout, page_keys
from trainmon_tui.views.metricplot import metric_chart_text
from trainmon_tui.views.metrics import catalogue

PANE_W, PANE_H = 160, 44  # a 160x48 terminal less the info bar, tabs and footer
KEYS = 100
NAIVE_POINTS = 20_000
FILTER = "reward margin"

Log = Callable[[str], None]


def synthetic_state(steps: int, keys: int = KEYS) -> TrainerState:
    """A DPO-like run of ``keys`` numeric series over ``steps`` logged steps, built in memory."""
    rng = np.random.default_rng(5)
    at = np.arange(1, steps + 1, dtype=np.int64)
    names = ["loss", "grad_norm", "learning_rate", "rewards/margins", "rewards/accuracies"]
    names += [f"custom/metric_{i:03d}" for i in range(keys - len(names) - 5)]
    names += [f"rewards/margin_{i}" for i in range(5)]
    series = {
        name: Series(at, np.cumsum(rng.normal(0, 0.01, steps)) + rng.normal(0, 0.05, steps)) for name in names
    }
    return TrainerState(
        source=Path("trainer_state.json"), checkpoint=f"checkpoint-{steps}", mtime=0.0, size=0,
        global_step=steps, max_steps=steps, epoch=1.0, num_train_epochs=1.0, logging_steps=1,
        eval_steps=None, save_steps=None, train_batch_size=None, num_input_tokens_seen=None,
        best_metric=None, best_model_checkpoint=None, best_global_step=None, n_entries=steps,
        series=series,
    )  # fmt: skip


def _page(state: TrainerState, keys: list[str]) -> list[str]:
    layout = grid_layout(PANE_W, PANE_H, len(keys))
    _, shown = page_keys(keys, layout.per_page, 0)
    return [
        metric_chart_text(
            prepare_metric(key, state.series[key], 2 * layout.chart_width),
            layout.chart_width,
            layout.chart_height,
        )
        for key in shown
    ]


def _naive_page(state: TrainerState, keys: list[str]) -> None:
    from plotext._figure import _figure_class

    layout = grid_layout(PANE_W, PANE_H, len(keys))
    _, shown = page_keys(keys, layout.per_page, 0)
    for key in shown:
        series = state.series[key]
        figure = _figure_class()
        figure.plotsize(layout.chart_width, layout.chart_height)
        figure.plot(series.steps[:NAIVE_POINTS].tolist(), series.values[:NAIVE_POINTS].tolist())
        figure.title(key)
        figure.build()


def rows_metrics_view(steps: int, repeats: int, log: Log) -> tuple[Row, Row]:
    state = synthetic_state(steps)
    capped = min(steps, NAIVE_POINTS)

    def page_one() -> None:
        _page(state, catalogue(state))

    def filtered() -> None:
        _page(state, filter_keys(catalogue(state), FILTER))

    def naive_one() -> None:
        _naive_page(state, catalogue(state))

    def naive_filtered() -> None:
        _naive_page(state, filter_keys(catalogue(state), FILTER))

    page_one()  # warm-up: plotext's first build imports and caches
    a, b = interleaved(page_one, naive_one, repeats)
    c, d = interleaved(filtered, naive_filtered, repeats)
    shown = grid_layout(PANE_W, PANE_H, KEYS).per_page
    log(f"metrics view: page 1 {median(a) * 1000:.0f} ms, filtered {median(c) * 1000:.0f} ms")
    what = f"{KEYS} keys x {steps:,} steps, {PANE_W}x{PANE_H} pane ({shown} charts a page)"
    naive = f"plotext on each chart's series, unreduced (capped at {capped:,} points)"
    return (
        Row(
            "9",
            f"metrics view page 1 (catalogue, prepare_metric, metric_chart_text), {what}",
            "<= 500 ms (well under 1 s)",
            median(a) * 1000,
            median(b) * 1000,
            naive,
            "ms",
            median(a) < 0.5,
        ),
        Row(
            "10",
            f"metrics view, filter `/{FILTER}` applied and its page 1 drawn, {what}",
            "<= 500 ms (well under 1 s)",
            median(c) * 1000,
            median(d) * 1000,
            naive,
            "ms",
            median(c) < 0.5,
        ),
    )
