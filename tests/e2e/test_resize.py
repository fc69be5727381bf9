"""End to end: the dashboard survives its terminal being resized, and starting in a small terminal.

The installed ``trainmon-tui`` runs in a tmux pane on a simulated run shaped like real ones (losses and grad
norms below 1, evaluations, a NaN loss, several checkpoints). It proves that:

- resized while it runs through 80x24 -> 100x30 -> 60x18 -> 50x50 -> 160x48 -> 40x12 -> 80x24, the app
  redraws at every size, is still running after holding that size a moment, shows no traceback, and at
  80x24 again shows the run's step;
- started directly in a 50x50 or a 40x12 pane, it paints and is still running seconds later.

tmux keeps the pane of a program that exited (``remain-on-exit on``), so a crash fails the test with the
pane's whole text, traceback included, in the message.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trainmon_tui.simulate import SimulatedRun, demo_config

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

# The fixtures ``tmux`` and ``console_script`` come from tests/e2e/conftest.py.

SIZES = [(80, 24), (100, 30), (60, 18), (50, 50), (160, 48), (40, 12), (80, 24)]
CRASH_SIGNS = ("Traceback", "Error", "math domain")
REDRAW_TIMEOUT = 10.0  # seconds for a redraw (or the first paint) at a new size; generous on a busy machine
HOLD_MIN, HOLD_MAX = 2.0, 3.0  # seconds a size is held: covers the reload a resize starts, and its render
SURVIVE = 3.0  # seconds the app must live after its first paint in a small pane


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    """The ``--demo`` run saved at steps 50..200 (rotation keeps 4 checkpoints), checked to be real-like."""
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, demo_config())
    for step in (50, 100, 150, 200):
        run.save_at(step)
    train = [e for e in run.log_history if "loss" in e]
    grad_norms = [e["grad_norm"] for e in train if math.isfinite(e["grad_norm"])]
    losses = [e["loss"] for e in train if math.isfinite(e["loss"])]
    # The shape that crashed plotext: without these the tests below would prove nothing.
    assert sum(g < 1 for g in grad_norms) >= 10, grad_norms
    assert sum(loss < 1 for loss in losses) >= 10, losses
    assert sum("eval_loss" in e for e in run.log_history) >= 3
    assert len(list(outputs.glob("checkpoint-*"))) >= 3
    assert run.step == 200
    return outputs


def pane_report(tmux: Tmux, what: str) -> str:
    """A failure message: what went wrong, whether the app still runs, and all the pane's text."""
    width, height = tmux.window_size()
    return f"{what} (window {width}x{height}, app {tmux.pane_status()}); the pane:\n{tmux.everything()}"


def footer_at_bottom(screen: str, width: int, height: int) -> bool:
    """The footer (``... ^p palette``, flush right) is the bottom row of a ``width`` x ``height`` screen.

    A screen tmux merely cut or extended keeps the old footer elsewhere (or cut off), so this means the app
    drew a frame at the new size. Every size change below changes the width by 10 columns or more.
    """
    lines = screen.split("\n")
    if len(lines) < height:
        return False
    bottom = lines[height - 1].rstrip()
    return bottom.endswith("palette") and width - 2 <= len(bottom) <= width


def wait_for_screen(tmux: Tmux, what: str, condition: Callable[[str], bool]) -> str:
    """Poll the pane until ``condition(screen)``; fail at once if the app exits, or after the deadline."""
    deadline = time.monotonic() + REDRAW_TIMEOUT
    while True:
        if tmux.pane_dead():
            pytest.fail(pane_report(tmux, f"the app exited while waiting for {what}"))
        screen = tmux.screen()
        if condition(screen):
            return screen
        if time.monotonic() > deadline:
            pytest.fail(pane_report(tmux, f"no {what} within {REDRAW_TIMEOUT:.0f} s"))
        time.sleep(0.1)


def hold(tmux: Tmux, what: str, least: float, most: float) -> None:
    """Stay ``least`` s, then until two captures 0.25 s apart are equal (``most`` s at most); fail on exit."""
    start = time.monotonic()
    previous = None
    while time.monotonic() - start < most:
        if tmux.pane_dead():
            pytest.fail(pane_report(tmux, f"the app exited {time.monotonic() - start:.1f} s after {what}"))
        screen = tmux.screen()
        if screen == previous and time.monotonic() - start >= least:
            return
        previous = screen
        time.sleep(0.25)


def assert_running_without_traceback(tmux: Tmux, what: str) -> None:
    assert not tmux.pane_dead(), pane_report(tmux, f"the app exited after {what}")
    text = tmux.everything()
    for sign in CRASH_SIGNS:
        assert sign not in text, pane_report(tmux, f"{sign!r} on the screen after {what}")


def test_resizing_while_running(tmux: Tmux, console_script: str, outputs: Path) -> None:
    step_shown = re.compile(r"\bstep 200\b")  # the info bar: the state's global_step
    width, height = SIZES[0]
    tmux.start([console_script, str(outputs)], width, height, cwd=outputs.parent)
    assert tmux.window_size() == (width, height), tmux.window_size()
    wait_for_screen(
        tmux,
        f"the dashboard with step 200 and its charts at {width}x{height}",
        lambda s: bool(step_shown.search(s)) and "Grad norm" in s and footer_at_bottom(s, width, height),
    )
    assert_running_without_traceback(tmux, f"the first paint at {width}x{height}")

    for (old_w, old_h), (width, height) in itertools.pairwise(SIZES):
        change = f"the resize {old_w}x{old_h} -> {width}x{height}"
        tmux.resize(width, height)
        assert tmux.window_size() == (width, height), pane_report(tmux, f"tmux did not apply {change}")
        assert tmux.pane_size() == (width, height), pane_report(tmux, f"the pane did not follow {change}")
        redrawn = functools.partial(footer_at_bottom, width=width, height=height)
        wait_for_screen(tmux, f"a redraw after {change}", redrawn)
        hold(tmux, change, HOLD_MIN, HOLD_MAX)
        assert_running_without_traceback(tmux, change)

    wait_for_screen(tmux, "step 200 back at 80x24", lambda s: step_shown.search(s) is not None)


@pytest.mark.parametrize(("width", "height"), [(50, 50), (40, 12)], ids=["50x50", "40x12"])
def test_starting_in_a_small_pane(
    tmux: Tmux, console_script: str, outputs: Path, width: int, height: int
) -> None:
    tmux.start([console_script, str(outputs)], width, height, cwd=outputs.parent)
    assert tmux.window_size() == (width, height), tmux.window_size()
    wait_for_screen(
        tmux,
        f"the first paint (step 200) at {width}x{height}",
        lambda s: "step 200" in s and footer_at_bottom(s, width, height),
    )
    painted = f"the first paint at {width}x{height}"
    hold(tmux, painted, SURVIVE, SURVIVE)  # the crash came within seconds: watch for it the whole time
    assert_running_without_traceback(tmux, f"{SURVIVE:.0f} s after {painted}")
