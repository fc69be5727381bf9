"""The state model: what a ``trainer_state.json`` becomes (:class:`TrainerState`, :class:`Series`, ...).

Pure data, importing nothing of the project: every reader builds these, every view reads them. How a file
becomes one is :mod:`.state`'s business (and :mod:`.decode`, :mod:`.columns`, :mod:`.build`,
:mod:`.blockread` below it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

STATE_FILE = "trainer_state.json"
HUB_CHECKPOINT = "last-checkpoint"  # push_to_hub with hub_strategy="checkpoint": the latest checkpoint


def is_checkpoint_folder(name: str) -> bool:
    """``checkpoint-N``, or the Hub's ``last-checkpoint`` (a checkpoint like the others)."""
    return name.startswith("checkpoint-") or name == HUB_CHECKPOINT


class ErrorKind(Enum):
    MISSING = "missing"  # the file or its folder vanished (checkpoint rotation)
    INCOMPLETE = "incomplete"  # empty or cut short: most likely being written right now
    INVALID = "invalid"  # readable, but not a Trainer state


class StateError(Exception):
    """A ``trainer_state.json`` that could not be used; ``str()`` is one line naming file and cause."""

    def __init__(self, path: Path, reason: str, kind: ErrorKind = ErrorKind.INVALID) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.kind = kind


@dataclass(frozen=True, slots=True)
class Series:
    """One metric by step, as numeric arrays. ``values`` holds NaN where the file had null."""

    steps: np.ndarray  # int64
    values: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.steps)

    def finite(self) -> Series:
        mask = np.isfinite(self.values)
        if mask.all():
            return self  # nothing to leave out: no copy
        return Series(self.steps[mask], self.values[mask])


EMPTY_SERIES = Series(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


@dataclass(frozen=True, slots=True)
class EvalPoint:
    """The latest evaluation: its step and every ``eval_*`` value logged at that step (NaN and ±inf as
    logged; None where the file had null or a string)."""

    step: int
    metrics: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class TrainerState:
    source: Path
    checkpoint: str | None  # "checkpoint-500", or None for a root trainer_state.json
    mtime: float
    size: int
    global_step: int | None
    max_steps: int | None
    epoch: float | None
    num_train_epochs: float | None
    logging_steps: int | None
    eval_steps: int | None
    save_steps: int | None
    train_batch_size: int | None
    num_input_tokens_seen: int | None
    best_metric: float | None
    best_model_checkpoint: str | None
    best_global_step: int | None
    n_entries: int
    # Every numeric key of the training and evaluation entries, by step.
    series: dict[str, Series] = field(default_factory=dict)
    # The last value of each key among training entries (entries with a "loss" key), NaN and ±inf as
    # logged; None where the file had null or a string (unknown, where the series holds NaN).
    last_train: dict[str, float | None] = field(default_factory=dict)
    latest_eval: EvalPoint | None = None
    # The end-of-training summary entry (train_runtime, train_loss, ...), when this file holds it: its
    # numeric values, NaN and ±inf as logged.
    final: dict[str, float | None] | None = None
    # A hyperparameter-search trial's ``trial_params`` (numbers, strings and booleans only), else None.
    trial_params: dict[str, float | int | str | bool] | None = None

    def get(self, key: str) -> Series:
        return self.series.get(key, EMPTY_SERIES)

    @property
    def loss(self) -> Series:
        """Training loss: one point per training entry, NaN where it was NaN, null or not a number."""
        return self.get("loss")

    @property
    def eval_loss_keys(self) -> list[str]:
        """``eval_loss``, or with several eval sets their ``eval_<name>_loss`` keys."""
        if "eval_loss" in self.series:
            return ["eval_loss"]
        return sorted(k for k in self.series if k.startswith("eval_") and k.endswith("_loss"))

    @property
    def lr_key(self) -> str:
        """``learning_rate``, or ``lr`` as some custom trainers log it."""
        return "lr" if "learning_rate" not in self.series and "lr" in self.series else "learning_rate"

    @property
    def name(self) -> str:
        return self.checkpoint or self.source.name
