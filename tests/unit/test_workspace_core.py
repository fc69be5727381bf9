"""The workspace's core: which folders are runs, their rows and statuses, the hyperparameters that differ,
and hostile runs (truncated, a FIFO, a folder replaced by a file) that never break the others."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from builders.sweep import write_sweep

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.simulate import RunConfig, write_run
from trainmon_tui.workspace.config import differing, format_value, run_config
from trainmon_tui.workspace.finding import find_runs, is_run, natural_key, run_name
from trainmon_tui.workspace.model import Workspace, open_workspace
from trainmon_tui.workspace.rows import row_json


def names(parent: Path) -> list[str]:
    return [run_name(path, parent) for path in find_runs(parent)]


def test_what_makes_a_folder_a_run(tmp_path: Path) -> None:
    write_run(tmp_path / "ckpt", (20,))
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / STATE_FILE).write_text("{}")
    (tmp_path / "live").mkdir()
    (tmp_path / "live" / LIVE_LOG_FILE).write_text("")
    (tmp_path / "tb" / "runs" / "Jan01_host").mkdir(parents=True)
    (tmp_path / "tb" / "runs" / "Jan01_host" / "events.out.tfevents.1.host").write_bytes(b"")
    (tmp_path / "saving" / "tmp-checkpoint-5").mkdir(parents=True)
    (tmp_path / "plain" / "data").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    write_run(tmp_path / ".hidden" / "run", (20,))
    assert names(tmp_path) == ["ckpt", "live", "root", "saving", "tb"]
    assert is_run(tmp_path / "ckpt") and not is_run(tmp_path) and not is_run(tmp_path / "plain")


def test_runs_are_found_three_levels_down_and_trials_in_order(tmp_path: Path) -> None:
    for trial in (0, 2, 10):
        write_run(tmp_path / "search" / f"run-{trial}", (20,))
    write_run(tmp_path / "a" / "b" / "c", (20,))
    write_run(tmp_path / "a" / "b" / "c2" / "d", (20,))  # four levels: too deep
    assert names(tmp_path) == ["a/b/c", "search/run-0", "search/run-2", "search/run-10"]
    assert natural_key("run-2") < natural_key("run-10")


def test_a_symlink_loop_is_visited_once(tmp_path: Path) -> None:
    write_run(tmp_path / "x" / "run", (20,))
    os.symlink(tmp_path / "x", tmp_path / "x" / "loop")
    os.symlink(tmp_path / "x", tmp_path / "again")
    assert len(find_runs(tmp_path)) == 1


def test_rows_say_each_runs_status(tmp_path: Path) -> None:
    write_sweep(tmp_path)
    (tmp_path / "waits").mkdir()
    (tmp_path / "waits" / "checkpoint-20").mkdir()  # being saved: no state yet
    rows = {row.name: row for row in open_workspace(tmp_path).rows()}
    assert {name: row.status for name, row in rows.items()} == {
        "broken": "unreadable", "lr-1e-4": "finished", "lr-3e-4": "running",
        "lr-5e-5/seed-1": "stalled", "nan": "running", "waits": "waiting",
    }  # fmt: skip
    done = rows["lr-1e-4"]
    assert (done.step, done.max_steps, done.fraction) == (200, 200, 1.0)
    assert done.best_eval is not None and done.best_eval_step == 200
    assert done.best_loss is not None and done.loss is not None and done.best_loss <= done.loss
    assert rows["nan"].nonfinite == 1
    assert rows["broken"].reason.startswith("JSON ends early")


def test_the_hyperparameters_that_differ(tmp_path: Path) -> None:
    configs = [
        {"learning_rate": 1e-4, "seed": 1, "output_dir": "a", "optim": "adamw"},
        {"learning_rate": 3e-4, "seed": 1, "output_dir": "b", "optim": "adamw", "warmup_steps": 10},
        {"learning_rate": 3e-4, "seed": 2, "output_dir": "c", "optim": "adamw"},
    ]
    assert differing(configs) == ["learning_rate", "seed"]  # not output_dir; warmup only in one run
    assert format_value(5e-05) == "5e-05" and format_value(None) == "-" and format_value(True) == "yes"
    write_run(tmp_path / "a", (20,), RunConfig(train_batch_size=8))
    write_run(tmp_path / "b", (20,), RunConfig(train_batch_size=16))
    workspace = open_workspace(tmp_path)
    assert differing([row.config for row in workspace.rows()]) == ["train_batch_size"]


def test_trial_params_of_a_hyperparameter_search(tmp_path: Path) -> None:
    for trial, lr in ((0, 1e-4), (1, 3e-5)):
        write_run(tmp_path / f"run-{trial}", (20,))
        state = tmp_path / f"run-{trial}" / "checkpoint-20" / STATE_FILE
        data = json.loads(state.read_text())
        data["trial_params"] = {"learning_rate": lr, "nested": {"no": 1}, "sched": "cosine"}
        data["trial_name"] = f"trial-{trial}"
        state.write_text(json.dumps(data, indent=2, sort_keys=True))
    workspace = open_workspace(tmp_path)
    snapshot = workspace.snapshot(tmp_path / "run-0")
    assert snapshot is not None
    config = run_config(snapshot.state, snapshot.live)
    assert config["learning_rate"] == 1e-4 and config["sched"] == "cosine" and "nested" not in config
    assert differing([row.config for row in workspace.rows()]) == ["learning_rate"]


def test_a_change_in_one_run_reads_that_run_only(tmp_path: Path) -> None:
    runs = [write_run(tmp_path / f"r{i}", (20, 40)) for i in range(4)]
    workspace = open_workspace(tmp_path)
    reads = {path.name: entry.reads for path, entry in workspace.entries.items()}
    assert workspace.refresh() == []  # nothing changed: nobody parsed again
    runs[2].advance(60)
    runs[2].save_checkpoint()
    assert workspace.refresh() == [tmp_path / "r2"]
    after = {path.name: entry.reads for path, entry in workspace.entries.items()}
    assert after == reads | {"r2": reads["r2"] + 1}
    assert workspace.route(str(tmp_path / "r2" / "checkpoint-60" / STATE_FILE)) == tmp_path / "r2"
    assert workspace.route(str(tmp_path / "new" / STATE_FILE)) is None


@pytest.mark.parametrize("hostile", ["truncated", "fifo", "replaced_by_file", "deleted"])
def test_one_hostile_run_never_breaks_the_others(tmp_path: Path, hostile: str) -> None:
    good = write_run(tmp_path / "good", (20, 40))
    bad = tmp_path / "bad"
    write_run(bad, (20,))
    workspace = Workspace(tmp_path)
    workspace.rescan()
    workspace.refresh()
    if hostile == "truncated":
        (bad / "checkpoint-20" / STATE_FILE).write_text('{"log_history": [{"lo')
    elif hostile == "fifo":
        shutil.rmtree(bad / "checkpoint-20")
        os.mkfifo(bad / STATE_FILE)
    else:
        shutil.rmtree(bad)
        if hostile == "replaced_by_file":
            bad.write_text("not a run")
    good.advance(60)
    good.save_checkpoint()
    workspace.rescan()
    workspace.refresh()
    rows = {row.name: row for row in workspace.rows()}
    assert rows["good"].status == "running" and rows["good"].step == 60
    expected = {"truncated": "unreadable", "fifo": "unreadable", "replaced_by_file": "unreadable"}
    assert rows["bad"].status == expected.get(hostile, "gone")
    reason = {"truncated": "JSON ends early", "fifo": "FIFO", "replaced_by_file": "is a file now"}
    assert reason.get(hostile, "") in rows["bad"].reason


def test_the_json_object_of_a_run(tmp_path: Path) -> None:
    write_sweep(tmp_path)
    workspace = open_workspace(tmp_path)
    objects = [row_json(row, workspace.snapshot(row.path)) for row in workspace.rows()]
    json.dumps(objects, allow_nan=False)  # JSON, strictly
    one_run = {"source", "checkpoint", "global_step", "max_steps", "loss", "eval", "eta_seconds", "stalled"}
    for obj in objects:
        assert one_run <= set(obj) and {"run", "status"} <= set(obj)
    broken = next(obj for obj in objects if obj["run"] == "broken")
    assert broken["status"] == "unreadable" and broken["global_step"] is None and broken["reason"]


def test_runs_not_selected_keep_their_row_and_drop_their_series(tmp_path: Path) -> None:
    runs = [write_run(tmp_path / f"r{i}", (20, 40, 60)) for i in range(3)]
    workspace = open_workspace(tmp_path)
    before = {row.name: row for row in workspace.rows()}
    assert workspace.set_keep([tmp_path / "r0"]) == []  # every run is read already: none to read again
    slim = workspace.snapshot(tmp_path / "r1")
    assert slim is not None and slim.state is not None and slim.state.series == {}
    full = workspace.snapshot(tmp_path / "r0")
    assert full is not None and full.state is not None and len(full.state.loss) == 60
    workspace.refresh()  # nothing changed on disk: the rows tick from what they kept
    after = {row.name: row for row in workspace.rows()}
    for name in ("r1", "r2"):  # the best evaluation survives the series being dropped
        assert (after[name].best_eval, after[name].best_eval_step) == (before[name].best_eval, 50)
    runs[1].advance(80)
    runs[1].save_checkpoint()  # a slim run that changes is read again, whole, alone
    reads = {path.name: entry.reads for path, entry in workspace.entries.items()}
    workspace.refresh()
    assert {path.name: entry.reads for path, entry in workspace.entries.items()} == reads | {
        "r1": reads["r1"] + 1
    }
    assert next(row for row in workspace.rows() if row.name == "r1").step == 80
    again = workspace.set_keep([tmp_path / "r2"])  # r2 selected: read again for its series
    assert again == [tmp_path / "r2"]
    workspace.refresh(again)
    r2 = workspace.snapshot(tmp_path / "r2")
    assert r2 is not None and r2.state is not None and len(r2.state.loss) == 60


def test_the_filter_and_the_status_cell(tmp_path: Path) -> None:
    from trainmon_tui.ui.workspace.view import WorkspaceView, arrange
    from trainmon_tui.workspace.cells import status_text

    write_sweep(tmp_path)
    rows = open_workspace(tmp_path).rows()
    nan = next(row for row in rows if row.name == "nan")
    assert status_text(nan, "en") == "running, 1 NaN" and status_text(nan, "zh") == "运行中, 1 个 NaN"
    view = WorkspaceView(filter="batch=16")  # a hyperparameter by its short name
    assert [row.name for row in arrange(rows, view, "en")] == ["lr-3e-4"]
    view.filter = "NaN"
    assert [row.name for row in arrange(rows, view, "en")] == ["nan"]
    view.filter = "train_batch_size=8 lr-"  # every word must match
    assert [row.name for row in arrange(rows, view, "en")] == ["lr-1e-4", "lr-5e-5/seed-1"]
