"""End to end: ``trainmon-tui --system`` in a real terminal (tmux): this host's CPU and memory beside the
summary, and on a machine without a GPU one line that says so; one line in all once the pane is stacked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

from trainmon_tui.live.sysprobe import Nvml

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

WaitUntil = Callable[..., bool]


def test_system_pane_in_a_real_terminal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil, helpers: SimpleNamespace
) -> None:
    outputs = tmp_path / "outputs"
    entries = [{"loss": 1.0 / s, "learning_rate": 1e-4, "step": s} for s in range(1, 11)]
    helpers.write_state(
        outputs / "checkpoint-10", helpers.trainer_state(entries, global_step=10, max_steps=20)
    )
    tmux.start([console_script, str(outputs), "--system"], 80, 24, cwd=tmp_path)
    assert wait_until(lambda: "This host" in tmux.screen() and "\nMem " in tmux.screen()), tmux.screen()
    screen = tmux.screen()
    side = [line[:37].rstrip() for line in screen.splitlines()]
    cpu = next((line for line in side if line.startswith("CPU ")), "")
    mem = next((line for line in side if line.startswith("Mem ")), "")
    assert "%" in cpu and mem.endswith("G"), screen
    gpu_lines = [line for line in side if line.startswith(("GPU", "No GPU"))]
    if Nvml().available:
        assert gpu_lines and all(line.startswith("GPU") for line in gpu_lines), screen
    else:  # this machine: no NVIDIA driver, said in one line
        assert len(gpu_lines) == 1 and gpu_lines[0].startswith("No GPU ("), screen
    assert "Training progress" in screen and "checkpoint-10" in screen

    tmux.resize(60, 18)  # stacked: the host in one line under the summary
    assert wait_until(lambda: any(line.startswith("This host CPU") for line in tmux.screen().splitlines())), (
        tmux.screen()
    )
    line = next(line for line in tmux.screen().splitlines() if line.startswith("This host CPU"))
    assert "Mem" in line and ("no GPU" in line or "GPU0" in line), line
    assert not tmux.pane_dead() and "Traceback" not in tmux.everything()
