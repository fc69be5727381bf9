"""A real ``transformers.Trainer`` sweep of two tiny runs with TrainmonCallback: the workspace's table has the
hyperparameters that differ (from the start records), and no secret reaches the live log."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from trainmon_tui.callback import TrainmonCallback  # noqa: E402
from trainmon_tui.live.schema import LIVE_LOG_FILE  # noqa: E402
from trainmon_tui.workspace.config import differing  # noqa: E402
from trainmon_tui.workspace.model import open_workspace  # noqa: E402


def test_a_sweep_of_two_runs_shows_what_differs(tmp_path: Path, tiny_trainer: Callable[..., Any]) -> None:
    parent = tmp_path / "sweep"
    for name, decay, batch in (("wd-0", 0.0, 4), ("wd-0.1", 0.1, 8)):
        trainer = tiny_trainer(
            parent / name, max_steps=8, batch=batch, callbacks=[TrainmonCallback()], report_to="none",
            weight_decay=decay, hub_token="hf_NOT_TO_BE_WRITTEN",
        )  # fmt: skip
        trainer.train()
    for name in ("wd-0", "wd-0.1"):
        assert b"hf_NOT_TO_BE_WRITTEN" not in (parent / name / LIVE_LOG_FILE).read_bytes()
    workspace = open_workspace(parent)
    rows = workspace.rows()
    assert [row.name for row in rows] == ["wd-0", "wd-0.1"]
    assert [row.status for row in rows] == ["finished", "finished"]
    keys = differing([row.config for row in rows])
    assert keys == ["per_device_train_batch_size", "train_batch_size", "weight_decay"]
    assert [row.config["weight_decay"] for row in rows] == [0.0, 0.1]
    assert all(row.config["learning_rate"] == 1e-2 for row in rows)  # the same: no column
    assert all("hub_token" not in row.config for row in rows)
