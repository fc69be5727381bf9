"""The metrics view under Pilot, on the real GRPO and multi-eval runs: tabs, paging, the filter, focus, full
size, every chart control, the mouse wheel, keys from files shown literally, new keys mid-run, every size.

Each test waits for what the widgets show (``until``: checked after every message the app handles, the
view's ``MetricsShown`` among them), never for a time.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from builders.apps import make_app, until, until_shown
from builders.fixtures import needs_real, real_run
from textual import events
from textual.widgets import ContentSwitcher, Input

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.ui.widgets.metricsview import MetricsView
from trainmon_tui.views.metrics import catalogue
from trainmon_tui.views.xaxis import XAxis

GRPO = "16_trl_grpo_new_tokens_seen.json"
MULTI_EVAL = "09_new_multi_eval_datasets_prefixed.json"


def view(app: TrainmonApp) -> MetricsView:
    return app.query_one(MetricsView)


def grid_panes(app: TrainmonApp) -> list[MetricPane]:
    return [p for p in view(app).query("#metrics-grid MetricPane").results(MetricPane) if p.key]


def ready(app: TrainmonApp) -> bool:
    """Every chart on the grid (or the full-size one) drawn from data prepared for it."""
    metrics = view(app)
    if metrics.full:
        pane = app.query_one("#metrics-full", MetricPane)
        return pane.ready and pane.chart is not None and pane.chart.key == metrics.focused_key
    panes = grid_panes(app)
    return bool(panes) and all(p.ready and p.chart is not None and p.chart.key == p.key for p in panes)


def focused_pane(app: TrainmonApp) -> MetricPane:
    return next(p for p in grid_panes(app) if p.has_class("-focused"))


async def open_metrics(app: TrainmonApp, pilot) -> MetricsView:
    await until_shown(app, lambda s: s.state is not None)
    await pilot.press("2")
    await until(app, lambda: ready(app))
    return view(app)


@needs_real
async def test_tabs_switch_views_and_the_footer_follows(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_shown(app, lambda s: s.state is not None)
        assert "slash" not in app.active_bindings  # the metrics keys are not the overview's
        await open_metrics(app, pilot)
        switcher = app.query_one(ContentSwitcher)
        assert switcher.current == "metrics"
        assert "[2 Metrics]" in str(app.query_one("#tabs").render())
        assert {"slash", "n", "l", "m", "x", "z", "o"} <= set(app.active_bindings)
        assert "b" not in app.active_bindings  # the side pane is the overview's
        await pilot.press("3")
        await until(app, lambda: switcher.current == "evals")
        assert "slash" not in app.active_bindings
        await pilot.press("1")
        await until(app, lambda: switcher.current == "overview")
        assert "b" in app.active_bindings


@needs_real
async def test_pages_turn_with_n_and_pagedown(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        metrics = await open_metrics(app, pilot)
        keys = catalogue(app.snapshot.state)
        per_page = metrics.layout_now.per_page
        assert [p.key for p in grid_panes(app)] == keys[:per_page]
        total = -(-len(keys) // per_page)
        assert f"page 1 of {total}" in str(app.query_one("#metrics-header").render())
        await pilot.press("n")
        await until(app, lambda: ready(app) and grid_panes(app)[0].key == keys[per_page])
        assert f"page 2 of {total}" in str(app.query_one("#metrics-header").render())
        await pilot.press("N")
        await until(app, lambda: ready(app) and grid_panes(app)[0].key == keys[0])
        await pilot.press("pagedown")
        await until(app, lambda: ready(app) and grid_panes(app)[0].key == keys[per_page])
        await pilot.press("pageup")
        await until(app, lambda: ready(app) and grid_panes(app)[0].key == keys[0])


@needs_real
async def test_the_filter_keeps_any_term_and_escape_clears_it(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        metrics = await open_metrics(app, pilot)
        await pilot.press("slash")
        field = app.query_one("#metrics-filter", Input)
        await until(app, lambda: field.has_focus)
        await pilot.press(*"kl", "space", *"std")
        await until(app, lambda: ready(app) and metrics.filter_text == "kl std")
        assert metrics.shown == [k for k in metrics.keys if "kl" in k or "std" in k]
        assert {p.key for p in grid_panes(app)} == set(metrics.shown)
        await pilot.press("enter")  # the filter stays, the arrows are the grid's again
        await until(app, lambda: metrics.has_focus)
        before = metrics.focus_index
        await pilot.press("right")
        await until(app, lambda: metrics.focus_index == before + 1)
        focused = metrics.focused_key
        await pilot.press("escape")
        await until(app, lambda: ready(app) and metrics.filter_text == "" and not field.display)
        assert metrics.shown == metrics.keys
        assert metrics.focused_key == focused  # the focus kept on its key (refocus)


@needs_real
async def test_arrows_move_the_focus_and_enter_shows_it_full_size(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        metrics = await open_metrics(app, pilot)
        cols = metrics.layout_now.cols
        assert cols > 1
        await pilot.press("right")
        await until(app, lambda: focused_pane(app).key == metrics.keys[1])
        await pilot.press("down")
        await until(app, lambda: focused_pane(app).key == metrics.keys[1 + cols])
        await pilot.press("left", "up")
        await until(app, lambda: focused_pane(app).key == metrics.keys[0])
        await pilot.press("right", "enter")
        await until(app, lambda: metrics.full and ready(app))
        full = app.query_one("#metrics-full", MetricPane)
        assert full.key == metrics.keys[1] and full.size.width > 100
        await pilot.press("escape")
        await until(app, lambda: not metrics.full and ready(app))
        assert focused_pane(app).key == metrics.keys[1]


@needs_real
async def test_chart_controls_on_the_focused_chart_and_on_all(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        metrics = await open_metrics(app, pilot)
        await pilot.press("right")  # reward: positive and negative values, not loss-like
        await until(app, lambda: metrics.focused_key == "reward")

        def chart():  # the focused chart as drawn, once prepared for its controls
            pane = focused_pane(app)
            return pane.chart if ready(app) and pane.chart is not None else None

        await pilot.press("l")
        await until(app, lambda: (c := chart()) is not None and c.log)
        await pilot.press("m")
        await until(app, lambda: (c := chart()) is not None and c.smoothing == "EMA 0.6")
        assert chart().smoothed is not None and chart().log
        for label in ("EMA 0.9", "EMA 0.99", ""):
            await pilot.press("m")
            await until(app, lambda label=label: (c := chart()) is not None and c.smoothing == label)
        await pilot.press("x")
        await until(app, lambda: (c := chart()) is not None and c.x_label == "epoch")
        await pilot.press("x")
        await until(app, lambda: metrics.controls_of("reward").axis is XAxis.TOKENS and chart() is not None)
        await pilot.press("x")
        await until(app, lambda: (c := chart()) is not None and c.x_label == "step")
        await pilot.press("z")
        await until(app, lambda: metrics.controls_of("reward").zoom == 1 and chart() is not None)
        whole = prepared_range(metrics, "reward", zoom=0)
        lo, hi = chart().x_range
        assert (hi - lo) == pytest.approx((whole[1] - whole[0]) / 2)
        await pilot.press("Z")
        await until(app, lambda: (c := chart()) is not None and c.x_range == whole)
        assert not chart().robust
        await pilot.press("o")
        await until(app, lambda: (c := chart()) is not None and c.robust)
        # Capitals: every chart as the focused one becomes (here: robust off, log off for all).
        await pilot.press("O")
        await until(app, lambda: ready(app) and not any(p.chart.robust for p in grid_panes(app)))
        await pilot.press("L")
        await until(app, lambda: ready(app) and all(not p.chart.log for p in grid_panes(app)))
        await pilot.press("L")
        await until(app, lambda: ready(app) and all(p.chart.log for p in grid_panes(app)))


def prepared_range(metrics: MetricsView, key: str, zoom: int) -> tuple[float, float]:
    from trainmon_tui.ui.metricwork import prepare_requests

    controls = metrics.controls_of(key)
    request = (key, dataclasses.replace(controls, zoom=zoom), 100)
    chart = prepare_requests(metrics.state, metrics.axes, [request])[request]
    assert chart is not None and chart.x_range is not None
    return chart.x_range


@needs_real
async def test_the_mouse_wheel_zooms_the_chart_under_it(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        metrics = await open_metrics(app, pilot)
        second = grid_panes(app)[1]
        await pilot.click(second, offset=(5, 3))  # a click focuses it
        await until(app, lambda: metrics.focused_key == second.key)
        key = second.key
        await pilot._post_mouse_events([events.MouseScrollUp], second, offset=(5, 3))
        await until(app, lambda: metrics.controls_of(key).zoom == 1)
        await pilot._post_mouse_events([events.MouseScrollDown], second, offset=(5, 3))
        await until(app, lambda: metrics.controls_of(key).zoom == 0)


@needs_real
async def test_plus_and_minus_zoom_every_chart(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        metrics = await open_metrics(app, pilot)
        await until(app, lambda: ready(app))
        keys = [p.key for p in grid_panes(app)]
        assert len(keys) >= 4
        await pilot.press("plus")
        await until(app, lambda: ready(app) and all(p.chart.x_range is not None for p in grid_panes(app)))
        await until(app, lambda: all(metrics.controls_of(k).zoom == 1 for k in metrics.keys))
        await until(app, lambda: ready(app) and all(c.zoom == 1 for c in map(metrics.controls_of, keys)))
        for pane in grid_panes(app):
            whole = prepared_range(metrics, pane.key, zoom=0)
            lo, hi = pane.chart.x_range
            assert hi == whole[1] and (hi - lo) == pytest.approx((whole[1] - whole[0]) / 2), pane.key
        await pilot.press("minus")
        await until(app, lambda: all(metrics.controls_of(k).zoom == 0 for k in metrics.keys))


HOSTILE = ("[red]x", "\x1b[2J", "eval_[bold]y")


def write_state(folder: Path, steps: int, extra: dict[str, float] | None = None) -> None:
    """A state whose keys are markup and a terminal escape; ``extra`` keys from step 3 on."""
    log = []
    for step in range(1, steps + 1):
        entry = {"loss": 1.0 / step, "[red]x": float(step), "\x1b[2J": -float(step), "step": step}
        entry.update(extra or {} if step >= 3 else {})
        log.append(entry)
        if step % 2 == 0:
            log.append({"eval_loss": 2.0 / step, "eval_[bold]y": float(step % 3), "step": step})
    folder.mkdir(parents=True, exist_ok=True)
    state = {"global_step": steps, "log_history": log, "max_steps": 100}
    (folder / STATE_FILE).write_text(json.dumps(state))


async def test_keys_from_the_file_show_literally(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    write_state(outputs / "checkpoint-6", 6)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        metrics = await open_metrics(app, pilot)
        assert {"[red]x", "\x1b[2J", "eval_[bold]y"} <= set(metrics.keys)
        drawn = [str(p.render()) for p in grid_panes(app)]
        assert any("[red]x" in text for text in drawn)
        assert any("\\x1b[2J" in text for text in drawn)
        assert not any("\x1b" in text for text in drawn)
        metrics.focus_index = metrics.keys.index("\x1b[2J")
        metrics.refresh_view()
        header = str(app.query_one("#metrics-header").render())
        assert "\\x1b[2J" in header and "\x1b" not in header
        await pilot.press("3")
        await until(app, lambda: app.query_one("#evals-table").row_count == 3)
        table = app.query_one("#evals-table")
        labels = [str(c.label) for c in table.columns.values()]
        assert "[bold]y" in labels


async def test_a_key_that_appears_mid_run_gets_its_chart_and_the_focus_stays(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    write_state(outputs / "checkpoint-6", 6)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        metrics = await open_metrics(app, pilot)
        await pilot.press("right")
        focused = metrics.focused_key
        write_state(outputs / "checkpoint-8", 8, {"aaa_new": 0.5})  # sorts before the others
        app.action_reload()
        await until_shown(app, lambda s: s.state is not None and s.state.global_step == 8)
        await until(app, lambda: ready(app) and "aaa_new" in [p.key for p in grid_panes(app)])
        assert metrics.focused_key == focused


@pytest.mark.parametrize("size", [(40, 12), (60, 18), (80, 24), (160, 48)], ids=str)
@needs_real
async def test_every_pane_size_and_resizes(tmp_path: Path, size: tuple[int, int]) -> None:
    app, _ = make_app(real_run(tmp_path, MULTI_EVAL), watch=False)
    async with app.run_test(size=size) as pilot:
        metrics = await open_metrics(app, pilot)
        assert "page 1 of" in str(app.query_one("#metrics-header").render())
        for other in [(40, 12), (200, 60), (33, 9), size]:
            await pilot.resize_terminal(*other)
            await until(app, lambda other=other: app.size == other and ready(app))
            per_page = metrics.layout_now.per_page
            assert len(grid_panes(app)) == min(per_page, len(metrics.shown))
        await pilot.press("enter")
        await until(app, lambda: ready(app))
        await pilot.resize_terminal(50, 14)
        await until(app, lambda: app.size == (50, 14) and ready(app))
        await pilot.press("escape", "3")
        await until(app, lambda: app.query_one("#evals-table").row_count > 0)
        await pilot.resize_terminal(*size)
        await until(app, lambda: app.size == size)


async def test_a_filter_typed_in_one_burst_goes_to_the_filter(tmp_path: Path) -> None:
    """``/margins`` typed fast (or pasted) arrives as one burst of key events: every key after the ``/``
    belongs to the filter. Focus moved with ``focus()`` only took effect after the queued keys, so they
    went to the grid: ``m`` smoothed, ``n`` turned the page, ``s`` saved a PNG; the filter stayed empty.
    """
    outputs = tmp_path / "outputs"
    write_state(outputs / "checkpoint-6", 6)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        metrics = await open_metrics(app, pilot)
        for char in "/loss":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        field = app.query_one("#metrics-filter", Input)
        await until(app, lambda: field.value == "loss" or len(app._notifications) > 0, timeout=5)
        assert field.value == "loss" and field.has_focus
        await until(app, lambda: ready(app) and metrics.filter_text == "loss")
        assert metrics.shown == [k for k in metrics.keys if "loss" in k]
        for char in "/x":  # in the filter, "/" is text (a key such as rewards/margins)
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await until(app, lambda: field.value == "loss/x", timeout=5)


async def test_a_view_key_and_a_filter_in_one_burst(tmp_path: Path) -> None:
    """``2/loss`` in one burst from the overview: the view switches and the rest is the filter's. The
    view's own focus() was queued behind the waiting keys, so ``/`` and the text went to the checkpoint
    list (and on up to the app's keys); a ``2`` typed into the filter stays text."""
    outputs = tmp_path / "outputs"
    write_state(outputs / "checkpoint-6", 6)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)):
        await until_shown(app, lambda s: s.state is not None)
        for char in "2/loss2":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        field = app.query_one("#metrics-filter", Input)
        await until(app, lambda: field.value == "loss2", timeout=5)
        assert app.query_one(ContentSwitcher).current == "metrics"
