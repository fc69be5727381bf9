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
from trainmon_tui.ui.options import DashboardOptions


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    entries = [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}]
    folder = tmp_path / "outputs"
    helpers.write_state(folder / "checkpoint-2", helpers.trainer_state(entries, global_step=2))
    return folder


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


