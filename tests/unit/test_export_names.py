"""A PNG's title and file name name the run by its outputs folder, or by the state file's own name when
the file does not sit in a run folder (a loose ``09_multi_eval.json`` among other files is not run "real")."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from trainmon_tui.files.state import load_state
from trainmon_tui.views.runname import dashboard_title, export_stem, run_name

WHEN = datetime(2026, 12, 1, 10, 0, 0)


@pytest.mark.parametrize(
    ("where", "run", "title"),
    [
        ("real/09_multi_eval.json", "09_multi_eval", "09_multi_eval.json  ·  Step 5 / 10"),
        ("runs/bert/checkpoint-5/trainer_state.json", "bert", "bert  ·  checkpoint-5  ·  Step 5 / 10"),
        ("runs/bert/trainer_state.json", "bert", "bert  ·  trainer_state.json  ·  Step 5 / 10"),
        ("runs/bert/last-checkpoint/trainer_state.json", "bert", "bert  ·  last-checkpoint  ·  Step 5 / 10"),
        ("runs/withckpt/state-copy.json", "withckpt", "withckpt  ·  state-copy.json  ·  Step 5 / 10"),
    ],
)
def test_run_names(tmp_path: Path, helpers: SimpleNamespace, where: str, run: str, title: str) -> None:
    (tmp_path / "runs" / "withckpt" / "checkpoint-1").mkdir(parents=True)
    path = helpers.write_state(
        tmp_path / where, helpers.trainer_state([{"loss": 1.0, "step": 5}], global_step=5)
    )
    state = load_state(path)
    assert run_name(state) == run
    assert dashboard_title(state, "en") == title
    assert export_stem(state, WHEN) == f"trainmon_{run}_step5_20261201-100000"
