"""The live log's writing side, as the training process does it: records appended safely, values as JSON.

:class:`LiveLogWriter` appends one record per line to ``trainmon_log.jsonl`` (:mod:`.schema`), flushed
line by line; a write that fails warns once and turns the writer off, never raising into the training.
The functions turn what the Trainer holds (Python numbers, 0-d tensors, strategy enums) into the record's
fields. :class:`~trainmon_tui.callback.TrainmonCallback` uses both from its hooks.

Standard library only: the training process imports it.
"""

from __future__ import annotations

import json
import numbers
import sys
import warnings
from pathlib import Path
from typing import Any

from trainmon_tui.files.numeric import count_or_none
from trainmon_tui.files.safeopen import open_append, open_regular


class LiveLogWriter:
    """Appends records to one live-log file. Opened per record: a file deleted or replaced while training
    is simply created again; through :mod:`~trainmon_tui.files.safeopen`, so a FIFO or device in its place
    is refused instead of blocking the training."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failed = False

    def prepare(self) -> None:
        """Before a session's first record: the folder made, a line a killed run left unended closed."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._fail(exc)
            return
        self._end_partial_line()

    def append(self, record: dict[str, Any]) -> None:
        if self.failed:
            return
        path = self.path
        line = json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n"
        try:
            with open_append(path) as f:
                f.write(line)
                f.flush()
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open_append(path) as f:
                    f.write(line)
            except OSError as exc:
                self._fail(exc)
        except OSError as exc:
            self._fail(exc)

    def _fail(self, exc: OSError) -> None:
        self.failed = True
        warnings.warn(
            f"trainmon: cannot write {self.path} ({exc.strerror or exc}); live logging is off for this run",
            RuntimeWarning,
            stacklevel=4,  # the hook that wrote
        )

    def _end_partial_line(self) -> None:
        """A previous run killed mid-write may have left a line without its newline: close it, so that
        the reader sees one bad line instead of gluing this run's start record to it."""
        try:
            with open_regular(self.path) as f:
                size = f.stat.st_size
                if size == 0:
                    return
                f.seek(size - 1)
                last = f.read(1)
            if last != b"\n":
                with open_append(self.path, binary=True) as f:
                    f.write(b"\n")
        except OSError:
            return


def json_number(value: Any) -> int | float | None:
    """A value the Trainer logged, as the JSON number the live log holds (NaN and +-Infinity kept); None
    for anything that is not one.

    The writer's side, not a second coercion: it turns what a training process holds (a Python number, a
    0-d torch tensor or numpy array, through ``.item()``) into a plain int or float for ``json.dumps``.
    What a number read back may become is :mod:`trainmon_tui.files.numeric`'s rule, applied by the reader.
    """
    if isinstance(value, bool):
        return None
    if not isinstance(value, numbers.Real):
        item = getattr(value, "item", None)  # a 0-d tensor or numpy array
        if not callable(item):
            return None
        try:
            value = item()
        except (TypeError, ValueError, RuntimeError):
            return None
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return None
    if isinstance(value, numbers.Integral):
        return int(value)
    return float(value)


def strategy_value(value: Any) -> str | None:
    """An ``IntervalStrategy`` / ``SaveStrategy`` (str enums) or a plain string, as its value."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


def trainer_count(value: Any) -> int | None:
    """A step or count the Trainer holds, written by the reader's rule (:func:`~trainmon_tui.files.numeric.
    count_or_none`): None for what the reader could not take as one."""
    return count_or_none(json_number(value))


def gpu_peak_memory() -> int | None:
    """Peak GPU memory allocated by torch on the current device, in bytes; None without CUDA in use.

    Looks at an already imported torch only (never imports it) and never initializes CUDA.
    """
    torch = sys.modules.get("torch")
    cuda = getattr(torch, "cuda", None)
    if cuda is None:
        return None
    try:
        if not cuda.is_available() or not cuda.is_initialized():
            return None
        return int(cuda.max_memory_allocated())
    except Exception:  # a broken driver must not stop the training
        return None


def log_values(logs: dict[str, Any] | None, state: Any) -> tuple[int, dict[str, int | float]]:
    """The step and numeric values of the entry the Trainer just logged.

    ``Trainer.log`` appends ``{**logs, "step": global_step}`` to ``state.log_history`` before calling
    ``on_log``; that entry is used when it matches ``logs`` (so a callback earlier in the list that removed
    a key from ``logs``, as older ProgressCallbacks did with ``total_flos``, changes nothing).
    """
    logs = logs or {}
    step = trainer_count(getattr(state, "global_step", 0)) or 0
    history = getattr(state, "log_history", None)
    entry: dict[str, Any] = dict(logs)
    if history and isinstance(history[-1], dict):
        last = history[-1]
        if last.get("step") == step and all(key in last and last[key] is logs[key] for key in logs):
            entry = dict(last)
            step = trainer_count(last.get("step", step)) or step
    values: dict[str, int | float] = {}
    for key, value in entry.items():
        if key == "step":
            continue
        number = json_number(value)
        if number is not None:
            values[str(key)] = number
    return step, values


def steps_if(strategy: str | None, steps: Any) -> int | None:
    """An interval (``logging_steps``, ...) under a "steps" strategy; None under any other, where the
    TrainerState keeps 500, its default, which means nothing."""
    return trainer_count(steps) if strategy == "steps" else None
