"""A served tab's process (trainmon_tui/serve/session.py): its fixed command and its environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trainmon_tui.serve.address import TOKEN_ENV
from trainmon_tui.serve.session import (
    SERVER_ENV,
    SESSION_ENV,
    exit_with_server,
    served_session,
    session_argv,
    session_environment,
)


def test_the_command_is_the_servers_own(tmp_path: Path) -> None:
    folder = tmp_path / "a run; rm -rf ~ $(id)"
    argv = session_argv(folder, lang="zh", poll=2, checkpoint=folder / "checkpoint-5", python="/py")
    assert argv == [
        "/py", "-m", "trainmon_tui", str(folder), "--lang", "zh",
        "--poll", "2.0", "--checkpoint", str(folder / "checkpoint-5"),
    ]  # fmt: skip


def test_a_relative_or_dashed_folder_becomes_absolute(tmp_path: Path, monkeypatch: object) -> None:
    argv = session_argv(Path("-rf"), lang="en", python="/py")
    assert Path(argv[3]).is_absolute() and argv[3].endswith("/-rf")
    assert argv[4:] == ["--lang", "en"]


def test_the_environment_marks_the_session_and_drops_the_token() -> None:
    environment = session_environment({"PATH": "/bin", TOKEN_ENV: "secret-secret-secret"}, server=42)
    assert environment == {"PATH": "/bin", SESSION_ENV: "1", SERVER_ENV: "42"}
    assert session_environment({})[SERVER_ENV] == str(os.getpid())


def test_served_only_with_the_mark_and_the_web_driver() -> None:
    driver = "textual.drivers.web_driver:WebDriver"
    assert served_session({SESSION_ENV: "1", "TEXTUAL_DRIVER": driver})
    assert not served_session({SESSION_ENV: "1"})
    assert not served_session({"TEXTUAL_DRIVER": driver})
    assert not served_session({})


def test_not_arranged_without_a_server() -> None:
    assert not exit_with_server({})
    assert not exit_with_server({SERVER_ENV: "not a pid"})


CHILD = "import os, sys; from trainmon_tui.serve.session import exit_with_server; print(exit_with_server())"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_session_arranges_to_end_with_its_server() -> None:
    """In a child whose parent is the named server: arranged. Named another (the server already gone):
    the session ends at once (SIGTERM), rather than live on as an orphan."""
    env = {**os.environ, SERVER_ENV: str(os.getpid())}
    kept = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert kept.returncode == 0 and kept.stdout == "True\n"
    env[SERVER_ENV] = "1"  # not its parent
    gone = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60)
    assert gone.returncode == -15
