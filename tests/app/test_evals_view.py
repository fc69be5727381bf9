"""The evaluations view under Pilot on real runs: a row per eval step newest first, a column per metric of
every set, each column's best starred, the best checkpoint's row marked, the eval charts, following live."""

from __future__ import annotations

import json
from pathlib import Path

from builders.apps import make_app, until, until_shown
from builders.fixtures import needs_real, real_run
from textual.widgets import DataTable

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.evalsview import BEST, BEST_ROW, EvalsView
from trainmon_tui.ui.widgets.metricpane import MetricPane
from trainmon_tui.views.evaltable import eval_table

MULTI_EVAL = "09_new_multi_eval_datasets_prefixed.json"
WHISPER = "run_whisper_ja_hub/trainer_state.json"


def table_of(app: TrainmonApp) -> DataTable:
    return app.query_one("#evals-table", DataTable)


def rows(app: TrainmonApp) -> list[list[str]]:
    table = table_of(app)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def charts_ready(app: TrainmonApp) -> bool:
    panes = [p for p in app.query("#evals-charts MetricPane").results(MetricPane) if p.key]
    return bool(panes) and all(p.ready and p.chart is not None for p in panes)


async def open_evals(app: TrainmonApp, pilot) -> None:
    await until_shown(app, lambda s: s.state is not None)
    await pilot.press("3")
    await until(app, lambda: table_of(app).row_count > 0)


@needs_real
async def test_six_eval_sets_in_one_table_newest_first_bests_starred(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, MULTI_EVAL), watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_evals(app, pilot)
        expected = eval_table(app.snapshot.state)
        table = table_of(app)
        assert table.row_count == len(expected.rows)
        assert len(table.columns) == 3 + len(expected.columns)  # best marker, step, epoch
        shown = rows(app)
        steps = [int(row[1]) for row in shown]
        assert steps == sorted(steps, reverse=True)
        for index, column in enumerate(expected.columns):
            starred = [r for r, row in enumerate(shown) if row[3 + index].startswith(BEST)]
            if column.best_step is None:
                assert starred == []
            else:
                assert starred == [steps.index(column.best_step)], column.key
        labels = [str(c.label) for c in table.columns.values()]
        assert "g0/loss" in labels and "g5/accuracy" in labels
        await until(app, lambda: charts_ready(app))  # the eval charts under the table at 160x48
        keys = [p.key for p in app.query("#evals-charts MetricPane").results(MetricPane)]
        assert keys[0] == "eval_g0_loss"


@needs_real
async def test_the_best_checkpoint_row_is_marked(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, WHISPER), watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_evals(app, pilot)
        marked = [row for row in rows(app) if row[0].startswith(BEST_ROW)]
        assert [row[1] for row in marked] == ["3000"]  # WER lowest there, not at the last evaluation
        wer = [c.key for c in table_of(app).columns.values()].index("eval_wer")
        assert marked[0][wer].startswith(BEST)
        assert "best checkpoint (step 3000)" in str(app.query_one("#evals-header").render())
        await pilot.press("pagedown")  # the table's own keys: the summary's binding is the overview's
        await until(app, lambda: table_of(app).cursor_row > 0)


async def test_new_evaluations_appear_live(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"

    def write(step: int) -> None:
        log = [{"loss": 1.0 / s, "step": s} for s in range(1, step + 1)]
        log += [{"eval_loss": 1.0 / s, "eval_acc": s / 10, "step": s} for s in range(2, step + 1, 2)]
        folder = outputs / f"checkpoint-{step}"
        folder.mkdir(parents=True)
        (folder / STATE_FILE).write_text(json.dumps({"global_step": step, "log_history": log}))

    write(4)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_evals(app, pilot)
        assert [row[1] for row in rows(app)] == ["4", "2"]
        write(8)
        app.action_reload()
        await until(app, lambda: table_of(app).row_count == 4)
        assert [row[1] for row in rows(app)] == ["8", "6", "4", "2"]
        acc = [c.key for c in table_of(app).columns.values()].index("eval_acc")
        assert rows(app)[0][acc] == f"{BEST}0.8"


def eval_panes(app: TrainmonApp) -> list[MetricPane]:
    return [p for p in app.query("#evals-charts MetricPane").results(MetricPane) if p.key]


@needs_real
async def test_chart_keys_act_on_every_eval_chart(tmp_path: Path) -> None:
    """The table has the focus: l, m, o and z reach all the charts under it, lowercase or capital."""
    app, _ = make_app(real_run(tmp_path, MULTI_EVAL), watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_evals(app, pilot)
        await until(app, lambda: charts_ready(app))
        assert len(eval_panes(app)) >= 2

        def all_charts(check) -> bool:
            panes = eval_panes(app)
            return charts_ready(app) and all(check(p.chart) for p in panes)

        await pilot.press("m")
        await until(app, lambda: all_charts(lambda c: c.smoothing == "EMA 0.6" and c.smoothed is not None))
        await pilot.press("M")
        await until(app, lambda: all_charts(lambda c: c.smoothing == "EMA 0.9"))
        await pilot.press("l")
        await until(app, lambda: all_charts(lambda c: c.log))
        whole = {p.key: p.chart.x_range for p in eval_panes(app)}
        await pilot.press("z")
        await until(app, lambda: all_charts(lambda c: c.x_range != whole[c.key]))
        for pane in eval_panes(app):
            (lo, hi), (w_lo, w_hi) = pane.chart.x_range, whole[pane.key]
            assert hi == w_hi and abs((hi - lo) - (w_hi - w_lo) / 2) < 1e-9
        await pilot.press("Z")
        await until(app, lambda: all_charts(lambda c: c.x_range == whole[c.key]))
        before = {p.key: p.chart.robust for p in eval_panes(app)}
        await pilot.press("o")
        first = eval_panes(app)[0].key
        await until(app, lambda: all_charts(lambda c: c.robust != before[first]))


@needs_real
async def test_n_and_n_turn_the_row_of_eval_charts(tmp_path: Path) -> None:
    """Six eval sets, twelve metrics: the row holds four; the header says which, n / N turn it."""
    app, _ = make_app(real_run(tmp_path, MULTI_EVAL), watch=False)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_evals(app, pilot)
        await until(app, lambda: charts_ready(app))
        view = app.query_one("#evals", EvalsView)
        everything = list(view.chart_keys)
        first = [p.key for p in eval_panes(app)]
        assert len(everything) > len(first) > 0 and first == everything[: len(first)]
        header = lambda: str(app.query_one("#evals-header").render())  # noqa: E731
        assert f"charts 1–{len(first)} of {len(everything)} (n / N)" in header()
        await pilot.press("n")
        await until(app, lambda: charts_ready(app) and [p.key for p in eval_panes(app)] != first)
        second = [p.key for p in eval_panes(app)]
        assert second == everything[len(first) : len(first) + len(second)]
        assert f"charts {len(first) + 1}–" in header()
        for _ in range(10):  # no further than the last row
            await pilot.press("n")
        await until(app, lambda: charts_ready(app) and eval_panes(app)[-1].key == everything[-1])
        await pilot.press("N", "N", "N", "N", "N", "N")
        await until(app, lambda: charts_ready(app) and [p.key for p in eval_panes(app)] == first)
        assert table_of(app).cursor_row == 0  # the table's own keys were not taken
