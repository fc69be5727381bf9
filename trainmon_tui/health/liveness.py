"""The detectors over time and the training process: stalled, the process gone, finished.

They look at the run as it stands (its :class:`~trainmon_tui.live.eta.Progress` and live log), not at new
entries: time moves on while the files do not, so they are asked again at every tick.

- **stalled**: the summary's own rule (:mod:`trainmon_tui.live.eta`: not finished, silent for longer than
  max(5 x the median interval, 120 s)), and silent for at least ``stall_minutes`` too: the summary says
  STALLED early, an alert waits longer before waking anyone;
- **process gone**: the live log's latest start record names the training process (``pid``, ``host``); on
  the same host, a process that no longer runs (or whose pid now belongs to a process started after the
  record) without an end record is gone. Another host, or no pid: cannot tell, never alerts;
- **finished**: the run reached its end (an end record, the end-of-training entry, or max_steps).
"""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Callable

from trainmon_tui.files.model import TrainerState
from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.live.eta import Progress
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.views.i18n import t
from trainmon_tui.views.numfmt import format_number


def _boot_time() -> float | None:
    try:
        with open("/proc/stat", encoding="ascii") as f:
            for line in f:
                if line.startswith("btime "):
                    return float(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def _started_at(pid: int) -> float | None:
    """When process ``pid`` started (Linux ``/proc``; inf for a zombie), or None when that cannot be told."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        if fields[0] == "Z":
            return math.inf  # it has exited; its parent has not reaped it yet
        boot = _boot_time()
        return None if boot is None else boot + int(fields[19]) / ticks
    except (OSError, ValueError, IndexError):
        return None


def process_alive(pid: int, since: float) -> bool:
    """Whether process ``pid`` runs and started no later than ``since`` (the start record's time)."""
    if not 0 < pid < 2**31:
        return True  # no process can have it (a record from a broken file): cannot tell, never alert
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        pass  # another user's process (EPERM): it exists
    started = _started_at(pid)
    # a zombie, or a pid reused by a process started after the record (a second of slack for clock ticks)
    return started is None or started <= since + 1.0


def is_finished(state: TrainerState | None, live: LiveLog | None, progress: Progress | None) -> bool:
    if live is not None and live.end is not None:
        return True
    if progress is not None and progress.finished:
        return True
    if state is None:
        return False
    planned, done = state.max_steps, state.global_step
    return state.final is not None or (planned is not None and done is not None and 0 < planned <= done)


def stalled(progress: Progress | None, limits: Thresholds, now: float) -> Alert | None:
    if progress is None or not progress.stalled or progress.seconds_since_update is None:
        return None
    floor = max(progress.stall_threshold or 0.0, limits.stall_minutes * 60)
    silent = progress.seconds_since_update
    if silent <= floor:
        return None
    minutes = format_number(silent / 60)
    since = progress.last_update if progress.last_update is not None else now
    fields = {"m": minutes, "step": progress.step if progress.step is not None else "-"}
    return Alert(
        "stalled",
        "warning",
        progress.step,
        since,
        t("alert_stalled", "en", **fields),
        t("alert_stalled", "zh", **fields),
    )


def process_gone(
    live: LiveLog | None,
    now: float,
    *,
    host: str | None = None,
    alive: Callable[[int, float], bool] = process_alive,
) -> Alert | None:
    if live is None or live.start is None or live.end is not None:
        return None
    start = live.start
    if start.pid is None or start.host is None or start.host != (host or socket.gethostname()):
        return None
    if alive(start.pid, start.time):
        return None
    step = live.logs[-1].step if len(live.logs) > live.session_first else start.step
    fields = {"pid": start.pid, "step": step}
    return Alert(
        "process_gone",
        "critical",
        step,
        now,
        t("alert_gone", "en", **fields),
        t("alert_gone", "zh", **fields),
    )


def finished(
    state: TrainerState | None, live: LiveLog | None, progress: Progress | None, now: float
) -> Alert | None:
    if not is_finished(state, live, progress):
        return None
    step = progress.step if progress is not None and progress.step is not None else None
    if step is None and state is not None:
        step = state.global_step
    when = live.end.time if live is not None and live.end is not None else now
    fields = {"step": step if step is not None else "-"}
    return Alert(
        "finished",
        "info",
        step,
        when,
        t("alert_finished", "en", **fields),
        t("alert_finished", "zh", **fields),
    )
