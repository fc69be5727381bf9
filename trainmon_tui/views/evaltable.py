"""The evaluations table as data: one row per eval step, one column per eval metric of every set.

:func:`eval_table` reads every ``eval_*`` series of a state (not only the latest evaluation, which is all
the summary shows): columns grouped by eval set as :mod:`.evalsets` groups them (the single set first,
then the sets by name; in a set its loss first, then its metrics by name), the timing keys left out;
rows newest first, each with its epoch as logged. A cell is None where that metric was not logged at that
step, and NaN or ±inf as logged (null in the file is NaN, as in the state's series). A step logged more
than once (a resumed run evaluating again at the same step) shows the last value logged.

Each column carries its best value: the smallest for names that say lower is better (losses, WER, CER,
perplexity), the largest for accuracy, F1, BLEU, ROUGE, rewards, ... (:func:`~.metrics.better`), none
for a name that says neither (``eval_num_tokens``): no guess is marked. Of equal best values, the
earliest step is the best, as the Trainer's own ``metric_for_best_model`` keeps the first one reached.
The best checkpoint's row is ``best_global_step``, or the number in ``best_model_checkpoint``
(``.../checkpoint-3000``) in files older than that field; and :attr:`EvalTable.best_metric_key` says
which column the file's ``best_metric`` is, when exactly one column's value at that step equals it.

Pure data, no Rich: the UI marks and formats. Keys come from the file: pass them through
:func:`~.safetext.printable` before showing them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.evalsets import group_metrics
from trainmon_tui.views.metrics import Better, better
from trainmon_tui.views.xaxis import last_per_step

_EVAL = "eval_"
_CHECKPOINT_STEP = re.compile(r"checkpoint-(\d+)/*$")


@dataclass(frozen=True, slots=True)
class EvalColumn:
    """``key`` as logged; ``set_name`` None for the single set; ``metric`` without the set's prefix;
    ``best`` and ``best_step`` None when the direction is unknown or no value is finite."""

    key: str
    set_name: str | None
    metric: str
    better: Better | None
    best: float | None
    best_step: int | None


@dataclass(frozen=True, slots=True)
class EvalRow:
    step: int
    epoch: float | None
    cells: tuple[float | None, ...]  # one per column
    best_checkpoint: bool  # this step is the best checkpoint's


@dataclass(frozen=True, slots=True)
class EvalTable:
    columns: tuple[EvalColumn, ...]
    rows: tuple[EvalRow, ...]  # newest first
    best_checkpoint_step: int | None
    best_metric_key: str | None

    def is_best(self, row: EvalRow, column: int) -> bool:
        """Whether ``row``'s cell in ``column`` is that column's best value (the earliest such)."""
        col = self.columns[column]
        return col.best_step is not None and row.step == col.best_step


def best_checkpoint_step(state: TrainerState) -> int | None:
    """``best_global_step``, else the step in ``best_model_checkpoint``'s last path part."""
    if state.best_global_step is not None:
        return state.best_global_step
    if state.best_model_checkpoint is None:
        return None
    match = _CHECKPOINT_STEP.search(state.best_model_checkpoint.replace("\\", "/"))
    if match is None or len(match.group(1)) > 18:  # beyond int64: not a step
        return None
    return int(match.group(1))


def _columns(state: TrainerState) -> list[tuple[str, str | None, str]]:
    keys = sorted(key for key in state.series if key.startswith(_EVAL))
    groups = group_metrics(dict.fromkeys(keys))
    out: list[tuple[str, str | None, str]] = []
    for group in sorted(groups, key=lambda g: (g.name is not None, g.name or "")):
        prefix = _EVAL if group.name is None else f"{_EVAL}{group.name}_"
        metrics = sorted((name for name, _ in group.metrics), key=lambda name: (name != "loss", name))
        out.extend((prefix + name, group.name, name) for name in metrics)
    return out


def _best(direction: Better | None, steps: np.ndarray, values: np.ndarray) -> tuple[float | None, int | None]:
    if direction is None:
        return None, None
    finite = np.isfinite(values)
    if not finite.any():
        return None, None
    kept = values[finite]
    at = int(np.argmin(kept) if direction == "min" else np.argmax(kept))  # the first of equals
    return float(kept[at]), int(steps[finite][at])


def eval_table(state: TrainerState) -> EvalTable:
    """The table of every evaluation in ``state`` (see the module's docstring)."""
    layout = _columns(state)
    cleaned = [last_per_step(state.get(key)) for key, _, _ in layout]
    union = np.unique(np.concatenate([s.steps for s in cleaned])) if cleaned else np.zeros(0, np.int64)
    n = len(union)
    grid = np.full((len(layout), n), np.nan)
    present = np.zeros((len(layout), n), dtype=bool)
    columns = []
    for i, ((key, set_name, metric), series) in enumerate(zip(layout, cleaned, strict=True)):
        at = np.searchsorted(union, series.steps)
        grid[i, at] = series.values
        present[i, at] = True
        direction = better(key)
        best, best_step = _best(direction, series.steps, series.values)
        columns.append(EvalColumn(key, set_name, metric, direction, best, best_step))
    epochs = last_per_step(state.get("epoch"))
    epoch_at = dict(zip(epochs.steps.tolist(), epochs.values.tolist(), strict=True))
    checkpoint = best_checkpoint_step(state)
    rows = []
    values, flags = grid.T.tolist(), present.T.tolist()
    for r in range(n - 1, -1, -1):
        step = int(union[r])
        epoch = epoch_at.get(step)
        cells = tuple(v if f else None for v, f in zip(values[r], flags[r], strict=True))
        rows.append(
            EvalRow(
                step, epoch if epoch is not None and math.isfinite(epoch) else None, cells, step == checkpoint
            )
        )
    return EvalTable(
        tuple(columns), tuple(rows), checkpoint, _best_metric_key(state, columns, rows, checkpoint)
    )


def _best_metric_key(
    state: TrainerState, columns: list[EvalColumn], rows: list[EvalRow], step: int | None
) -> str | None:
    """The one column whose value at the best checkpoint's step is the file's ``best_metric``."""
    target = state.best_metric
    row = next((r for r in rows if r.step == step), None)
    if target is None or row is None:
        return None
    hits = [
        col.key
        for col, cell in zip(columns, row.cells, strict=True)
        if cell is not None and math.isfinite(cell) and math.isclose(cell, target, rel_tol=1e-12, abs_tol=0.0)
    ]
    return hits[0] if len(hits) == 1 else None
