"""End to end: ``trainmon-tui PARENT`` of the installed console script in a real terminal (tmux).

A sweep written by the test opens the workspace (every run, its status, the unreadable one with its
reason); ``enter`` opens a run's dashboard, escape comes back to the table with the selection kept; a run
written while it is open appears; ``q`` quits with status 0 and no traceback at any point.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from builders.sweep import add_run, write_sweep

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

WaitUntil = Callable[..., bool]
WIDTH, HEIGHT = 120, 36


@pytest.mark.parametrize("poll", [[], ["--poll", "0.5"]], ids=["inotify", "polling"])
def test_the_workspace_in_a_real_terminal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil, poll: list[str]
) -> None:
    parent = tmp_path / "sweep"
    write_sweep(parent)
    status = tmp_path / "status"  # the exit status, as the shell saw it (tmux's own is not always known)
    command = " ".join(shlex.quote(part) for part in [console_script, str(parent), *poll])
    tmux.start(["sh", "-c", f"{command}; echo $? > {shlex.quote(str(status))}"], WIDTH, HEIGHT, cwd=tmp_path)
    assert wait_until(lambda: "5 runs in" in tmux.screen() and "4 selected" in tmux.screen()), tmux.screen()
    texts = ("lr-1e-4", "finished", "lr-3e-4", "running", "stalled", "unreadable", "JSON ends early")
    assert wait_until(lambda: all(text in tmux.screen() for text in texts)), tmux.screen()
    screen = tmux.screen()
    assert "Training loss (smoothed)" in screen and "Grad norm" in screen  # the four charts fit at 36 rows
    assert ("polling 0.5s" if poll else "inotify") in screen

    tmux("send-keys", "-t", "main", "Down", "Down", "Space")  # lr-3e-4 unselected
    assert wait_until(lambda: "3 selected" in tmux.screen()), tmux.screen()
    tmux("send-keys", "-t", "main", "Enter")  # its dashboard
    assert wait_until(lambda: "Training progress" in tmux.screen() and "lr-3e-4" in tmux.screen()), (
        tmux.screen()
    )
    assert wait_until(lambda: "esc Runs" in tmux.screen()), tmux.screen()
    tmux("send-keys", "-t", "main", "Escape")
    assert wait_until(lambda: "5 runs in" in tmux.screen() and "3 selected" in tmux.screen()), tmux.screen()

    add_run(parent / "late", (20, 40))  # appears without a key press, within the rescan interval
    assert wait_until(lambda: "6 runs in" in tmux.screen() and "late" in tmux.screen()), tmux.screen()
    tmux("send-keys", "-t", "main", "q")
    assert wait_until(lambda: status.exists() and status.read_text().strip() != ""), tmux.screen()
    assert status.read_text().strip() == "0"
    assert "Traceback" not in tmux.everything()
