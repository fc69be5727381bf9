"""Shared helpers: trainer_state.json files written by the tests, and the console script as a subprocess.

Helpers are handed out as fixtures (``helpers``, ``run_cli``, ``wait_for``) rather than imported from this
file, so that other ``conftest.py`` files can never shadow them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from builders.fixtures import REAL_FIXTURES

if TYPE_CHECKING:
    from textual.pilot import Pilot

PROJECT = Path(__file__).resolve().parent.parent


def trainer_state(log_history: list[Any], **top: Any) -> dict[str, Any]:
    """A minimal new-style state; ``top`` overrides or adds top-level keys (None values are kept)."""
    state: dict[str, Any] = {
        "best_global_step": None,
        "best_metric": None,
        "best_model_checkpoint": None,
        "epoch": 1.0,
        "eval_steps": 500,
        "global_step": 0,
        "is_hyper_param_search": False,
        "is_local_process_zero": True,
        "is_world_process_zero": True,
        "log_history": log_history,
        "logging_steps": 1,
        "max_steps": 10,
        "num_input_tokens_seen": 0,
        "num_train_epochs": 1,
        "save_steps": 500,
        "total_flos": 0.0,
        "train_batch_size": 8,
        "trial_name": None,
        "trial_params": None,
    }
    state.update(top)
    return state


def write_state(path: Path, state: dict[str, Any] | str | bytes) -> Path:
    """Write a state as the Trainer does (``indent=2, sort_keys=True``, bare NaN), or raw text/bytes.

    ``path`` may be a folder (``trainer_state.json`` is written inside, folders created as needed).
    """
    if path.suffix != ".json":
        path = path / "trainer_state.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(state, bytes):
        path.write_bytes(state)
    elif isinstance(state, str):
        path.write_text(state, encoding="utf-8")
    else:
        path.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def cli_command() -> list[str]:
    """The installed console script (next to this interpreter, or on PATH), else ``python -m``."""
    beside = Path(sys.executable).parent / "trainmon-tui"
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("trainmon-tui")
    return [found] if found else [sys.executable, "-m", "trainmon_tui"]


def cli_env(**extra: str) -> dict[str, str]:
    """A predictable environment: English, no colour forcing, a 100x40 'terminal'."""
    dropped = {"LC_ALL", "LC_MESSAGES", "NO_COLOR", "FORCE_COLOR"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(LANG="C.UTF-8", PYTHONIOENCODING="utf-8", COLUMNS="100", LINES="40")
    env.update(extra)
    return env


RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_cli(tmp_path: Path) -> RunCli:
    """Run ``trainmon-tui ARGS`` in ``tmp_path``; returns the finished process (text stdout/stderr)."""

    def run(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> Any:
        return subprocess.run(
            [*cli_command(), *map(str, args)],
            cwd=cwd or tmp_path,
            env=env or cli_env(),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            stdin=subprocess.DEVNULL,
        )

    return run


def one_line(text: str) -> str:
    """Assert that stderr holds exactly one line and no traceback; return it."""
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.fixture
def helpers() -> SimpleNamespace:
    return SimpleNamespace(
        trainer_state=trainer_state,
        write_state=write_state,
        one_line=one_line,
        cli_command=cli_command,
        cli_env=cli_env,
        real=REAL_FIXTURES,
    )


async def _wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    waited = 0.0
    while not condition():
        if waited > timeout:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
        waited += 0.05


@pytest.fixture
def wait_for() -> Callable[..., Awaitable[None]]:
    """``await wait_for(pilot, condition, timeout=10.0)``: under Pilot, wait until ``condition()`` or fail."""
    return _wait_for
