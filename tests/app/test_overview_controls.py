"""The chart keys in the overview under Pilot: one set of controls for the three step charts (zoom and
x-axis shared, smoothing, log scale and robust range on the loss chart), prepared in a thread."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from builders.apps import make_app, until, until_shown
from textual import events

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.views.chartdata import ChartData
from trainmon_tui.views.charts import chart_text


def run(helpers: SimpleNamespace, tmp_path: Path) -> Path:
    """400 steps, an epoch every 100, a loss spike at 200, an evaluation every 50."""
    log: list[dict[str, float]] = []
    for step in range(1, 401):
        loss = 50.0 if step == 200 else 2.0 / (1 + step / 50)
        log.append({"loss": loss, "learning_rate": 1e-4 * (1 - step / 400), "grad_norm": 1.0 + step % 3,
                    "epoch": step / 100, "step": step})  # fmt: skip
        if step % 50 == 0:
            log.append({"eval_loss": 1.5 / (1 + step / 50), "epoch": step / 100, "step": step})
    outputs = tmp_path / "outputs"
    helpers.write_state(
        outputs / "checkpoint-400", helpers.trainer_state(log, global_step=400, max_steps=400)
    )
    return outputs


def charts(app: TrainmonApp) -> ChartData:
    return app.query_one("#chart-loss", ChartPane).data


def drawn(app: TrainmonApp) -> ChartData | None:
    """The chart data on screen once it was prepared for the controls of the moment."""
    snapshot = app.snapshot
    if snapshot is None or snapshot.controls != app.chart_controls or snapshot.charts is None:
        return None
    return charts(app) if charts(app) is snapshot.charts else None


async def test_zoom_smoothing_log_robust_and_x_axis(helpers: SimpleNamespace, tmp_path: Path) -> None:
    app, _ = make_app(run(helpers, tmp_path), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_shown(app, lambda s: s.charts is not None)
        whole = charts(app)
        assert whole.step_range() == (1.0, 400.0) and whole.smoothing == "" and whole.loss_range is None

        await pilot.press("z")  # the last half of the run, on all three step charts
        await until(app, lambda: (d := drawn(app)) is not None and d.x_range is not None)
        data = charts(app)
        assert data.x_range == (200.5, 400.0)
        for series in (data.loss, data.lr, data.grad_norm):
            assert series.steps[1] >= 200.5 and series.steps[-1] == 400  # one point before the window
        assert data.hist_counts.sum() < whole.hist_counts.sum()  # the losses in the window
        await pilot.press("Z")
        await until(app, lambda: (d := drawn(app)) is not None and d.x_range is None)

        await pilot.press("m")  # EMA 0.6 instead of the moving average, the weight in the legend
        await until(app, lambda: (d := drawn(app)) is not None and d.smoothing == "EMA 0.6")
        assert "EMA 0.6" in chart_text("loss", charts(app), 60, 16)

        await pilot.press("o")  # the spike at step 200 is outside the robust range
        await until(app, lambda: (d := drawn(app)) is not None and d.loss_range is not None)
        lo, hi = charts(app).loss_range
        assert hi < 50.0 and lo <= 1.5 / 9  # the eval losses stay in view

        await pilot.press("l")
        await until(app, lambda: (d := drawn(app)) is not None and d.loss_log)
        assert "log" in chart_text("loss", charts(app), 60, 16).split("\n")[0]
        assert bool(np.all(charts(app).loss.values > 0))

        await pilot.press("x")  # epoch: the step charts' x values are epochs
        await until(app, lambda: (d := drawn(app)) is not None and d.x_label == "epoch")
        data = charts(app)
        assert data.loss.steps[-1] == pytest.approx(4.0) and data.lr.steps[0] == pytest.approx(0.01)
        title = chart_text("lr", data, 60, 16).split("\n")[0]
        assert "x: epoch" in title
        await pilot.press("x")  # no tokens, no live log: back to steps
        await until(app, lambda: (d := drawn(app)) is not None and d.x_label == "step")


async def test_controls_hold_across_a_new_checkpoint_and_a_resize(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    outputs = run(helpers, tmp_path)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_shown(app, lambda s: s.charts is not None)
        await pilot.press("plus", "plus")  # + zooms every chart: here the overview's
        await until(app, lambda: (d := drawn(app)) is not None and d.x_range == (300.25, 400.0))
        log = [{"loss": 0.1, "learning_rate": 1e-6, "grad_norm": 1.0, "epoch": s / 100, "step": s}
               for s in range(401, 501)]  # fmt: skip
        document = json.loads((outputs / "checkpoint-400" / "trainer_state.json").read_text())
        document["log_history"] += log
        document["global_step"] = 500
        helpers.write_state(outputs / "checkpoint-500", document)
        app.reloads.now(force=True)
        await until(app, lambda: (d := drawn(app)) is not None and d.step_range() is not None
                    and d.step_range()[1] == 500)  # fmt: skip
        assert charts(app).x_range == (375.25, 500.0)
        await pilot.resize_terminal(90, 30)
        await until(app, lambda: drawn(app) is not None and app.snapshot.max_points == 180)
        assert charts(app).x_range == (375.25, 500.0)


async def test_the_mouse_wheel_over_a_chart_zooms_the_step_charts(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    app, _ = make_app(run(helpers, tmp_path), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await until_shown(app, lambda s: s.charts is not None)
        pane = app.query_one("#chart-lr", ChartPane)
        await pilot._post_mouse_events([events.MouseScrollUp], pane, offset=(10, 5))
        await until(app, lambda: (d := drawn(app)) is not None and d.x_range == (200.5, 400.0))
        await pilot._post_mouse_events([events.MouseScrollDown], pane, offset=(10, 5))
        await until(app, lambda: (d := drawn(app)) is not None and d.x_range is None)
