"""Where the real-run fixtures are: ``../shared/fixtures/real`` beside the checkout.

Developers and CI have it, users do not: tests that read it skip without it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
REAL_FIXTURES = PROJECT.parent / "shared" / "fixtures" / "real"

needs_real = pytest.mark.skipif(not REAL_FIXTURES.is_dir(), reason="no real fixtures here")


def real_run(tmp_path: Path, fixture: str) -> Path:
    """An outputs folder under ``tmp_path`` holding the real fixture as its ``trainer_state.json``."""
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    shutil.copy(REAL_FIXTURES / fixture, outputs / "trainer_state.json")
    return outputs
