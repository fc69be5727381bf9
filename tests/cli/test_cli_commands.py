"""The installed ``trainmon-tui`` as a subprocess: every flag, every error case, real values."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui import __version__

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JSON_KEYS = [
    "source",
    "checkpoint",
    "checkpoint_time",
    "global_step",
    "max_steps",
    "step_progress",
    "epoch",
    "num_train_epochs",
    "epoch_progress",
    "loss",
    "learning_rate",
    "grad_norm",
    "grad_norm_nonfinite",
    "eval",
    "best_metric",
    "best_model_checkpoint",
    "system",
    "steps_per_second",
    "eta_seconds",
    "elapsed_seconds",
    "last_update",
    "stalled",
    "alerts",  # the health alerts that hold (issue 13)
]
HINTS_EN = [
    "Check that training has run and saved at least one checkpoint.",
    "Check that the path is right.",
    "Check that the folder holds checkpoint-N/trainer_state.json (or trainer_state.json).",
]
ENTRIES = [
    {"epoch": 0.1, "grad_norm": 2.0, "learning_rate": 5e-05, "loss": 3.0, "step": 1},
    {"epoch": 0.2, "grad_norm": 1.5, "learning_rate": 4e-05, "loss": 2.0, "step": 2},
    {"epoch": 0.3, "grad_norm": math.nan, "learning_rate": 3e-05, "loss": math.nan, "step": 3},
    {"epoch": 0.4, "grad_norm": 1.0, "learning_rate": 2e-05, "loss": 1.5, "step": 4},
    {"epoch": 0.4, "eval_accuracy": 0.7, "eval_loss": 1.6, "eval_runtime": 2.5, "step": 4},
    {"epoch": 0.5, "grad_norm": 0.5, "learning_rate": 1e-05, "loss": 1.0, "step": 5},
]


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    """outputs/checkpoint-2 and outputs/checkpoint-5, written as the Trainer writes them."""
    folder = tmp_path / "outputs"
    common = {"max_steps": 10, "num_train_epochs": 1}
    helpers.write_state(
        folder / "checkpoint-2", helpers.trainer_state(ENTRIES[:2], global_step=2, epoch=0.2, **common)
    )
    helpers.write_state(
        folder / "checkpoint-5",
        helpers.trainer_state(
            ENTRIES,
            global_step=5,
            epoch=0.5,
            best_metric=1.6,
            best_global_step=4,
            best_model_checkpoint="outputs/checkpoint-4",
            **common,
        ),
    )
    return folder


def summary_json(result: subprocess.CompletedProcess[str]) -> dict:
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # exactly one JSON object
    return json.loads(lines[0])


# --- --summary and --format json ------------------------------------------------------------------


def test_summary_json_values(outputs, run_cli):
    data = summary_json(run_cli(outputs, "--summary", "--format", "json"))
    assert list(data) == JSON_KEYS
    assert list(data["loss"]) == ["current", "min", "max", "mean", "trend", "count", "nonfinite"]
    assert data["source"] == str(outputs / "checkpoint-5" / "trainer_state.json")
    assert data["checkpoint"] == "checkpoint-5"
    assert (data["global_step"], data["max_steps"], data["step_progress"]) == (5, 10, 0.5)
    assert (data["epoch"], data["num_train_epochs"], data["epoch_progress"]) == (0.5, 1.0, 0.5)
    # finite losses 3, 2, 1.5, 1 (one NaN): trend w = 2, (1.5 + 1) / 2 < (3 + 2) / 2
    assert data["loss"] == {
        "current": 1.0,
        "min": 1.0,
        "max": 3.0,
        "mean": 1.875,
        "trend": "down",
        "count": 4,
        "nonfinite": 1,
    }
    assert (data["learning_rate"], data["grad_norm"], data["grad_norm_nonfinite"]) == (1e-05, 0.5, 1)
    assert data["eval"] == {
        "step": 4,
        "metrics": {"eval_accuracy": 0.7, "eval_loss": 1.6, "eval_runtime": 2.5},
    }
    assert (data["best_metric"], data["best_model_checkpoint"]) == (1.6, "outputs/checkpoint-4")
    mtime = (outputs / "checkpoint-5" / "trainer_state.json").stat().st_mtime
    assert abs(datetime.fromisoformat(data["checkpoint_time"]).timestamp() - mtime) < 1
    assert result_is_quiet(run_cli(outputs, "-u", "--format", "json"))


def result_is_quiet(result: subprocess.CompletedProcess[str]) -> bool:
    return result.returncode == 0 and result.stderr == ""


def test_format_json_implies_summary(outputs, run_cli):
    assert summary_json(run_cli(outputs, "--format", "json"))["global_step"] == 5


def test_summary_table_english(outputs, run_cli):
    result = run_cli(outputs, "-u")
    assert result.returncode == 0 and result.stderr == ""
    out = result.stdout
    for text in ("Training progress", "Loss", "Training parameters", "Time", "Latest evaluation @ 4"):
        assert text in out
    assert "5 / 10 (50%)" in out and "0.5 / 1 (50%)" in out
    assert "1.875" in out and "↓ down" in out and "1e-05" in out
    assert "\x1b[" not in out  # not a terminal: no colour codes


def test_summary_table_chinese(outputs, run_cli, helpers):
    out = run_cli(outputs, "-u", "--lang", "zh").stdout
    assert "训练进度" in out and "损失信息" in out and "训练参数" in out and "↓ 下降" in out
    from_locale = run_cli(outputs, "-u", env=helpers.cli_env(LANG="zh_CN.UTF-8")).stdout
    assert "训练进度" in from_locale
    forced_en = run_cli(outputs, "-u", "--lang", "en", env=helpers.cli_env(LANG="zh_CN.UTF-8")).stdout
    assert "Training progress" in forced_en


def test_outputs_option_and_default(outputs, run_cli, tmp_path):
    assert summary_json(run_cli("-o", outputs, "--format", "json"))["global_step"] == 5
    assert summary_json(run_cli("--outputs", outputs, "--format", "json"))["global_step"] == 5
    assert summary_json(run_cli(outputs, "-o", outputs, "--format", "json"))["global_step"] == 5
    assert summary_json(run_cli("--format", "json", cwd=tmp_path))["global_step"] == 5  # ./outputs
    result = run_cli(outputs, "-o", tmp_path, "-u")
    assert result.returncode == 2 and "outputs folder once" in result.stderr


def test_latest(outputs, run_cli):
    assert summary_json(run_cli(outputs, "--latest", "--format", "json"))["global_step"] == 5
    assert summary_json(run_cli(outputs, "-l", "--format", "json"))["checkpoint"] == "checkpoint-5"
    result = run_cli(outputs, "-l", "-c", "checkpoint-2", "-u")
    assert result.returncode == 2 and "not allowed with" in result.stderr


@pytest.mark.parametrize("how", ["folder", "file", "name", "step", "long"])
def test_checkpoint(outputs, run_cli, how):
    arg = {
        "folder": str(outputs / "checkpoint-2"),
        "file": str(outputs / "checkpoint-2" / "trainer_state.json"),
        "name": "checkpoint-2",
        "step": "2",
        "long": "--checkpoint=checkpoint-2",
    }[how]
    args = [arg] if how == "long" else ["-c", arg]
    data = summary_json(run_cli(outputs, *args, "--format", "json"))
    assert (data["global_step"], data["checkpoint"]) == (2, "checkpoint-2")
    assert data["loss"]["min"] == 2.0 and data["loss"]["count"] == 2


def test_outputs_may_be_a_state_file(outputs, run_cli):
    data = summary_json(run_cli(outputs / "checkpoint-2" / "trainer_state.json", "--format", "json"))
    assert data["global_step"] == 2


def test_checkpoint_not_found(outputs, run_cli, helpers):
    result = run_cli(outputs, "-c", "checkpoint-9", "-u")
    assert result.returncode == 1 and result.stdout == ""
    assert "checkpoint not found: checkpoint-9" in helpers.one_line(result.stderr)


def test_checkpoint_unreadable(outputs, run_cli, helpers):
    bad = helpers.write_state(outputs / "checkpoint-7", '{"global_step": 7, "log_history": [1, 2]}')
    result = run_cli("-c", bad, "-u")
    assert result.returncode == 1 and result.stdout == ""
    line = helpers.one_line(result.stderr)
    assert str(bad) in line and "log_history[0]" in line


def test_unreadable_newest_is_skipped_with_one_line(outputs, run_cli, helpers):
    helpers.write_state(outputs / "checkpoint-6", '{\n  "global_step": 6,\n  "log_history": [\n    {\n')
    result = run_cli(outputs, "-u", "--format", "json")
    assert summary_json(result)["global_step"] == 5
    line = helpers.one_line(result.stderr)
    assert line.startswith("skipped: ") and "checkpoint-6" in line and "JSON ends early" in line


def test_a_state_cut_short_long_ago_is_truncated_not_being_written(outputs, run_cli, helpers):
    """Unchanged for longer than a save takes: no "(still being written?)", with -u and with -c."""
    from trainmon_tui.files.state import SETTLED_SECONDS

    fresh = helpers.write_state(outputs / "checkpoint-6", '{\n  "global_step": 6,\n  "log_history": [\n')
    result = run_cli(outputs, "-u", "--format", "json")
    assert "JSON ends early (still being written?)" in helpers.one_line(result.stderr)
    old = os.stat(fresh).st_mtime - SETTLED_SECONDS - 30
    os.utime(fresh, (old, old))
    result = run_cli(outputs, "-u", "--format", "json")
    assert summary_json(result)["global_step"] == 5
    line = helpers.one_line(result.stderr)
    assert line.startswith(f"skipped: {fresh}: JSON ends early (truncated") and "still being" not in line
    result = run_cli("-c", fresh, "-u")
    assert result.returncode == 1
    line = helpers.one_line(result.stderr)
    assert "JSON ends early (truncated" in line and "still being" not in line


# --- errors ----------------------------------------------------------------------------------------


def test_missing_outputs_folder(run_cli, tmp_path, helpers):
    for args in (["-u"], ["nowhere", "-u"], ["-o", "nowhere", "-p"], ["nowhere", "-s", "x.png"]):
        result = run_cli(*args)
        assert result.returncode == 2, args
        assert "outputs folder not found" in helpers.one_line(result.stderr)
        assert result.stdout == ""
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_ready_checkpoint_gives_the_three_hints(run_cli, tmp_path, helpers, lang):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "checkpoint-100").mkdir()  # a save that has not written its state yet
    result = run_cli(empty, "-u", "--lang", lang)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4 and "Traceback" not in result.stderr
    if lang == "en":
        assert lines[0] == f"trainmon-tui: error: No readable checkpoint in {empty}."
        assert [line.split(". ", 1)[1] for line in lines[1:]] == HINTS_EN
    else:
        assert "没有找到可读的检查点" in lines[0] and "训练已经运行" in lines[1]


@pytest.mark.parametrize(
    "args",
    [
        ["--bogus"],
        ["-u", "--format", "xml"],
        ["-u", "--lang", "fr"],
        ["--poll", "abc"],
        ["--poll", "0"],
        ["--format", "json", "--plot"],
        ["--force", "-u"],
        ["-s", "plot.txt"],
        ["--compare"],
    ],
)
def test_bad_options_print_usage_and_exit_2(outputs, run_cli, args):
    result = run_cli(outputs, *args)
    assert result.returncode == 2
    assert result.stderr.startswith("usage: trainmon-tui")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_version_and_help(run_cli):
    version = run_cli("--version")
    assert (version.returncode, version.stdout.strip()) == (0, f"trainmon-tui {__version__}")
    usage = run_cli("--help")
    assert usage.returncode == 0
    for flag in (
        "OUTPUTS",
        "--outputs",
        "--checkpoint",
        "--latest",
        "--summary",
        "--plot",
        "--save-plot",
        "--compare",
        "--format",
        "--lang",
        "--poll",
        "--export-dir",
        "--demo",
        "--force",
        "--version",
    ):
        assert flag in usage.stdout, flag


def test_python_dash_m(outputs, helpers):
    result = subprocess.run(
        [sys.executable, "-m", "trainmon_tui", str(outputs), "--format", "json"],
        capture_output=True,
        text=True,
        env=helpers.cli_env(),
        timeout=60,
    )
    assert summary_json(result)["global_step"] == 5


# --- --plot -----------------------------------------------------------------------------------------


def test_plot(outputs, run_cli):
    result = run_cli(outputs, "--plot")
    assert result.returncode == 0 and result.stderr == ""
    out = result.stdout
    for title in ("Training loss", "Grad norm (log)", "Loss histogram"):
        assert title in out
    assert "\x1b[" not in out
    widths = [len(line) for line in out.splitlines()]
    assert max(widths) <= 100 and len(widths) == 39  # COLUMNS=100, LINES=40: one line left for the prompt


def test_plot_colours(outputs, run_cli, helpers):
    assert "\x1b[" in run_cli(outputs, "-p", env=helpers.cli_env(FORCE_COLOR="1")).stdout
    assert "\x1b[" not in run_cli(outputs, "-p", env=helpers.cli_env(FORCE_COLOR="1", NO_COLOR="1")).stdout


def test_plot_chinese_and_with_summary(outputs, run_cli):
    result = run_cli(outputs, "-u", "-p", "--lang", "zh")
    assert result.returncode == 0
    assert result.stdout.index("训练进度") < result.stdout.index("训练损失")  # summary, then charts


def test_plot_no_data(run_cli, tmp_path, helpers):
    helpers.write_state(tmp_path / "o" / "checkpoint-1", helpers.trainer_state([], global_step=1))
    result = run_cli(tmp_path / "o", "-p")
    assert result.returncode == 0 and result.stdout.count("no data") == 4


def test_plot_into_a_closed_pipe_is_quiet(outputs, helpers):
    """``trainmon-tui --plot | head -1``: no BrokenPipeError traceback."""
    env = helpers.cli_env(COLUMNS="400", LINES="400")
    process = subprocess.Popen(
        [*helpers.cli_command(), str(outputs), "--plot"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    err = process.stderr.read().decode()
    process.wait(timeout=60)
    assert "Traceback" not in err and "BrokenPipe" not in err


# --- --save-plot ------------------------------------------------------------------------------------


def is_png(path: Path) -> bool:
    data = path.read_bytes()
    return data.startswith(PNG_SIGNATURE) and len(data) > 10_000


def test_save_plot(outputs, run_cli, tmp_path, helpers):
    result = run_cli(outputs, "--save-plot", "chart.png")
    assert result.returncode == 0 and result.stdout == ""
    assert helpers.one_line(result.stderr) == "saved: chart.png"
    assert is_png(tmp_path / "chart.png")


def test_save_plot_never_overwrites(outputs, run_cli, tmp_path, helpers):
    target = tmp_path / "chart.png"
    target.write_bytes(b"mine")
    result = run_cli(outputs, "-s", target)
    assert result.returncode == 1
    assert "already exists" in helpers.one_line(result.stderr)
    assert target.read_bytes() == b"mine"
    forced = run_cli(outputs, "-s", target, "--force")
    assert forced.returncode == 0 and is_png(target)


def test_save_plot_into_a_folder_and_without_suffix(outputs, run_cli, tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    for _ in range(2):
        assert run_cli(outputs, "-s", shots).returncode == 0
    names = sorted(p.name for p in shots.iterdir())
    assert len(names) == 2 and all(n.startswith("trainmon_outputs_step5_") for n in names)
    assert all(is_png(shots / n) for n in names)
    assert run_cli(outputs, "-s", "noext").returncode == 0 and is_png(tmp_path / "noext.png")


def test_save_plot_svg(outputs, run_cli, tmp_path):
    assert run_cli(outputs, "-s", "chart.svg").returncode == 0
    assert "<svg" in (tmp_path / "chart.svg").read_text()


def test_save_plot_folder_missing(outputs, run_cli, tmp_path, helpers):
    result = run_cli(outputs, "-s", tmp_path / "no" / "chart.png")
    assert result.returncode == 1
    assert "not found" in helpers.one_line(result.stderr)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
@pytest.mark.parametrize("into", ["file", "folder"])
def test_save_plot_folder_not_writable(outputs, run_cli, tmp_path, helpers, into):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = run_cli(outputs, "-s", locked / "chart.png" if into == "file" else locked)
    finally:
        locked.chmod(0o755)
    assert result.returncode == 1
    assert helpers.one_line(result.stderr) == f"trainmon-tui: error: not writable: {locked}"
    assert list(locked.iterdir()) == []


def test_summary_and_save_plot_together(outputs, run_cli, tmp_path):
    result = run_cli(outputs, "-u", "-s", "both.png", "--format", "json")
    assert summary_json(result)["global_step"] == 5
    assert result.stderr.strip() == "saved: both.png" and is_png(tmp_path / "both.png")


# --- --compare ---------------------------------------------------------------------------------------


def test_compare_in_the_terminal(outputs, run_cli, tmp_path, helpers):
    other = tmp_path / "other"
    helpers.write_state(other / "checkpoint-3", helpers.trainer_state(ENTRIES[:3], global_step=3))
    result = run_cli("--compare", outputs, other)
    assert result.returncode == 0 and result.stderr == ""
    assert "Training loss by run" in result.stdout
    legend = result.stdout.split("\n")[-3:]  # under the chart: each run's marker and the part that differs
    assert re.search(rf"\S {outputs.name}\b", " ".join(legend)) and re.search(r"\S other\b", " ".join(legend))
    assert str(tmp_path) not in result.stdout  # not the absolute paths
    zh = run_cli("--compare", outputs / "checkpoint-2", other, "--lang", "zh")
    assert zh.returncode == 0 and "训练损失对比" in zh.stdout


def test_compare_png(outputs, run_cli, tmp_path):
    result = run_cli(outputs, "--compare", outputs / "checkpoint-2", "-s", "cmp.png")
    assert result.returncode == 0 and result.stdout == ""
    assert is_png(tmp_path / "cmp.png")


def test_compare_errors(outputs, run_cli, tmp_path, helpers):
    missing = run_cli("--compare", outputs, tmp_path / "missing")
    assert missing.returncode == 2 and "not found" in helpers.one_line(missing.stderr)
    (tmp_path / "empty").mkdir()
    empty = run_cli("--compare", outputs, tmp_path / "empty")
    assert empty.returncode == 1 and "No readable checkpoint" in empty.stderr
    bad = helpers.write_state(tmp_path / "bad.json", "[]")
    unreadable = run_cli("--compare", outputs, bad)
    assert unreadable.returncode == 1 and "expected an object" in helpers.one_line(unreadable.stderr)


# --- what the one-shot commands import --------------------------------------------------------------

_PROBE = """
import sys
from trainmon_tui.cli import main
code = main(sys.argv[1:])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"textual", "textual_plotext", "matplotlib"})
print("HEAVY=" + ",".join(heavy))
sys.exit(code)
"""


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["-u"], ""),
        (["--format", "json"], ""),
        (["-p"], ""),
        (["-u", "-p", "--lang", "zh"], ""),
        (["--compare", "OUT"], ""),
        (["-s", "x.png"], "matplotlib"),
    ],
)
def test_one_shot_commands_never_import_textual(outputs, tmp_path, helpers, args, allowed):
    argv = [str(outputs) if a == "OUT" else a for a in args]
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, str(outputs), *argv],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=helpers.cli_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"HEAVY={allowed}"


# --- --demo -------------------------------------------------------------------------------------------


def test_demo_with_a_one_shot_command(run_cli):
    data = summary_json(run_cli("--demo", "-u", "--format", "json"))
    assert (data["global_step"], data["max_steps"], data["checkpoint"]) == (200, 200, None)
    assert data["loss"]["nonfinite"] == 1 and data["loss"]["count"] == 199
    assert not Path(data["source"]).exists()  # the temporary folder is gone


def test_demo_into_a_folder(run_cli, tmp_path):
    result = run_cli("--demo", "sim", "-u", "--format", "json")
    assert summary_json(result)["global_step"] == 200
    assert (tmp_path / "sim" / "trainer_state.json").is_file()
    assert len(list((tmp_path / "sim").glob("checkpoint-*"))) == 3


def test_demo_refuses_a_folder_with_files(outputs, run_cli):
    before = sorted(p.name for p in outputs.iterdir())
    result = run_cli("--demo", outputs, "-u")
    assert result.returncode == 2 and "new or empty folder" in result.stderr
    assert sorted(p.name for p in outputs.iterdir()) == before


def test_a_terminal_that_is_not_utf8(run_cli, tmp_path, helpers):
    """Chinese labels or a non-ASCII path on an ASCII terminal: '?' in text, \\u escapes in JSON, no crash."""
    folder = tmp_path / "运行"
    helpers.write_state(folder / "checkpoint-5", helpers.trainer_state(ENTRIES, global_step=5))
    env = helpers.cli_env(PYTHONIOENCODING="ascii")
    for flags in (["-u"], ["-u", "--lang", "zh"], ["-p", "--lang", "zh"]):
        result = run_cli(folder, *flags, env=env)
        assert result.returncode == 0 and "Traceback" not in result.stderr, flags
    result = run_cli(folder, "--format", "json", env=env)
    assert "\\u8fd0\\u884c" in result.stdout
    assert summary_json(result)["source"] == str(folder / "checkpoint-5" / "trainer_state.json")


# --- the dashboard needs a terminal -----------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--demo"], ["--poll", "1"]])
def test_dashboard_without_a_terminal_says_so_and_exits_2(outputs, run_cli, tmp_path, helpers, args):
    """``trainmon-tui out > file``, cron, ``</dev/null``: one line instead of escape codes forever."""
    where = [] if "--demo" in args else [str(outputs)]  # --demo writes its own run: no OUTPUTS
    for stdin in (subprocess.DEVNULL, None):
        result = subprocess.run(
            [*helpers.cli_command(), *where, *args],
            cwd=tmp_path,
            env=helpers.cli_env(),
            capture_output=True,
            text=True,
            timeout=30,
            stdin=stdin,
        )
        assert result.returncode == 2, result.stderr
        assert result.stdout == ""
        line = helpers.one_line(result.stderr)
        assert "terminal" in line and "-u" in line and "-p" in line and "-s" in line
