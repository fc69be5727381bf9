"""``--on-alert``'s command: split like a shell, at most once a minute per kind, failures said in one line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.command import AlertCommand, alert_environment, split_command


def _alert(kind: str = "nan_loss", step: int | None = 7) -> Alert:
    return Alert(kind, "critical", step, 0.0, "Loss is NaN", "损失为 NaN")


def test_split_like_a_shell_without_one():
    assert split_command("notify-send 'run done' $HOME;") == ["notify-send", "run done", "$HOME;"]
    with pytest.raises(ValueError, match="cannot split"):
        split_command("say 'oops")
    with pytest.raises(ValueError, match="give a command"):
        split_command("   ")


def test_once_a_minute_per_kind():
    now = [100.0]
    command = AlertCommand(["true"], Path("run"), clock=lambda: now[0])
    assert command.due(_alert("nan_loss"))
    assert not command.due(_alert("nan_loss", 9))  # same kind within the minute
    assert command.due(_alert("stalled"))  # another kind
    now[0] += 60.0
    assert command.due(_alert("nan_loss", 11))


def test_the_environment_in_the_labels_language():
    env = alert_environment(_alert(step=None), Path("/r"), "zh", {"PATH": "/bin"})
    assert env["TRAINMON_STEP"] == "" and env["TRAINMON_MESSAGE"] == "损失为 NaN" and env["PATH"] == "/bin"
    assert env["TRAINMON_RUN"] == "/r" and env["TRAINMON_KIND"] == "nan_loss"


def test_failures_are_one_line():
    run = Path("run")
    assert AlertCommand([sys.executable, "-c", "pass"], run).run(_alert()) is None
    assert AlertCommand([sys.executable, "-c", "raise SystemExit(4)"], run).run(_alert()).endswith("status 4")
    assert AlertCommand(["no-such-cmd-x"], run).run(_alert()) == "no-such-cmd-x: command not found"
    slow = AlertCommand([sys.executable, "-c", "import time; time.sleep(30)"], run, timeout=0.5)
    assert "still running after 0.5 s" in (slow.run(_alert()) or "")
