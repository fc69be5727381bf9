"""Every metric view is total: hostile logs (repeated and out-of-order steps, NaN, ±inf, 1e308, keys logged
once, strange names) go through the catalogue, the grid, the charts, the axes, the table, the list and the
CSV without an exception, and what comes out is drawable."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from trainmon_tui.files.state import load_state
from trainmon_tui.views.evaltable import eval_table
from trainmon_tui.views.metricchart import ChartOptions, prepare_metric
from trainmon_tui.views.metricgrid import filter_keys, grid_layout, page_keys
from trainmon_tui.views.metriclist import list_metrics, select_keys
from trainmon_tui.views.metrics import catalogue, headline
from trainmon_tui.views.widecsv import write_wide_csv
from trainmon_tui.views.xaxis import StepMap, XAxis, available_axes, step_map, times_series

KEYS = st.sampled_from(
    ["loss", "eval_loss", "eval_a_loss", "eval_a_accuracy", "epoch", "rewards/margins", "reward", "kl",
     "num_input_tokens_seen", "grad_norm", "=cmd", "a,b\nc", "eval_runtime"]
)  # fmt: skip
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 0.0, -0.0, 5e-324]),
    st.integers(-(2**70), 2**70),
    st.none(),
    st.text(max_size=3),
)
ENTRY = st.fixed_dictionaries({"step": st.integers(-5, 60)}, optional={"loss": VALUES}).flatmap(
    lambda base: st.dictionaries(KEYS, VALUES, max_size=6).map(lambda extra: {**extra, **base})
)


def _dump(log: list[dict[str, Any]]) -> str:
    return json.dumps({"log_history": log, "global_step": 60, "best_global_step": 3, "best_metric": 0.5})


@settings(max_examples=150, deadline=None)
@given(st.lists(ENTRY, max_size=25), st.integers(0, 3), st.sampled_from([0.0, 0.6, 0.99]), st.booleans())
def test_every_view_is_total(log: list[dict[str, Any]], zoom: int, weight: float, log_scale: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trainer_state.json"
        path.write_text(_dump(log), encoding="utf-8")
        state = load_state(path)
        keys = catalogue(state)
        assert set(headline(state)) <= set(keys)
        layout = grid_layout(100, 30, len(keys))
        _, on_page = page_keys(filter_keys(keys, "loss *a*"), layout.per_page, 0)
        times = times_series({int(s): float(s) * 2.0 for s in state.loss.steps.tolist()})
        axes = available_axes(state, times=times)
        assert axes[0] is XAxis.STEP
        for axis in axes:
            mapping = step_map(state, axis, times=times)
            assert isinstance(mapping, StepMap)
            for key in on_page or keys[:3]:
                options = ChartOptions(weight=weight, axis=mapping, log=log_scale, zoom=zoom)
                chart = prepare_metric(key, state.get(key), 2 * layout.chart_width, options)
                for curve in (chart.raw, chart.smoothed):
                    if curve is not None:
                        assert np.isfinite(curve.values).all() and np.isfinite(curve.steps).all()
                if chart.y_range is not None:
                    assert all(math.isfinite(v) for v in chart.y_range)
        table = eval_table(state)
        assert [r.step for r in table.rows] == sorted((r.step for r in table.rows), reverse=True)
        assert all(len(r.cells) == len(table.columns) for r in table.rows)
        assert len(list_metrics(state)) == len(state.series)
        select_keys(keys, "*,loss,[")
        written = write_wide_csv(Path(folder) / "out.csv", state.series)
        assert written.rows == len(
            {int(s) for series in state.series.values() for s in series.steps.tolist()}
        )
