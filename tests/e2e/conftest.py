"""Shared by the end-to-end tests: the installed console script, and a private tmux server to run it in.

Handed out as fixtures (``tmux``, ``console_script``, ``wait_until``), as ``tests/conftest.py`` does, so no
test imports a ``conftest`` module. Each test gets its own tmux server (a unique ``-L`` socket) that ignores
the user's ``~/.tmux.conf``, keeps a pane whose program has exited (``remain-on-exit on``, so a crash leaves
its traceback to capture) and is killed in teardown. Tests skip when tmux or the console script is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TMUX = shutil.which("tmux")


def _console_script() -> str:
    """The ``trainmon-tui`` next to this interpreter (this checkout's venv), else the one on PATH."""
    beside = Path(sys.executable).parent / "trainmon-tui"
    if beside.is_file():
        return str(beside)
    return shutil.which("trainmon-tui") or str(beside)


# Read by the tmux server before any session exists, so even a program that dies at once leaves its pane.
TMUX_CONF = """\
set -g remain-on-exit on
set -g status off
set -g history-limit 5000
"""


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, interval: float = 0.1) -> bool:
    """Poll ``condition`` until it holds (True) or ``timeout`` seconds have passed (its last value)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


class Tmux:
    """A private tmux server; ``tmux(*args)`` runs one tmux command on it and returns its stdout."""

    def __init__(self, socket: str, config: Path) -> None:
        self.socket = socket
        self.config = config

    def __call__(self, *args: str) -> str:
        # -u: UTF-8 whatever the locale, so box drawing and braille survive capture-pane.
        result = subprocess.run(
            [TMUX or "tmux", "-u", "-f", str(self.config), "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout

    def start(self, argv: list[str], width: int, height: int, cwd: Path) -> None:
        """Run ``argv`` (no shell) as the only pane of session ``main``, in a ``width`` x ``height`` window.

        It runs under ``env -i`` with only a home (``cwd``), a PATH, an English UTF-8 locale and
        ``TERM=xterm-256color``: nothing from the caller's environment (``NO_COLOR``, ``TEXTUAL_*``, ...).
        """
        clean = ["env", "-i", f"HOME={cwd}", f"PATH={os.defpath}", "LANG=C.UTF-8", "TERM=xterm-256color"]
        size = ["-x", str(width), "-y", str(height)]
        self("new-session", "-d", "-s", "main", *size, "-c", str(cwd), *clean, *argv)

    def screen(self) -> str:
        """What the pane shows now."""
        return self("capture-pane", "-p", "-t", "main")

    def everything(self) -> str:
        """The pane's whole history and screen: a long traceback scrolls off the top of a small pane."""
        return self("capture-pane", "-p", "-S", "-", "-t", "main")

    def display(self, fmt: str) -> str:
        return self("display-message", "-p", "-t", "main", fmt).strip()

    def _size(self, fmt: str) -> tuple[int, int]:
        width, _, height = self.display(fmt).partition("x")
        return (int(width), int(height)) if width.isdigit() and height.isdigit() else (0, 0)

    def window_size(self) -> tuple[int, int]:
        """The window's columns and rows; (0, 0) when there is no session."""
        return self._size("#{window_width}x#{window_height}")

    def pane_size(self) -> tuple[int, int]:
        return self._size("#{pane_width}x#{pane_height}")

    def resize(self, width: int, height: int) -> None:
        """Resize the window (tmux sets its ``window-size`` to manual, so no client changes it back)."""
        self("resize-window", "-t", "main", "-x", str(width), "-y", str(height))

    def pane_dead(self) -> bool:
        """The pane's program has exited (its pane stays, ``remain-on-exit on``)."""
        return self.display("#{pane_dead}") == "1"

    def pane_status(self) -> str:
        """``alive (pid N)`` or ``dead (exit status S)``, for assertion messages."""
        if not self.pane_dead():
            return f"alive (pid {self.display('#{pane_pid}')})"
        status = ""  # tmux learns the status when it reaps the process, a moment after the pane died
        deadline = time.monotonic() + 1.0
        while not status and time.monotonic() < deadline:
            status = self.display("#{pane_dead_status}#{pane_dead_signal}")
            time.sleep(0.05)
        return f"dead (exit status {status or 'unknown'})"


@pytest.fixture
def console_script() -> str:
    """The path of the installed ``trainmon-tui`` (skips the test when it is not installed)."""
    script = _console_script()
    if not Path(script).is_file():
        pytest.skip("the trainmon-tui console script is not installed")
    return script


@pytest.fixture(name="wait_until")
def wait_until_fixture() -> Callable[..., bool]:
    """``wait_until(condition, timeout=20.0)``: poll until ``condition()`` holds; returns whether it did."""
    return wait_until


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    """A private tmux server for this test (skips the test when tmux is not installed)."""
    if TMUX is None:
        pytest.skip("tmux is not installed")
    config = tmp_path / "tmux.conf"
    config.write_text(TMUX_CONF)
    server = Tmux(f"trainmon-test-{uuid.uuid4().hex[:8]}", config)
    yield server
    socket = server("display-message", "-p", "#{socket_path}").strip()
    server("kill-server")
    if socket:  # tmux 3.3 leaves the socket file of a killed server behind
        Path(socket).unlink(missing_ok=True)
