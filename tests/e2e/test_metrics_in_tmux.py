"""End to end: the metrics view of the installed console script in a real terminal (tmux).

A DPO-style run (TRL's ``rewards/*`` keys) written by the test: ``2`` opens the metrics view, ``/margins``
filters it to the two margin charts, ``enter`` keeps the filter and ``enter`` again shows the focused chart,
``rewards/margins``, at the size of the whole view; ``escape`` goes back to the grid, and ``1`` to the
overview, with no traceback at any point.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

WaitUntil = Callable[..., bool]
WIDTH, HEIGHT = 100, 30


def dpo_history() -> list[dict[str, float]]:
    history: list[dict[str, float]] = []
    for step in range(10, 301, 10):
        history.append(
            {
                "loss": 0.7 * math.exp(-step / 200) + 0.1,
                "grad_norm": 5.0,
                "learning_rate": 5e-7,
                "rewards/chosen": 0.01 * step,
                "rewards/rejected": -0.01 * step,
                "rewards/margins": 0.02 * step,
                "rewards/accuracies": min(1.0, 0.5 + step / 600),
                "logps/chosen": -200 + step / 10,
                "logps/rejected": -220.0,
                "epoch": step / 300,
                "step": step,
            }
        )
        if step % 100 == 0:
            history.append(
                {"eval_loss": 0.6 - step / 1000, "eval_rewards/margins": 0.015 * step, "step": step}
            )
    return history


def charts_on(screen: str) -> int:
    """How many charts the pane shows: each draws one x-axis line, which starts with ``└``."""
    return screen.count("└")


def test_filter_then_full_size_in_a_real_terminal(
    tmp_path: Path, tmux: Tmux, console_script: str, wait_until: WaitUntil, helpers: SimpleNamespace
) -> None:
    outputs = tmp_path / "outputs"
    helpers.write_state(
        outputs / "checkpoint-300", helpers.trainer_state(dpo_history(), global_step=300, max_steps=300)
    )
    tmux.start([console_script, str(outputs)], WIDTH, HEIGHT, cwd=tmp_path)
    assert wait_until(lambda: "checkpoint-300" in tmux.screen()), tmux.screen()

    tmux("send-keys", "-t", "main", "2")
    assert wait_until(lambda: "page 1 of" in tmux.screen() and charts_on(tmux.screen()) > 2), tmux.screen()
    tmux("send-keys", "-t", "main", "-l", "/margins")  # one burst, as fast typing or a paste arrives
    assert wait_until(lambda: "filter: margins" in tmux.screen()), tmux.screen()
    assert wait_until(lambda: charts_on(tmux.screen()) == 2), tmux.screen()  # the two margin charts
    tmux("send-keys", "-t", "main", "Enter")  # keeps the filter, back to the grid
    tmux("send-keys", "-t", "main", "Enter")  # the focused chart at full size
    assert wait_until(
        lambda: charts_on(tmux.screen()) == 1 and "eval_rewards/margins" not in tmux.screen()
    ), tmux.screen()
    screen = tmux.screen()
    assert "rewards/margins" in screen
    axis = next(line for line in screen.splitlines() if "└" in line)
    assert axis.count("─") > WIDTH * 0.8, screen  # the chart spans the pane, not a grid cell

    tmux("send-keys", "-t", "main", "Escape")
    assert wait_until(lambda: charts_on(tmux.screen()) == 2), tmux.screen()
    tmux("send-keys", "-t", "main", "1")
    assert wait_until(lambda: "Training progress" in tmux.screen()), tmux.screen()
    assert not tmux.pane_dead(), tmux.screen()
    assert "Traceback" not in tmux.everything()
