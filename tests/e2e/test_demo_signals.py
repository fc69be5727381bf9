"""``--demo`` removes its temporary folder however the dashboard ends: the terminal going away (tmux
``kill-session`` hangs up: SIGHUP) or a ``kill`` (SIGTERM), not only on ``q``."""

from __future__ import annotations

import os
import shlex
import signal
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

# The fixtures ``tmux``, ``console_script`` and ``wait_until`` come from tests/e2e/conftest.py.
WaitUntil = Callable[..., bool]


def _start_demo(tmux: Tmux, console_script: str, tmp_path: Path, temp: Path, wait_until: WaitUntil) -> Path:
    """Start ``trainmon-tui --demo`` with its own TMPDIR under a shell that writes its exit status to
    ``tmp_path/status``; returns the demo's folder once it holds a checkpoint that is on screen."""
    temp.mkdir()
    status = shlex.quote(str(tmp_path / "status"))
    script = f"TMPDIR={shlex.quote(str(temp))} {shlex.quote(console_script)} --demo; echo $? > {status}"
    env = ["env", "-i", f"HOME={tmp_path}", f"PATH={os.defpath}", "LANG=C.UTF-8", "TERM=xterm-256color"]
    tmux("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", *env, "sh", "-c", script)
    assert wait_until(lambda: any(temp.glob("trainmon-demo-*/checkpoint-*")), timeout=30), tmux.everything()
    assert wait_until(lambda: "checkpoint-" in tmux.screen(), timeout=30), tmux.everything()
    (folder,) = temp.glob("trainmon-demo-*")
    return folder


def _program_pid(tmux: Tmux) -> int:
    """The pid of trainmon-tui: the only child of the pane's shell."""
    shell = int(tmux.display("#{pane_pid}"))
    (child,) = Path(f"/proc/{shell}/task/{shell}/children").read_text().split()
    return int(child)


def test_demo_folder_removed_when_the_terminal_goes_away(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil
) -> None:
    temp = tmp_path / "temp"
    folder = _start_demo(tmux, console_script, tmp_path, temp, wait_until)
    pid = _program_pid(tmux)
    tmux("kill-session", "-t", "main")  # the pane's terminal closes: SIGHUP
    assert wait_until(lambda: not folder.exists(), timeout=15), sorted(p.name for p in folder.iterdir())
    assert wait_until(lambda: not _alive(pid), timeout=15)
    assert not folder.exists()  # the simulator did not bring it back after the removal
    assert list(temp.iterdir()) == []


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_demo_folder_removed_on_a_signal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil, signum: signal.Signals
) -> None:
    temp = tmp_path / "temp"
    folder = _start_demo(tmux, console_script, tmp_path, temp, wait_until)
    os.kill(_program_pid(tmux), signum)
    status = tmp_path / "status"
    assert wait_until(lambda: status.exists() and status.read_text().strip(), timeout=15), tmux.everything()
    assert not folder.exists()
    assert status.read_text().strip() == str(128 + signum), tmux.everything()
    assert "Traceback" not in tmux.everything()
    assert list(temp.iterdir()) == []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in _status(pid)


def _status(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().lower()
    except OSError:
        return ""
