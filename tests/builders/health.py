"""Trainer states and live logs for the health tests: a ``log_history`` from worked series, fed whole or
one entry at a time to a :class:`~trainmon_tui.health.monitor.HealthMonitor`."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from trainmon_tui.files.build import build_state
from trainmon_tui.files.model import TrainerState
from trainmon_tui.health.alerts import Alert
from trainmon_tui.health.monitor import HealthMonitor, HealthReport
from trainmon_tui.health.thresholds import Thresholds


def history(
    losses: Sequence[float],
    *,
    lr: float | Sequence[float] = 1e-4,
    grad: Sequence[float] | None = None,
    evals: Mapping[int, float] | None = None,
    extra: Mapping[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Training entries at steps 1..n (``loss``, ``learning_rate``, ``grad_norm`` 1.0 unless given), each
    followed by its evaluation when ``evals`` has its step."""
    entries: list[dict[str, Any]] = []
    for index, loss in enumerate(losses):
        step = index + 1
        rate = lr if isinstance(lr, (int, float)) else lr[index]
        norm = 1.0 if grad is None else grad[index]
        entries.append(
            {"step": step, "loss": loss, "learning_rate": rate, "grad_norm": norm, **(extra or {})}
        )
        if evals and step in evals:
            entries.append({"step": step, "eval_loss": evals[step]})
    return entries


def state_of(entries: Iterable[Mapping[str, Any]], *, max_steps: int | None = None) -> TrainerState:
    log = list(entries)
    step = max((e["step"] for e in log), default=0)
    raw = {"global_step": step, "max_steps": max_steps or 10 * step + 10, "log_history": log}
    return build_state(raw, Path("trainer_state.json"))


def run_all(
    entries: Sequence[Mapping[str, Any]], limits: Thresholds | None = None, **kw: Any
) -> HealthReport:
    """The report of one monitor given the whole history at once."""
    return HealthMonitor(limits or Thresholds()).update(state_of(entries, **kw), None, None, 0.0)


def run_each(
    entries: Sequence[Mapping[str, Any]], limits: Thresholds | None = None, **kw: Any
) -> tuple[HealthMonitor, list[HealthReport]]:
    """One monitor fed the history one entry more at a time, as a live run gives it: every report."""
    monitor = HealthMonitor(limits or Thresholds())
    reports = [
        monitor.update(state_of(entries[: n + 1], **kw), None, None, float(n)) for n in range(len(entries))
    ]
    return monitor, reports


def episodes(report: HealthReport) -> list[tuple[str, int | None]]:
    return [a.key for a in report.history]


def fired(reports: Sequence[HealthReport]) -> list[tuple[str, int | None]]:
    return [a.key for r in reports for a in r.fired]


def kinds(alerts: Iterable[Alert]) -> list[str]:
    return [a.kind for a in alerts]
