"""One run's row of the workspace table, as data: status, progress, losses, the best evaluation, ETA.

Made from the run's :class:`~trainmon_tui.pipeline.Snapshot` (:func:`make_row`), so a row says what the
run's own dashboard says. The status, in the order it is decided:

- ``gone``: the folder was there and is no more (deleted after the workspace opened);
- ``unreadable``: nothing could be read (the folder is a file now, the state is cut short, a FIFO named
  ``trainer_state.json``): with the reason, one line;
- ``waiting``: no state yet (the run has not saved its first checkpoint, nor logged);
- ``finished``: the end of training (its summary entry, or the step reached max_steps);
- ``stalled``: silent for longer than its own rhythm allows (:mod:`trainmon_tui.live.eta`);
- ``running``: anything else.

The best evaluation is the Trainer's ``best_metric`` (``metric_for_best_model``) at ``best_global_step``
when it tracks one, else the lowest ``eval_loss`` and its step. Text from files stays data: the caller
makes it printable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from trainmon_tui.files.model import STATE_FILE, TrainerState
from trainmon_tui.live.eta import progress_json
from trainmon_tui.pipeline import RunWarning, Snapshot
from trainmon_tui.views.stats import finite
from trainmon_tui.workspace.config import Config
from trainmon_tui.workspace.finding import natural_key

Status = Literal["running", "finished", "stalled", "waiting", "unreadable", "gone"]
STATUSES: tuple[Status, ...] = ("running", "stalled", "waiting", "finished", "unreadable", "gone")


@dataclass(frozen=True, slots=True)
class RunRow:
    name: str  # the path below PARENT
    path: Path
    status: Status
    reason: str = ""  # why unreadable (or the first warning of a readable run)
    step: int | None = None
    max_steps: int | None = None
    fraction: float | None = None
    loss: float | None = None  # the newest training loss, as logged (NaN kept)
    best_loss: float | None = None
    best_eval: float | None = None
    best_eval_step: int | None = None
    best_eval_key: str | None = None  # "eval_loss", or None for the Trainer's best_metric
    eta_seconds: float | None = None
    last_update: float | None = None  # wall time of the latest sign of life
    nonfinite: int = 0  # training losses that were NaN or infinite
    config: Config = field(default_factory=dict)

    def sort_value(self, column: str) -> tuple[int, Any]:
        """The key to sort by ``column``: unknown values last, whichever way the table is sorted."""
        if column == "name":
            return (0, natural_key(self.name))
        value = STATUSES.index(self.status) if column == "status" else getattr(self, column, None)
        if column in self.config:
            value = self.config[column]
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (1, 0)
        if isinstance(value, str):
            return (0, value.lower())
        return (0, value)


def best_eval(state: TrainerState) -> tuple[float | None, int | None, str | None]:
    """(value, step, key): the Trainer's best metric, else the lowest finite eval_loss."""
    if state.best_metric is not None:
        return state.best_metric, state.best_global_step or _step_of(state.best_model_checkpoint), None
    keys = state.eval_loss_keys
    if not keys:
        return None, None, None
    series = state.get(keys[0]).finite()
    if not len(series):
        return None, None, keys[0]
    at = int(np.argmin(series.values))
    return float(series.values[at]), int(series.steps[at]), keys[0]


def _step_of(checkpoint: str | None) -> int | None:
    tail = Path(checkpoint).name.removeprefix("checkpoint-") if checkpoint else ""
    return int(tail) if tail.isdigit() and len(tail) < 19 else None


def _status(snapshot: Snapshot) -> tuple[Status, str]:
    state, progress = snapshot.state, snapshot.progress
    if state is None:
        if snapshot.outputs_error is not None:
            return "unreadable", snapshot.outputs_error.reason
        problems = [w for w in snapshot.warnings if w.source == "state"]
        if problems:
            return "unreadable", _line(problems[0])
        return "waiting", ""
    first = _line(snapshot.lasting_warnings[0]) if snapshot.lasting_warnings else ""
    done = state.final is not None or (
        state.max_steps is not None and state.global_step is not None and state.global_step >= state.max_steps
    )
    if done or (progress is not None and progress.finished):
        return "finished", first
    if progress is not None and progress.stalled:
        return "stalled", first
    return "running", first


def make_row(name: str, path: Path, snapshot: Snapshot, config: Config) -> RunRow:
    """The row of one run as its snapshot shows it."""
    status, reason = _status(snapshot)
    state, summary, progress = snapshot.state, snapshot.summary, snapshot.progress
    if state is None or summary is None:
        return RunRow(name, path, status, reason, config=config)
    value, step, key = best_eval(state)
    return RunRow(
        name=name,
        path=path,
        status=status,
        reason=reason,
        step=state.global_step,
        max_steps=state.max_steps,
        fraction=summary.step_progress,
        loss=summary.loss.current,
        best_loss=summary.loss.min,
        best_eval=value,
        best_eval_step=step,
        best_eval_key=key,
        eta_seconds=progress.eta_seconds if progress is not None else None,
        last_update=(progress.last_update if progress is not None else None) or state.mtime or None,
        nonfinite=summary.loss.nonfinite,
        config=config,
    )


def missing_row(name: str, path: Path, status: Status, reason: str, before: RunRow | None) -> RunRow:
    """A run that cannot be read any more (gone, or its folder replaced): what was known, a new status."""
    if before is None:
        return RunRow(name, path, status, reason)
    from dataclasses import replace

    return replace(before, status=status, reason=reason, eta_seconds=None)


def row_json(row: RunRow, snapshot: Snapshot | None) -> dict[str, Any]:
    """``--format json`` for one run of a PARENT: the one-run object (its summary and progress keys), with
    ``run`` and ``status`` (and ``reason``) first; the summary keys null when nothing could be read."""
    head: dict[str, Any] = {"run": row.name, "status": row.status, "reason": row.reason or None}
    summary = snapshot.summary if snapshot is not None else None
    body = summary.to_json() if summary is not None else dict.fromkeys(_SUMMARY_KEYS)
    best = {"value": finite(row.best_eval), "step": row.best_eval_step, "key": row.best_eval_key}
    progress = snapshot.progress if snapshot is not None else None
    return head | body | progress_json(progress) | {"best_eval": best, "config": row.config}


_SUMMARY_KEYS = (
    "source", "checkpoint", "checkpoint_time", "global_step", "max_steps", "step_progress", "epoch",
    "num_train_epochs", "epoch_progress", "loss", "learning_rate", "grad_norm", "grad_norm_nonfinite",
    "eval", "best_metric", "best_model_checkpoint",
)  # fmt: skip


def _line(warning: RunWarning) -> str:
    """A warning as one line, its file named below the run (the run's own state file: the reason alone)."""
    return warning.reason if warning.shown in ("", ".", STATE_FILE) else str(warning)
