"""The incremental health monitor: fed the run as it stands at every reload, it runs the detectors over
the entries that are new since the last time only, and says which alerts fired, hold and cleared.

A reload's cost is that of its new points: per series the monitor remembers the last (step, value) it fed
and finds it again with a binary search. When that point is gone or changed (a resumed run laid over an
older checkpoint, a checkpoint rotated away and an older one shown), it starts again from the first entry;
the episodes it had fired already (kind and start step) are not fired a second time, and those the new
history no longer holds are cleared. Time-based conditions (stalled, the process gone) are asked at every
:meth:`HealthMonitor.update` and :meth:`HealthMonitor.tick`. One lock: the dashboard feeds it from its
reload thread and ticks it from the event loop.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from trainmon_tui.files.model import TrainerState
from trainmon_tui.health import liveness
from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.detectors import Role, SeriesDetectors
from trainmon_tui.health.resources import ResourceDetectors, resume_index
from trainmon_tui.health.thresholds import DEFAULT, Thresholds
from trainmon_tui.live.eta import Progress
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.views.metrics import TrainerKind, trainer_kind

HISTORY_LIMIT = 500  # episodes kept for the alerts list


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The monitor's answer: alerts that fired now, those that hold, those that ended now, and every
    episode fired so far (oldest first)."""

    fired: tuple[Alert, ...] = ()
    active: tuple[Alert, ...] = ()
    cleared: tuple[Alert, ...] = ()
    history: tuple[Alert, ...] = ()

    @property
    def serious(self) -> tuple[Alert, ...]:
        """The alerts that hold with severity warning or above."""
        return tuple(a for a in self.active if a.serious)


def _roles(state: TrainerState) -> dict[Role, str]:
    evals = state.eval_loss_keys
    roles: dict[Role, str] = {"loss": "loss", "grad": "grad_norm", "lr": state.lr_key}
    if evals:
        roles["eval"] = evals[0]
    return roles


class HealthMonitor:
    def __init__(
        self,
        thresholds: Thresholds = DEFAULT,
        *,
        host: str | None = None,
        alive: Callable[[int, float], bool] = liveness.process_alive,
    ) -> None:
        self.thresholds = thresholds
        self.host = host  # None: this machine's hostname
        self.alive = alive
        self.points_fed = 0  # every point handed to a detector (the benchmark and the tests count them)
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, int | None], float] = {}  # episodes fired, and when
        self._history: dict[tuple[str, int | None], Alert] = {}  # every episode, first fired first
        self._active: dict[tuple[str, int | None], Alert] = {}
        self._start_over(TrainerKind.TRAINER, None)

    def _start_over(self, kind: TrainerKind, max_steps: int | None) -> None:
        self._detectors = SeriesDetectors(self.thresholds, kind, max_steps)
        self._resources = ResourceDetectors(self.thresholds)
        self._cursors: dict[Role, tuple[str, int, float]] = {}  # role: (key, last step fed, its value)

    # --- feeding ----------------------------------------------------------------------------------

    def _start_index(self, role: Role, key: str, steps: np.ndarray, values: np.ndarray) -> int | None:
        """Where the new points of ``role`` begin; None when the point fed last is no longer there."""
        cursor = self._cursors.get(role)
        if cursor is None:
            return 0
        known, step, value = cursor
        return resume_index((step, value), steps, values) if known == key else None

    def _feed(self, state: TrainerState, live: LiveLog | None, now: float) -> None:
        kind = trainer_kind(state.series.keys())
        detectors = self._detectors
        detectors.kind, detectors.max_steps = kind, state.max_steps
        roles = _roles(state)
        starts: dict[Role, int] = {}
        for role, key in roles.items():
            series = state.get(key)
            start = self._start_index(role, key, series.steps, series.values)
            if start is None:  # the history changed under us: read it all again
                self._start_over(kind, state.max_steps)
                starts = dict.fromkeys(roles, 0)
                break
            starts[role] = start
        batch: dict[Role, tuple[np.ndarray, np.ndarray]] = {}
        for role, key in roles.items():
            series = state.get(key)
            batch[role] = (series.steps[starts[role] :], series.values[starts[role] :])
            if len(series):
                self._cursors[role] = (key, int(series.steps[-1]), float(series.values[-1]))
        rates = state.get(roles["lr"]).finite()
        self._detectors.feed(batch, (rates.steps, rates.values), lambda step: _step_time(live, step, now))
        self.points_fed += sum(len(steps) for steps, _ in batch.values())
        touch = self._detectors.touch
        self.points_fed += self._resources.feed(state.series, lambda step: _wall_time(live, step), now, touch)

    # --- asking -----------------------------------------------------------------------------------

    def update(
        self, state: TrainerState | None, live: LiveLog | None, progress: Progress | None, now: float
    ) -> HealthReport:
        """The run as it stands now (the state with the live log laid over it): its new entries fed."""
        with self._lock:
            if state is not None:
                self._feed(state, live, now)
            return self._collect(state, live, progress, now)

    def tick(
        self, state: TrainerState | None, live: LiveLog | None, progress: Progress | None, now: float
    ) -> HealthReport:
        """Time moved on, the files did not: the time-based conditions asked again."""
        with self._lock:
            return self._collect(state, live, progress, now)

    def _collect(
        self, state: TrainerState | None, live: LiveLog | None, progress: Progress | None, now: float
    ) -> HealthReport:
        limits = self.thresholds
        timed = (
            liveness.stalled(progress, limits, now),
            liveness.process_gone(live, now, host=self.host, alive=self.alive),
            liveness.finished(state, live, progress, now),
        )
        holding = [*self._detectors.holding(), *self._resources.holding(), *(a for a in timed if a)]
        touched = self._detectors.drain() | {a.key: a for a in holding}
        fired: list[Alert] = []
        for key, alert in touched.items():
            if key in self._seen:
                alert = replace(alert, time=self._seen[key])  # when it was first seen
            else:
                self._seen[key] = alert.time
                fired.append(alert)
            self._history[key] = alert
        while len(self._history) > HISTORY_LIMIT:
            del self._history[next(iter(self._history))]
        current = {a.key: self._history.get(a.key, a) for a in holding}
        cleared = tuple(a for key, a in self._active.items() if key not in current)
        self._active = current
        return HealthReport(tuple(fired), tuple(current.values()), cleared, tuple(self._history.values()))

    @property
    def report(self) -> HealthReport:
        """What holds now, as last asked (nothing fired or cleared)."""
        with self._lock:
            return HealthReport(active=tuple(self._active.values()), history=tuple(self._history.values()))


def _step_time(live: LiveLog | None, step: int, now: float) -> float:
    """The wall time the live log logged ``step`` at, or ``now`` (a checkpoint has no wall times)."""
    time = _wall_time(live, step)
    return now if time is None else time


def _wall_time(live: LiveLog | None, step: int) -> float | None:
    """The wall time the live log logged ``step`` at (its first record at that step), None when unknown."""
    if live is None or not live.logs:
        return None
    logs = live.logs
    at = bisect.bisect_left(logs, step, key=lambda r: r.step)
    return logs[at].time if at < len(logs) and logs[at].step == step else None
