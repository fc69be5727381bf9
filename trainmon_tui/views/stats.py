"""The summary statistics, defined once: the summary table, ``--format json`` and the dashboard use them.

The resource figures (``system``) are :mod:`.sysstats`'s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

from trainmon_tui.files.model import EvalPoint, TrainerState
from trainmon_tui.views.sysstats import SystemLatest, system_latest

Trend = Literal["down", "up", "flat"]


@dataclass(frozen=True, slots=True)
class LossStats:
    current: float | None  # the newest training entry's loss: NaN, ±inf as logged; None if null or unknown
    min: float | None
    max: float | None
    mean: float | None
    trend: Trend | None
    count: int  # training entries with a finite loss
    nonfinite: int  # training entries whose loss is NaN, +-Infinity, null or not a number


@dataclass(frozen=True, slots=True)
class Summary:
    source: str
    checkpoint: str | None
    checkpoint_time: datetime | None
    global_step: int | None
    max_steps: int | None
    step_progress: float | None
    epoch: float | None
    num_train_epochs: float | None
    epoch_progress: float | None
    loss: LossStats
    # From the newest training entry having the key, NaN and ±inf as logged (null in JSON).
    learning_rate: float | None
    grad_norm: float | None
    grad_norm_count: int  # grad norms logged, finite or not
    grad_norm_nonfinite: int  # of them NaN, ±Infinity or null
    eval: EvalPoint | None  # metrics NaN and ±inf as logged (null in JSON)
    best_metric: float | None
    best_model_checkpoint: str | None
    # The end-of-training entry (train_loss, train_runtime, ...) when the state holds it; not in JSON.
    final: dict[str, float | None] | None = None
    # The newest resource figures of the training process (the live log's ``sys``), when it has them.
    system: SystemLatest | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``--format json`` object: exactly these keys, null where unknown or not finite."""
        return {
            "source": self.source,
            "checkpoint": self.checkpoint,
            "checkpoint_time": (
                self.checkpoint_time.isoformat(timespec="seconds") if self.checkpoint_time else None
            ),
            "global_step": self.global_step,
            "max_steps": self.max_steps,
            "step_progress": self.step_progress,
            "epoch": self.epoch,
            "num_train_epochs": self.num_train_epochs,
            "epoch_progress": self.epoch_progress,
            "loss": {
                "current": finite(self.loss.current),
                "min": self.loss.min,
                "max": self.loss.max,
                "mean": self.loss.mean,
                "trend": self.loss.trend,
                "count": self.loss.count,
                "nonfinite": self.loss.nonfinite,
            },
            "learning_rate": finite(self.learning_rate),
            "grad_norm": finite(self.grad_norm),
            "grad_norm_nonfinite": self.grad_norm_nonfinite,
            "eval": _eval_json(self.eval),
            "best_metric": self.best_metric,
            "best_model_checkpoint": self.best_model_checkpoint,
            "system": self.system.to_json() if self.system is not None else None,
        }


def finite(value: float | None) -> float | None:
    """``value`` when it is a finite number, else None (JSON has no NaN or Infinity)."""
    return value if value is not None and math.isfinite(value) else None


def _eval_json(point: EvalPoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    return {"step": point.step, "metrics": {key: finite(value) for key, value in point.metrics.items()}}


def fraction(done: float | None, total: float | None) -> float | None:
    if done is None or total is None or total <= 0:
        return None
    return done / total


def mean(finite_values: np.ndarray) -> float:
    """The mean of finite values, also where their sum overflows (``1e308, 1e308, -1e308``)."""
    with np.errstate(over="ignore", invalid="ignore"):
        value = float(finite_values.mean())
        if not math.isfinite(value):  # each term divided first: the sum stays within the largest float
            value = float(np.sum(finite_values / len(finite_values)))
    return value


def trend(finite_losses: np.ndarray) -> Trend | None:
    """Mean of the last w finite losses against the mean of the w before, w = max(1, min(10, n // 2))."""
    n = len(finite_losses)
    if n < 2:
        return None
    w = max(1, min(10, n // 2))
    recent = mean(finite_losses[n - w :])
    before = mean(finite_losses[n - 2 * w : n - w])
    if recent < before:
        return "down"
    if recent > before:
        return "up"
    return "flat"


def loss_stats(losses: np.ndarray, current: float | None) -> LossStats:
    """Statistics of the training losses, one value per training entry (NaN for null or not a number);
    ``current`` is the newest one as logged (the series cannot tell a null from a NaN)."""
    finite_values = losses[np.isfinite(losses)]
    count = len(finite_values)
    return LossStats(
        current=current,
        min=float(finite_values.min()) if count else None,
        max=float(finite_values.max()) if count else None,
        mean=mean(finite_values) if count else None,
        trend=trend(finite_values),
        count=count,
        nonfinite=len(losses) - count,
    )


def nonfinite_count(values: np.ndarray) -> int:
    """How many of ``values`` are NaN or ±inf (null in the file is NaN in a series)."""
    return int(len(values) - np.count_nonzero(np.isfinite(values)))


def summarize(state: TrainerState) -> Summary:
    grad_norms = state.get("grad_norm").values
    return Summary(
        source=str(state.source),
        checkpoint=state.checkpoint,
        checkpoint_time=datetime.fromtimestamp(state.mtime).astimezone() if state.mtime else None,
        global_step=state.global_step,
        max_steps=state.max_steps,
        step_progress=fraction(state.global_step, state.max_steps),
        epoch=state.epoch,
        num_train_epochs=state.num_train_epochs,
        epoch_progress=fraction(state.epoch, state.num_train_epochs),
        loss=loss_stats(state.loss.values, state.last_train.get("loss")),
        learning_rate=state.last_train.get(state.lr_key),
        grad_norm=state.last_train.get("grad_norm"),
        grad_norm_count=len(grad_norms),
        grad_norm_nonfinite=nonfinite_count(grad_norms),
        eval=state.latest_eval,
        best_metric=state.best_metric,
        best_model_checkpoint=state.best_model_checkpoint,
        final=state.final,
        system=system_latest(state),
    )
