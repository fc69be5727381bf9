"""The command line on a PARENT of runs: -u's line per run, --format json's list, -s's PNG, what reads one
run only (a usage error), names from disk kept inert, and a single run folder as before."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

from builders.sweep import write_sweep

from trainmon_tui.simulate import write_run

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_summary_prints_one_line_per_run(run_cli, tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    result = run_cli("sweep", "-u")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "5 runs in sweep"
    body = {line.split()[0]: line for line in lines[2:7]}
    assert set(body) == {"broken", "lr-1e-4", "lr-3e-4", "lr-5e-5/seed-1", "nan"}
    assert "finished" in body["lr-1e-4"] and "200/200" in body["lr-1e-4"]
    assert "stalled" in body["lr-5e-5/seed-1"] and "running" in body["lr-3e-4"]
    assert "unreadable" in body["broken"]
    assert "broken: JSON ends early" in result.stdout  # the whole reason, under the table
    assert "batch" in lines[1]  # train_batch_size differs (8 and 16)


def test_json_is_a_list_of_the_one_run_objects(run_cli, tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    one = run_cli("sweep/lr-1e-4", "--format", "json")
    assert one.returncode == 0
    single = json.loads(one.stdout)
    result = run_cli("sweep", "--format", "json")
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout)
    assert [r["run"] for r in runs] == ["broken", "lr-1e-4", "lr-3e-4", "lr-5e-5/seed-1", "nan"]
    assert [r["status"] for r in runs] == ["unreadable", "finished", "running", "stalled", "running"]
    done = runs[1]
    assert set(single) <= set(done)  # today's schema, plus run and status (and the row's extras)
    assert (done["global_step"], done["loss"], done["eval"]) == (
        single["global_step"], single["loss"], single["eval"]
    )  # fmt: skip
    assert runs[0]["global_step"] is None and "JSON ends early" in runs[0]["reason"]
    assert runs[0]["alerts"] == [] and "nan_loss" in [a["kind"] for a in runs[4]["alerts"]]


def test_save_plot_writes_the_overlay_png(run_cli, tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    result = run_cli("sweep", "-s", "sweep.png")
    assert result.returncode == 0 and result.stderr.strip() == "saved: sweep.png"
    assert (tmp_path / "sweep.png").read_bytes().startswith(PNG_SIGNATURE)
    again = run_cli("sweep", "-s", "sweep.png")  # never overwritten
    assert again.returncode == 1 and "already exists" in again.stderr
    (tmp_path / "shots").mkdir()
    into = run_cli("sweep", "-u", "-s", "shots")
    assert into.returncode == 0 and "5 runs in sweep" in into.stdout
    assert [p.name.startswith("trainmon_workspace_") for p in (tmp_path / "shots").iterdir()] == [True]


def test_modes_of_one_run_are_a_usage_error_on_a_parent(run_cli, tmp_path: Path, helpers: SimpleNamespace):
    write_sweep(tmp_path / "sweep")
    for flags in (["--list-metrics"], ["--csv", "x.csv"], ["-p", "--metrics", "loss"]):
        result = run_cli("sweep", *flags)
        assert result.returncode == 2, (flags, result.stderr)
        assert "holds 5 runs" in helpers.one_line(result.stderr)


def test_plot_prints_the_four_overlays(run_cli, tmp_path: Path, helpers: SimpleNamespace) -> None:
    write_sweep(tmp_path / "sweep")
    result = run_cli("sweep", "-p", env=helpers.cli_env(COLUMNS="120", NO_COLOR="1"))
    assert result.returncode == 0, result.stderr
    for title in ("Training loss (smoothed)", "Eval loss", "Learning rate", "Grad norm"):
        assert title in result.stdout
    assert "lr-5e-5/seed-1" in result.stdout and "\x1b[" not in result.stdout  # the legend; no colour
    assert max(len(line) for line in result.stdout.splitlines()) <= 120


def test_a_single_run_folder_is_read_as_before(run_cli, tmp_path: Path) -> None:
    write_run(tmp_path / "run", (20, 40))
    result = run_cli("run", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout)["global_step"] == 40


def test_names_from_disk_stay_inert(run_cli, tmp_path: Path) -> None:
    parent = tmp_path / "sweep"
    write_run(parent / "a\x1b[31mred[bold]", (20,))
    write_run(parent / "b", (20,))
    result = run_cli("sweep", "-u")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "\\x1b[31mred[bold]" in result.stdout
    data = run_cli("sweep", "--format", "json")
    assert "\x1b" not in data.stdout and json.loads(data.stdout)[0]["run"] == "a\x1b[31mred[bold]"
