"""The summary statistics, defined once: the summary table, ``--format json`` and the dashboard use them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import numpy as np

from .state import EvalPoint, TrainerState

Trend = Literal["down", "up", "flat"]


@dataclass(frozen=True, slots=True)
class LossStats:
    current: float | None
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
    learning_rate: float | None
    grad_norm: float | None
    eval: EvalPoint | None
    best_metric: float | None
    best_model_checkpoint: str | None

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
                "current": self.loss.current,
                "min": self.loss.min,
                "max": self.loss.max,
                "mean": self.loss.mean,
                "trend": self.loss.trend,
                "count": self.loss.count,
                "nonfinite": self.loss.nonfinite,
            },
            "learning_rate": self.learning_rate,
            "grad_norm": self.grad_norm,
            "eval": ({"step": self.eval.step, "metrics": dict(self.eval.metrics)} if self.eval else None),
            "best_metric": self.best_metric,
            "best_model_checkpoint": self.best_model_checkpoint,
        }


def fraction(done: float | None, total: float | None) -> float | None:
    if done is None or total is None or total <= 0:
        return None
    return done / total


def trend(finite_losses: np.ndarray) -> Trend | None:
    """Mean of the last w finite losses against the mean of the w before, w = max(1, min(10, n // 2))."""
    n = len(finite_losses)
    if n < 2:
        return None
    w = max(1, min(10, n // 2))
    recent = float(np.mean(finite_losses[n - w :]))
    before = float(np.mean(finite_losses[n - 2 * w : n - w]))
    if recent < before:
        return "down"
    if recent > before:
        return "up"
    return "flat"


def loss_stats(losses: np.ndarray) -> LossStats:
    """Statistics of the training losses, one value per training entry (NaN for null or not a number)."""
    finite_mask = np.isfinite(losses)
    finite = losses[finite_mask]
    count = len(finite)
    current = float(losses[-1]) if len(losses) and finite_mask[-1] else None
    return LossStats(
        current=current,
        min=float(finite.min()) if count else None,
        max=float(finite.max()) if count else None,
        mean=float(finite.mean()) if count else None,
        trend=trend(finite),
        count=count,
        nonfinite=len(losses) - count,
    )


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def summarize(state: TrainerState) -> Summary:
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
        loss=loss_stats(state.loss.values),
        learning_rate=_finite(state.last_train.get(state.lr_key)),
        grad_norm=_finite(state.last_train.get("grad_norm")),
        eval=state.latest_eval,
        best_metric=state.best_metric,
        best_model_checkpoint=state.best_model_checkpoint,
    )
