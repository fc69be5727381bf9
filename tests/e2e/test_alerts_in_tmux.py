"""End to end: an alert in a real terminal (tmux). A NaN loss arriving in a watched run shows in the info
bar, rings the terminal bell (tmux's window bell flag, what turns into a window alert) and runs the
``--on-alert`` command; with ``--no-bell`` the flag stays down."""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trainmon_tui.simulate import RunConfig, SimulatedRun

if TYPE_CHECKING:
    from tests.e2e.conftest import Tmux

WaitUntil = Callable[..., bool]


def _start(tmux: Tmux, tmp_path: Path, console_script: str, *flags: str) -> SimulatedRun:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(
        outputs, RunConfig(max_steps=200, save_steps=20, eval_steps=None, nan_steps=frozenset({30}))
    )
    run.save_at(20)
    tmux.start([console_script, str(outputs), *flags], 100, 30, tmp_path)
    return run


def _bell(tmux: Tmux) -> str:
    return tmux.display("#{window_bell_flag}")


@pytest.mark.parametrize("bell", [True, False], ids=["bell", "no-bell"])
def test_a_nan_rings_the_bell_and_shows_in_the_info_bar(tmp_path, tmux, console_script, wait_until, bell):
    seen = tmp_path / "hook.json"
    hook = tmp_path / "hook.py"
    hook.write_text(
        "import json, os, sys\n"
        "env = {k: v for k, v in os.environ.items() if k.startswith('TRAINMON_')}\n"
        "json.dump(env, open(sys.argv[1] + '.' + env['TRAINMON_KIND'], 'w'))\n"
    )
    flags = ["--on-alert", f"{shlex.quote(sys.executable)} {shlex.quote(str(hook))} {shlex.quote(str(seen))}"]
    run = _start(tmux, tmp_path, console_script, *flags, *([] if bell else ["--no-bell"]))
    assert wait_until(lambda: "step 20" in tmux.screen()), tmux.screen()
    assert _bell(tmux) == "0"
    run.save_at(40)  # the NaN at step 30 arrives
    assert wait_until(lambda: "✖ 1" in tmux.screen().splitlines()[0]), tmux.screen()
    assert wait_until(lambda: "Loss is NaN at step 30" in tmux.screen()), tmux.screen()
    target = Path(f"{seen}.nan_loss")
    assert wait_until(target.exists), tmux.screen()
    assert json.loads(target.read_text())["TRAINMON_STEP"] == "30"
    if bell:
        assert wait_until(lambda: _bell(tmux) == "1"), tmux.screen()
    else:
        assert _bell(tmux) == "0"
    tmux("send-keys", "-t", "main", "a")
    assert wait_until(lambda: "Alerts (newest first)" in tmux.screen()), tmux.screen()
    assert "critical" in tmux.screen()
    tmux("send-keys", "-t", "main", "a")  # closes the list too (escape then q could read as alt+q)
    assert wait_until(lambda: "Alerts (newest first)" not in tmux.screen()), tmux.screen()
    tmux("send-keys", "-t", "main", "q")
    assert wait_until(tmux.pane_dead), tmux.pane_status()
    assert "Traceback" not in tmux.everything()
