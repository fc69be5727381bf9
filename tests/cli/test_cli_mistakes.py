"""Small mistakes a user makes on the command line, each met with the one thing they meant or one clear line.

Each test here failed on the code before its fix (issue 10, item "known small defects in the CLI").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui import cli
from trainmon_tui.cli import dashboard as dashboard_module
from trainmon_tui.ui.options import DashboardOptions

# --- -s DIR/ ------------------------------------------------------------------------------------


def test_save_plot_into_a_missing_folder_is_refused(outputs, run_cli, tmp_path):
    """``-s shots/`` names a folder: with shots missing it wrote ``shots.png`` beside it."""
    result = run_cli(outputs, "-s", "shots/")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "trainmon-tui: error: argument -s/--save-plot: shots/: folder not found "
        "(create it first, or give a file name such as shots.png)"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outputs"]


def test_save_plot_into_an_existing_folder_with_a_slash(outputs, run_cli, tmp_path):
    (tmp_path / "shots").mkdir()
    result = run_cli(outputs, "-s", "shots/")
    assert result.returncode == 0, result.stderr
    (png,) = (tmp_path / "shots").iterdir()
    assert png.name.startswith("trainmon_outputs_step2_") and png.suffix == ".png"


# --- --poll OUTPUTS -------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--poll", "OUT", "-u"], ["--poll", "OUT"], ["-u", "--poll", "OUT"]])
def test_a_folder_taken_for_the_poll_seconds(outputs, run_cli, args):
    """``--poll`` takes optional seconds: a folder after it was read as them, "not a number of seconds"."""
    result = run_cli(*[outputs if a == "OUT" else a for a in args])
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.startswith("usage: trainmon-tui")
    assert result.stderr.splitlines()[-1] == (
        f"trainmon-tui: error: argument --poll: {outputs} is a folder, not seconds: "
        f"give it before --poll (trainmon-tui {outputs} --poll) or with -o"
    )


def test_poll_seconds_that_are_no_number_keep_their_message(run_cli):
    result = run_cli("--poll", "soon")
    assert result.returncode == 2
    assert (
        result.stderr.splitlines()[-1]
        == "trainmon-tui: error: argument --poll: not a number of seconds: 'soon'"
    )


# --- -c NAME --------------------------------------------------------------------------------------


@pytest.fixture
def two_of_a_name(outputs: Path, tmp_path: Path, helpers: SimpleNamespace) -> Path:
    """checkpoint-2 in OUTPUTS (step 2) and another in the current folder (step 7)."""
    entries = [{"loss": 5.0, "step": 7}]
    helpers.write_state(tmp_path / "checkpoint-2", helpers.trainer_state(entries, global_step=7))
    return outputs


def test_checkpoint_name_prefers_the_one_inside_outputs(two_of_a_name, run_cli, tmp_path):
    """``OUTPUTS -c checkpoint-2`` read ./checkpoint-2, not OUTPUTS/checkpoint-2, and said nothing."""
    outputs = two_of_a_name
    result = run_cli(outputs, "-c", "checkpoint-2", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["global_step"] == 2
    assert result.stderr.splitlines() == [
        f"note: -c checkpoint-2: using {outputs / 'checkpoint-2'}, "
        "not the checkpoint-2 in the current folder (give its full path for that)"
    ]


def test_checkpoint_name_without_outputs_is_the_path_as_typed(two_of_a_name, run_cli):
    """No OUTPUTS given: the default ./outputs is no stronger a hint than the current folder."""
    result = run_cli("-c", "checkpoint-2", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["global_step"] == 7 and result.stderr == ""


def test_checkpoint_only_in_the_current_folder_is_still_found(outputs, run_cli, tmp_path, helpers):
    helpers.write_state(tmp_path / "checkpoint-9", helpers.trainer_state([], global_step=9))
    result = run_cli(outputs, "-c", "checkpoint-9", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["global_step"] == 9 and result.stderr == ""


# --- TERM=dumb ------------------------------------------------------------------------------------


@pytest.fixture
def dashboard(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """stdin and stdout are a terminal, and ``trainmon_tui.ui.app`` records whether it was started."""
    from types import ModuleType

    monkeypatch.setattr(dashboard_module, "is_terminal", lambda stream: stream in (sys.stdin, sys.stdout))
    seen = SimpleNamespace(options=None)
    fake = ModuleType("trainmon_tui.ui.app")

    def run_dashboard(options: DashboardOptions) -> int:
        seen.options = options
        return 0

    fake.run_dashboard = run_dashboard  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "trainmon_tui.ui.app", fake)
    return seen


@pytest.mark.parametrize("argv", [[], ["--demo"]], ids=["outputs", "demo"])
def test_a_dumb_terminal_gets_no_dashboard(dashboard, monkeypatch, capsys, tmp_path, argv):
    """``TERM=dumb`` (Emacs' shell, some CI consoles) cannot draw a full-screen app: it opened anyway."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TERM", "dumb")
    assert cli.main(argv) == 2
    assert dashboard.options is None
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("trainmon-tui: error: the dashboard cannot draw on TERM=dumb: use -u, -p or -s")


def test_a_dumb_terminal_still_prints_the_summary(outputs, run_cli, helpers):
    result = run_cli(outputs, "-u", env=helpers.cli_env(TERM="dumb"))
    assert result.returncode == 0 and "checkpoint-2" in result.stdout and result.stderr == ""
