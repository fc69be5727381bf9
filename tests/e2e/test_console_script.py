"""End to end: the installed ``trainmon-tui`` console script in a real pseudo-terminal (tmux).

It opens on an empty outputs folder, shows a checkpoint written after it started, saves a PNG on ``s``
and exits with status 0 on ``q``, leaving no traceback on the screen.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.simulate import RunConfig, SimulatedRun

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

# The fixtures ``tmux``, ``console_script`` and ``wait_until`` come from tests/e2e/conftest.py.
WaitUntil = Callable[..., bool]


def test_dashboard_in_a_real_terminal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil
) -> None:
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    export_dir = tmp_path / "png"
    status_file = tmp_path / "status"
    command = (
        f"cd {shlex.quote(str(tmp_path))} && TERM=xterm-256color {shlex.quote(console_script)} outputs "
        f"--export-dir png; echo $? > {shlex.quote(str(status_file))}; sleep 30"
    )
    tmux("new-session", "-d", "-s", "main", "-x", "100", "-y", "30", command)
    assert wait_until(lambda: "Waiting for the first checkpoint" in tmux.screen()), tmux.screen()

    run = SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=20))
    run.save_at(20)
    assert wait_until(lambda: "checkpoint-20" in tmux.screen()), tmux.screen()
    # The summary is painted with the info bar but may reach the pane a frame later: wait, then it holds.
    assert wait_until(lambda: "20 / 100" in tmux.screen()), tmux.screen()

    tmux("send-keys", "-t", "main", "s")
    assert wait_until(lambda: any(export_dir.glob("*.png")), timeout=30), tmux.screen()
    (png,) = export_dir.glob("*.png")
    assert png.name.startswith("trainmon_outputs_step20_")
    assert wait_until(lambda: png.stat().st_size > 10_000)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert wait_until(lambda: "PNG saved" in tmux.screen()), tmux.screen()

    # Exits within the wait's timeout; how fast is not timed here (shared, noisy machines).
    tmux("send-keys", "-t", "main", "q")
    assert wait_until(lambda: status_file.exists() and status_file.read_text().strip() != "", timeout=15)
    assert status_file.read_text().strip() == "0"
    screen = tmux.screen()
    assert "Traceback" not in screen
    assert "Error" not in screen


def test_ctrl_c_exits_cleanly(tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=20))
    run.save_at(30)
    status_file = tmp_path / "status"
    command = (
        f"cd {shlex.quote(str(tmp_path))} && TERM=xterm-256color NO_COLOR=1 "
        f"{shlex.quote(console_script)} outputs; echo $? > {shlex.quote(str(status_file))}; sleep 30"
    )
    tmux("new-session", "-d", "-s", "main", "-x", "80", "-y", "24", command)
    assert wait_until(lambda: "checkpoint-30" in tmux.screen()), tmux.screen()
    tmux("send-keys", "-t", "main", "C-c")
    assert wait_until(lambda: status_file.exists() and status_file.read_text().strip() != "", timeout=15)
    assert status_file.read_text().strip() == "0"
    assert "Traceback" not in tmux.screen()
