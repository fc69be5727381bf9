"""The workspace under Pilot: the table, statuses, selection and overlay, sorting, filtering, runs that
appear and vanish after start (inotify and polling), and enter / escape through a run's dashboard."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders.apps import until
from builders.sweep import add_run, write_sweep

from trainmon_tui.ui.workspace.app import WorkspaceApp
from trainmon_tui.ui.workspace.view import WorkspaceView
from trainmon_tui.workspace.model import Workspace


def make(parent: Path, poll: float | None = None, *, watch: bool = False, view: WorkspaceView | None = None,
         workspace: Workspace | None = None) -> WorkspaceApp:  # fmt: skip
    return WorkspaceApp(
        workspace or Workspace(parent), view, poll_interval=poll, watch=watch, rescan_seconds=0.5,
        export_dir=parent.parent / "png",
    )  # fmt: skip


def statuses(app: WorkspaceApp) -> dict[str, str]:
    return {row.name: row.status for row in app.shown}


async def test_the_table_shows_every_run_with_its_status(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)):
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        assert statuses(app) == {
            "broken": "unreadable", "lr-1e-4": "finished", "lr-3e-4": "running",
            "lr-5e-5/seed-1": "stalled", "nan": "running",
        }  # fmt: skip
        broken = next(row for row in app.shown if row.name == "broken")
        assert "JSON ends early" in broken.reason
        nan = next(row for row in app.shown if row.name == "nan")
        assert nan.nonfinite == 1 and nan.step == 40
        assert app.table.row_count == 5
        # the hyperparameters that differ: batch size (trainer_state.json's own field)
        assert "train_batch_size" in app.config_keys
        # the first readable runs are selected at start, and drawn
        assert len(app.view.selected) == 4
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        assert {c.label for c in app.curves["loss"]} >= {"lr-1e-4", "lr-3e-4"}


async def test_space_selects_and_the_overlay_follows(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        first = app.table.cursor_run()
        assert first is not None and first.name == "broken"  # sorted by name: broken first
        await pilot.press("down")  # lr-1e-4, selected at start
        await pilot.press("space")
        await until(app, lambda: len(app.curves.get("loss", ())) == 3)
        assert all(c.label != "lr-1e-4" for c in app.curves["loss"])
        await pilot.press("space")
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        await pilot.press("a")  # every run shown: the unreadable one has nothing to draw
        await until(app, lambda: len(app.view.selected) == 5)
        await pilot.press("a")
        await until(app, lambda: not app.view.selected and not app.curves.get("loss"))


async def test_the_sort_key_cycles_the_columns(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        await pilot.press("o")  # by status: running, stalled, waiting, finished, unreadable
        await until(app, lambda: app.view.sort_column == "status")
        assert [row.status for row in app.shown] == [
            "running",
            "running",
            "stalled",
            "finished",
            "unreadable",
        ]
        await pilot.press("o")  # by step
        await until(app, lambda: app.view.sort_column == "step")
        assert [row.step for row in app.shown] == [40, 60, 80, 200, None]  # unknown last
        await pilot.press("O")  # reversed, unknown still last
        await until(app, lambda: app.view.descending)
        assert [row.step for row in app.shown] == [200, 80, 60, 40, None]


async def test_the_filter_keeps_the_matching_runs(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        await pilot.press("slash", "l", "r", "-")
        await until(app, lambda: [row.name for row in app.shown] == ["lr-1e-4", "lr-3e-4", "lr-5e-5/seed-1"])
        await pilot.press("space", "r", "u", "n")  # every word must match: "lr-" and "run"(ning)
        await until(app, lambda: [row.name for row in app.shown] == ["lr-3e-4"])
        await pilot.press("escape")
        await until(app, lambda: len(app.shown) == 5)
        assert app.view.filter == ""


@pytest.mark.parametrize("poll", [None, 0.2], ids=["inotify", "polling"])
async def test_a_new_run_appears_and_a_deleted_one_is_gone(tmp_path: Path, poll: float | None) -> None:
    runs = write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep", poll, watch=True)
    async with app.run_test(size=(160, 48)):
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        add_run(tmp_path / "sweep" / "late", (20, 40))
        late = lambda: next((row for row in app.shown if row.name == "late"), None)  # noqa: E731
        await until(app, lambda: (row := late()) is not None and row.step == 40, timeout=15)
        assert late().status == "running"
        shutil.rmtree(runs["running"])
        await until(app, lambda: statuses(app).get("lr-3e-4") == "gone", timeout=15)


async def test_enter_exits_with_the_run_and_the_view_is_kept(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    view = WorkspaceView()
    workspace = Workspace(tmp_path / "sweep")
    app = make(tmp_path / "sweep", view=view, workspace=workspace)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        await pilot.press("down", "down", "space", "o")  # lr-3e-4 unselected; sorted by status
        await until(app, lambda: len(app.view.selected) == 3 and app.view.sort_column == "status")
        chosen = app.table.cursor_run()
        assert chosen is not None and chosen.name == "lr-3e-4"  # the cursor stays on its run
        await pilot.press("enter")
    assert app.return_value == chosen and view.cursor == chosen
    reads = {path: entry.reads for path, entry in workspace.entries.items()}
    again = make(tmp_path / "sweep", view=view, workspace=workspace)  # as run_workspace reopens it
    async with again.run_test(size=(160, 48)):
        # at once, before anything is read again: the same order, selection and cursor
        assert again.view.sort_column == "status" and len(again.view.selected) == 3
        assert again.table.cursor_run() == chosen
        await until(again, lambda: again.reads >= 1)
        # nothing changed on disk: no run was parsed again
        assert {path: entry.reads for path, entry in workspace.entries.items()} == reads


async def test_the_run_opened_from_the_workspace_goes_back_on_escape(tmp_path: Path) -> None:
    from builders.apps import until_shown

    from trainmon_tui.ui.options import DashboardOptions
    from trainmon_tui.ui.workspace.dashboard import FromWorkspace

    runs = write_sweep(tmp_path / "sweep")
    app = FromWorkspace(DashboardOptions(runs["running"]), watch=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await until_shown(app, lambda s: s.state is not None)
        assert any(b.binding.action == "back_to_workspace" for b in app.active_bindings.values())
        await pilot.press("2")  # in the metrics view escape is the view's own
        await until(app, lambda: app.view == "metrics")
        await pilot.press("escape")
        await pilot.press("1")
        await until(app, lambda: app.view == "overview")
        assert not app.went_back
        await pilot.press("escape")
    assert app.went_back


async def test_hostile_runs_are_unreadable_and_the_others_go_on(tmp_path: Path) -> None:
    import os

    from trainmon_tui.files.model import STATE_FILE

    runs = write_sweep(tmp_path / "sweep")
    fifo = tmp_path / "sweep" / "fifo"
    fifo.mkdir()
    os.mkfifo(fifo / STATE_FILE)  # never opened: it would block a reader for ever
    app = make(tmp_path / "sweep", watch=True)
    async with app.run_test(size=(160, 48)):
        await until(app, lambda: statuses(app).get("fifo") == "unreadable")
        shutil.rmtree(runs["nan"])
        runs["nan"].write_text("a file where the run was")
        app.rescan_now()
        await until(app, lambda: statuses(app).get("nan") == "unreadable")
        nan = next(row for row in app.shown if row.name == "nan")
        assert "is a file now" in nan.reason and nan.step == 40  # what was known stays
        assert statuses(app)["lr-1e-4"] == "finished" and statuses(app)["lr-3e-4"] == "running"
        assert "FIFO" in next(row.reason for row in app.shown if row.name == "fifo")


async def test_the_x_key_puts_the_overlays_on_epochs(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        steps = {c.label: float(c.series.steps.max()) for c in app.curves["loss"]}
        assert steps["lr-1e-4"] == 200
        await pilot.press("x")  # epoch: the simulator logs it (2 epochs in 200 steps)
        await until(app, lambda: app.view.axis.value == "epoch" and app.generation_shown == app._generation)
        epochs = {c.label: float(c.series.steps.max()) for c in app.curves["loss"]}
        assert epochs["lr-1e-4"] == 2.0 and epochs["lr-3e-4"] == 0.6
        await pilot.press("x")  # no wall times (no live log), no tokens: back to steps
        await until(app, lambda: app.view.axis.value == "step")


async def test_the_help_lists_every_workspace_key(tmp_path: Path) -> None:
    from trainmon_tui.ui.help import HelpScreen
    from trainmon_tui.ui.workspace.keytable import WORKSPACE_KEYS

    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app, lambda: app.reads >= 1)
        await pilot.press("question_mark")
        await until(app, lambda: isinstance(app.screen, HelpScreen))
        rows = dict(app.screen.rows)
        for key in WORKSPACE_KEYS:
            assert any(what == key.help[0] for what in rows.values()), key.action
        assert "↑ ↓  j k" not in rows  # the dashboard's checkpoint list is not here


async def test_a_click_on_a_header_sorts_by_its_column(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.shown) == 5 and app.reads >= 1)
        widths = lambda: [column.get_render_width(app.table) for column in app.table.columns.values()]  # noqa: E731
        for _ in range(20):  # until laid out: the status column holds a reason (rounds of messages, no clock)
            if widths()[1] > 40:
                break
            await pilot.pause()
        x = sum(widths()[:2]) + 1
        await pilot.click("#runs", offset=(x, 0))  # the third header: step
        await until(app, lambda: app.view.sort_column == "step")
        assert [row.step for row in app.shown] == [40, 60, 80, 200, None]
        await pilot.pause(0.6)  # not a double click
        await pilot.click("#runs", offset=(x, 0))
        await until(app, lambda: app.view.descending)
        assert [row.step for row in app.shown] == [200, 80, 60, 40, None]


async def test_a_watcher_event_reads_the_run_it_concerns_only(tmp_path: Path) -> None:
    from trainmon_tui.simulate import RunConfig, write_run

    parent = tmp_path / "sweep"
    runs = [write_run(parent / f"r{i}", (20, 40), RunConfig(seed=i)) for i in range(4)]
    workspace = Workspace(parent)
    app = WorkspaceApp(workspace, watch=True, rescan_seconds=600)  # no rescan: the watcher alone
    async with app.run_test(size=(160, 48)):
        await until(app, lambda: len(app.shown) == 4 and app.reads >= 1)
        before = {path.name: entry.reads for path, entry in workspace.entries.items()}
        runs[2].advance(60)
        runs[2].save_checkpoint()
        await until(app, lambda: next(row.step for row in app.shown if row.name == "r2") == 60)
        after = {path.name: entry.reads for path, entry in workspace.entries.items()}
        assert after == before | {"r2": before["r2"] + 1}
        assert workspace.rescans == 1  # the folder list was not taken again for it


async def test_k_puts_another_metric_in_the_fourth_chart(tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    app = make(tmp_path / "sweep")
    async with app.run_test(size=(160, 48)) as pilot:
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        assert list(app.curves)[3] == "grad_norm"
        seen = []
        for _ in range(12):
            await pilot.press("k")
            await until(app, lambda: app.generation_shown == app._generation)
            seen.append(list(app.curves)[3])
            if seen[-1] == "grad_norm":
                break
        assert seen[-1] == "grad_norm" and len(seen) > 1  # a cycle through the other metrics and back
        assert "eval_accuracy" in seen and "loss" not in seen and "eval_loss" not in seen
        accuracy = seen.index("eval_accuracy") + 1
        for _ in range(accuracy):
            await pilot.press("k")
        await until(
            app, lambda: list(app.curves)[3] == "eval_accuracy" and app.generation_shown == app._generation
        )
        assert len(app.curves["eval_accuracy"]) == 3  # the runs that evaluated (nan stopped at step 40)
        titles = [str(pane.chart) for pane in app.query("OverlayChart")]
        assert titles[3] == "eval_accuracy"
