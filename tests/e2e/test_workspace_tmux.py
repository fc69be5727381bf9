"""End to end: ``trainmon-tui PARENT`` of the installed console script in a real terminal (tmux).

A sweep written by the test opens the workspace (every run, its status, the unreadable one with its
reason); ``enter`` opens a run's dashboard, escape comes back to the table with the selection kept; a run
written while it is open appears; ``q`` quits with status 0 and no traceback at any point.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from builders.sweep import add_run, write_sweep

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

WaitUntil = Callable[..., bool]
WIDTH, HEIGHT = 120, 36


def test_the_workspace_in_a_real_terminal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil
) -> None:
    parent = tmp_path / "sweep"
    write_sweep(parent)
    tmux.start([console_script, str(parent)], WIDTH, HEIGHT, cwd=tmp_path)
    assert wait_until(lambda: "5 runs in" in tmux.screen() and "4 selected" in tmux.screen()), tmux.screen()
    screen = tmux.screen()
    for text in ("lr-1e-4", "finished", "lr-3e-4", "running", "stalled", "unreadable", "JSON ends early"):
        assert text in screen, (text, screen)
    assert "Training loss (smoothed)" in screen and "Grad norm" in screen  # the four charts fit at 36 rows

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
    assert wait_until(tmux.pane_dead), tmux.screen()
    assert "exit status 0" in tmux.pane_status()
    assert "Traceback" not in tmux.everything()
