"""SIGTERM and SIGHUP end the dashboard as ctrl+c does, even when the first one is lost.

Closing the tmux pane about 0.3 s after starting left a dashboard running with no terminal (ppid 1,
70 MB, forever): asyncio's SIGINT handler cancels the app's task, and a cancel that lands while the
app starts up is swallowed. The stop signal is now sent again until the process is gone; asyncio's
handler raises KeyboardInterrupt at its second call.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from trainmon_tui.cli import dashboard


def test_a_swallowed_stop_signal_is_sent_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "STOP_RETRY_SECONDS", 0.2, raising=False)
    calls: list[int] = []

    def swallowing(signum: int, frame: object) -> None:  # as asyncio's: the first call only cancels
        calls.append(signum)
        if len(calls) >= 2:
            raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, swallowing)
    try:
        with pytest.raises(KeyboardInterrupt), dashboard.stop_signals_interrupt():
            os.kill(os.getpid(), signal.SIGHUP)  # the terminal went away while the app was starting
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until the second SIGHUP unwinds this, as it does the app
                time.sleep(0.05)
    finally:
        signal.signal(signal.SIGINT, previous)
        dashboard._stopped_by.clear()
    assert calls == [signal.SIGINT, signal.SIGINT]
