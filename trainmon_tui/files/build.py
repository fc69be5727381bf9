"""A decoded ``trainer_state.json`` checked and assembled into a :class:`~.model.TrainerState`.

:func:`build_state` is the reference: the decoded object checked, its ``log_history`` folded by
:class:`~.columns.Columns`. :func:`assemble_state` is its last step, shared with :mod:`.blockread`, which
folds the log its own way: the top-level fields checked (a step or count by :mod:`.numeric`'s rule) and
put together with the columns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainmon_tui.files.columns import Columns
from trainmon_tui.files.model import EvalPoint, StateError, TrainerState, is_checkpoint_folder
from trainmon_tui.files.numeric import OUT_OF_RANGE, OutOfRange, as_float, brief, count_of, finite_or_none

BLOCK_ENTRIES = 4096


def _top_number(raw: dict[str, Any], key: str, path: Path, *, integer: bool) -> Any:
    """A top-level numeric field: absent or null is None; a string or other type is an error, and so is a
    step or count (``integer``) beyond int64 (see :mod:`.numeric`). NaN and ±inf read as None."""
    value = raw.get(key)
    if value is None:
        return None
    if as_float(value) is None:
        raise StateError(path, f"{key} is {brief(value)}, expected a number")
    if not integer:
        return finite_or_none(value)
    try:
        return count_of(value)
    except OutOfRange:
        raise StateError(path, f"{key} {OUT_OF_RANGE}") from None


def assemble_state(
    raw: dict[str, Any], columns: Columns, path: Path, mtime: float, size: int
) -> TrainerState:
    """The state of a file: its top-level fields (``raw``) and its log as folded into ``columns``."""
    global_step = _top_number(raw, "global_step", path, integer=True)
    if global_step is None and columns.count:
        global_step = columns.step
    best_checkpoint = raw.get("best_model_checkpoint")
    return TrainerState(
        source=path,
        checkpoint=path.parent.name if is_checkpoint_folder(path.parent.name) else None,
        mtime=mtime,
        size=size,
        global_step=global_step,
        max_steps=_top_number(raw, "max_steps", path, integer=True),
        epoch=_top_number(raw, "epoch", path, integer=False),
        num_train_epochs=_top_number(raw, "num_train_epochs", path, integer=False),
        logging_steps=_top_number(raw, "logging_steps", path, integer=False),
        eval_steps=_top_number(raw, "eval_steps", path, integer=False),
        save_steps=_top_number(raw, "save_steps", path, integer=False),
        train_batch_size=_top_number(raw, "train_batch_size", path, integer=True),
        num_input_tokens_seen=_top_number(raw, "num_input_tokens_seen", path, integer=True),
        best_metric=finite_or_none(raw.get("best_metric")),
        best_model_checkpoint=best_checkpoint if isinstance(best_checkpoint, str) else None,
        best_global_step=_top_number(raw, "best_global_step", path, integer=True),
        n_entries=columns.count,
        series=columns.series(),
        last_train=columns.last_train,
        latest_eval=EvalPoint(columns.eval_step, columns.eval_metrics)
        if columns.eval_step is not None
        else None,
        final=columns.final,
        trial_params=trial_params(raw.get("trial_params")),
    )


def trial_params(value: Any) -> dict[str, float | int | str | bool] | None:
    """A search trial's parameters as scalars (a nested or odd value is left out); None when none."""
    if not isinstance(value, dict):
        return None
    kept = {
        str(k): v for k, v in value.items() if isinstance(v, (bool, int, float, str)) and len(str(k)) < 200
    }
    return {k: (v[:200] if isinstance(v, str) else v) for k, v in kept.items()} or None


def _check_top(raw: Any, path: Path) -> list[Any]:
    if not isinstance(raw, dict):
        raise StateError(path, f"top level is a JSON {type(raw).__name__}, expected an object")
    log = raw.get("log_history")
    if log is None:
        raise StateError(path, "not a Trainer state: it has no log_history")
    if not isinstance(log, list):
        raise StateError(path, f"log_history is a {type(log).__name__}, expected a list")
    return log


def build_state(raw: Any, path: Path, *, mtime: float = 0.0, size: int = 0) -> TrainerState:
    """Check a decoded ``trainer_state.json`` and turn it into a :class:`~.model.TrainerState`."""
    log = _check_top(raw, path)
    columns = Columns(path)
    for start in range(0, len(log), BLOCK_ENTRIES):
        block = log[start : start + BLOCK_ENTRIES]
        if not columns.add_fast(block):
            columns.add_slow(block)
    return assemble_state(raw, columns, path, mtime, size)
