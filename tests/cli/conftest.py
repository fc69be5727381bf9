"""The command line's tests: a small run most of them read (a file may define its own ``outputs``)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest


@pytest.fixture
def outputs(tmp_path: Path, helpers: SimpleNamespace) -> Path:
    """outputs/checkpoint-2: two loss entries, global_step 2."""
    entries = [{"loss": 2.0, "step": 1}, {"loss": 1.0, "step": 2}]
    folder = tmp_path / "outputs"
    helpers.write_state(folder / "checkpoint-2", helpers.trainer_state(entries, global_step=2))
    return folder
