"""A Trainer callback that streams every log step, with wall times, to ``OUTPUT_DIR/trainmon_log.jsonl``.

Usage::

    from trainmon_tui.callback import TrainmonCallback
    trainer = Trainer(..., callbacks=[TrainmonCallback()])           # or TrainmonCallback(report=True)

It runs inside the training process, so this module imports only the standard library at import time (no
textual, plotext, matplotlib, not even numpy): the report code imports what it needs when training ends.
It subclasses ``transformers.TrainerCallback`` when transformers is importable, and stays importable (as a
plain class with the same hooks) when it is not.

One JSON object per line (see ``docs/live-log.md``), appended and flushed line by line, on the world process
zero only. Values are written as Python's ``json`` writes them, so NaN and +-Infinity appear as bare ``NaN`` /
``Infinity`` tokens, as in ``trainer_state.json``, and read back as such. A resumed run appends to the same
file; the reader (:mod:`trainmon_tui.live.livelog`) sees the step go back and treats it as a resume.

Nothing here may stop the training: a write that fails is reported once (``warnings``) and the callback
goes quiet; a report that fails is reported and skipped.
"""

from __future__ import annotations

import json
import math
import numbers
import os
import sys
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainmon_tui.files.safeopen import open_append, open_regular

LIVE_LOG_FILE = "trainmon_log.jsonl"  # the same name as trainmon_tui.live.livelog.LIVE_LOG_FILE
SCHEMA_VERSION = 1
REPORT_TEXT = "trainmon_summary.txt"
REPORT_JSON = "trainmon_summary.json"
REPORT_PNG = "trainmon_dashboard.png"

if TYPE_CHECKING:
    from trainmon_tui.files.model import TrainerState as CoreState

try:
    from transformers import TrainerCallback as _CallbackBase
except Exception:  # transformers missing (or broken): keep the same hooks on a plain class

    class _CallbackBase:  # type: ignore[no-redef]
        """Stands in for ``transformers.TrainerCallback`` where transformers is not installed."""


def _number(value: Any) -> int | float | None:
    """A logged value as a JSON number (NaN and +-Infinity kept); None for anything that is not one."""
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


def _strategy(value: Any) -> str | None:
    """An ``IntervalStrategy`` / ``SaveStrategy`` (str enums) or a plain string, as its value."""
    if value is None:
        return None
    return str(getattr(value, "value", value))


def _int_or_none(value: Any) -> int | None:
    number = _number(value)
    return int(number) if number is not None and math.isfinite(number) else None


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
    step = _int_or_none(getattr(state, "global_step", 0)) or 0
    history = getattr(state, "log_history", None)
    entry: dict[str, Any] = dict(logs)
    if history and isinstance(history[-1], dict):
        last = history[-1]
        if last.get("step") == step and all(key in last and last[key] is logs[key] for key in logs):
            entry = dict(last)
            step = _int_or_none(last.get("step", step)) or step
    values: dict[str, int | float] = {}
    for key, value in entry.items():
        if key == "step":
            continue
        number = _number(value)
        if number is not None:
            values[str(key)] = number
    return step, values


class TrainmonCallback(_CallbackBase):
    """Streams the run to ``OUTPUT_DIR/trainmon_log.jsonl`` for ``trainmon-tui`` to follow.

    ``report=True`` also writes, when training ends, ``trainmon_summary.txt``, ``trainmon_summary.json``
    and ``trainmon_dashboard.png`` (the four charts) into OUTPUT_DIR (existing ones are replaced).
    ``heartbeat_seconds``: while evaluating, a heartbeat record at most this often, so that a long
    evaluation is not taken for a stalled run.
    """

    def __init__(
        self,
        report: bool = False,
        *,
        lang: str = "en",
        filename: str = LIVE_LOG_FILE,
        heartbeat_seconds: float = 30.0,
    ) -> None:
        super().__init__()
        self.report = report
        self.lang = lang
        self.filename = filename
        self.heartbeat_seconds = heartbeat_seconds
        self.path: Path | None = None
        self.report_files: dict[str, Path] = {}
        self._failed = False
        self._last_heartbeat = 0.0

    # --- writing -------------------------------------------------------------------------------------

    @staticmethod
    def _is_writer(args: Any, state: Any) -> bool:
        """Only the world process zero writes (``state`` says so once training started; ``args`` always)."""
        if not getattr(state, "is_world_process_zero", True):
            return False
        return getattr(args, "process_index", 0) == 0

    def _path(self, args: Any) -> Path:
        if self.path is None:
            self.path = Path(getattr(args, "output_dir", None) or ".") / self.filename
        return self.path

    def _write(self, args: Any, record: dict[str, Any]) -> None:
        if self._failed:
            return
        path = self._path(args)
        line = json.dumps(record, separators=(",", ":"), allow_nan=True) + "\n"
        try:
            # Opened per record: a file deleted or replaced while training is simply created again.
            # Through safeopen: a FIFO or device in its place is refused instead of blocking training.
            with open_append(path) as f:
                f.write(line)
                f.flush()
        except FileNotFoundError:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                with open_append(path) as f:
                    f.write(line)
            except OSError as exc:
                self._fail(path, exc)
        except OSError as exc:
            self._fail(path, exc)

    def _fail(self, path: Path, exc: OSError) -> None:
        self._failed = True
        warnings.warn(
            f"trainmon: cannot write {path} ({exc.strerror or exc}); live logging is off for this run",
            RuntimeWarning,
            stacklevel=3,
        )

    def _end_partial_line(self, path: Path) -> None:
        """A previous run killed mid-write may have left a line without its newline: close it, so that
        the reader sees one bad line instead of gluing this run's start record to it."""
        try:
            with open_regular(path) as f:
                size = f.stat.st_size
                if size == 0:
                    return
                f.seek(size - 1)
                last = f.read(1)
            if last != b"\n":
                with open_append(path, binary=True) as f:
                    f.write(b"\n")
        except OSError:
            return

    # --- the hooks -----------------------------------------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        path = self._path(args)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._fail(path, exc)
            return
        self._end_partial_line(path)
        world_size = _int_or_none(getattr(args, "world_size", 1)) or 1
        batch = _int_or_none(getattr(state, "train_batch_size", None)) or _int_or_none(
            getattr(args, "train_batch_size", None)
        )
        accumulation = _int_or_none(getattr(args, "gradient_accumulation_steps", 1)) or 1
        logging_strategy = _strategy(getattr(args, "logging_strategy", "steps"))
        eval_strategy = _strategy(getattr(args, "eval_strategy", None))
        save_strategy = _strategy(getattr(args, "save_strategy", "steps"))
        tokens = _int_or_none(getattr(state, "num_input_tokens_seen", None))
        self._write(
            args,
            {
                "type": "start",
                "time": time.time(),
                "v": SCHEMA_VERSION,
                "step": _int_or_none(getattr(state, "global_step", 0)) or 0,
                "epoch": _number(getattr(state, "epoch", None)),
                "max_steps": _int_or_none(getattr(state, "max_steps", None)),
                "num_train_epochs": _number(getattr(state, "num_train_epochs", None)),
                # TrainerState keeps 500 (its default) for a strategy that is not "steps": not written.
                "logging_steps": _steps_if(logging_strategy, getattr(state, "logging_steps", None)),
                "eval_steps": _steps_if(eval_strategy, getattr(state, "eval_steps", None)),
                "save_steps": _steps_if(save_strategy, getattr(state, "save_steps", None)),
                "logging_strategy": logging_strategy,
                "eval_strategy": eval_strategy,
                "save_strategy": save_strategy,
                "world_size": world_size,
                "train_batch_size": batch,
                "gradient_accumulation_steps": accumulation,
                "samples_per_step": batch * accumulation * world_size if batch else None,
                "num_input_tokens_seen": tokens,
                "pid": os.getpid(),
            },
        )

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not self._is_writer(args, state):
            return
        step, values = log_values(logs, state)
        record: dict[str, Any] = {
            "type": "log",
            "time": time.time(),
            "step": step,
            "epoch": _number(getattr(state, "epoch", None)),
            "values": values,
        }
        tokens = _int_or_none(getattr(state, "num_input_tokens_seen", None))
        if tokens:
            record["num_input_tokens_seen"] = tokens
        peak = gpu_peak_memory()
        if peak is not None:
            record["gpu_mem_peak"] = peak
        self._write(args, record)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # DefaultFlowCallback (always first in the list) has decided by now what follows this step.
        if not self._is_writer(args, state):
            return
        phase = (
            "evaluate"
            if getattr(control, "should_evaluate", False)
            else "save"
            if getattr(control, "should_save", False)
            else None
        )
        if phase is not None:
            self._heartbeat(args, state, phase)

    def on_evaluate(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # Called once the evaluation is over, before the save that may follow it.
        if self._is_writer(args, state) and getattr(control, "should_save", False):
            self._heartbeat(args, state, "save")

    def on_prediction_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        if time.time() - self._last_heartbeat >= self.heartbeat_seconds:
            self._heartbeat(args, state, "evaluate")

    def _heartbeat(self, args: Any, state: Any, phase: str) -> None:
        now = time.time()
        self._last_heartbeat = now
        step = _int_or_none(getattr(state, "global_step", 0)) or 0
        self._write(args, {"type": "heartbeat", "time": now, "step": step, "phase": phase})

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        step = _int_or_none(getattr(state, "global_step", 0)) or 0
        self._write(
            args,
            {"type": "save", "time": time.time(), "step": step, "checkpoint": f"checkpoint-{step}"},
        )

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        self._write(
            args,
            {
                "type": "end",
                "time": time.time(),
                "step": _int_or_none(getattr(state, "global_step", 0)) or 0,
                "epoch": _number(getattr(state, "epoch", None)),
            },
        )
        if self.report:
            output_dir = Path(getattr(args, "output_dir", None) or ".")
            try:
                core = core_state(state, self._path(args))
                self.report_files = write_report(core, output_dir, lang=self.lang)
            except Exception as exc:  # the report is a courtesy: never fail the training for it
                warnings.warn(
                    f"trainmon: end-of-training report failed: {exc!r}", RuntimeWarning, stacklevel=2
                )


def _steps_if(strategy: str | None, steps: Any) -> int | None:
    return _int_or_none(steps) if strategy == "steps" else None


_STATE_FIELDS = (
    "global_step",
    "max_steps",
    "epoch",
    "num_train_epochs",
    "logging_steps",
    "eval_steps",
    "save_steps",
    "train_batch_size",
    "num_input_tokens_seen",
    "best_metric",
    "best_model_checkpoint",
    "best_global_step",
)


def core_state(state: Any, source: Path) -> CoreState:
    """The Trainer's in-memory state as trainmon's :class:`~trainmon_tui.files.state.TrainerState`: the whole
    ``log_history``, the end-of-training summary included (no checkpoint holds it)."""
    from trainmon_tui.files.build import build_state

    raw: dict[str, Any] = {key: getattr(state, key, None) for key in _STATE_FIELDS}
    raw["log_history"] = list(getattr(state, "log_history", None) or [])
    return build_state(raw, source, mtime=time.time())


def write_report(state: CoreState, output_dir: Path, *, lang: str = "en") -> dict[str, Path]:
    """The summary as text and JSON, and the four charts as a PNG, into ``output_dir``.

    Returns the files written by kind (``text``, ``json``, ``png``); the PNG is left out, with a warning,
    when it cannot be drawn (matplotlib missing, for instance).
    """
    from trainmon_tui.views.stats import summarize

    output_dir.mkdir(parents=True, exist_ok=True)
    summary = summarize(state)
    written: dict[str, Path] = {}
    json_path = output_dir / REPORT_JSON
    json_path.write_text(
        json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    written["json"] = json_path
    text_path = output_dir / REPORT_TEXT
    text_path.write_text(_summary_text(summary, lang), encoding="utf-8")
    written["text"] = text_path
    png_path = output_dir / REPORT_PNG
    try:
        from trainmon_tui.views.export import save_dashboard_png

        written["png"] = Path(save_dashboard_png(state, png_path, lang, overwrite=True))  # type: ignore[arg-type]
    except Exception as exc:
        warnings.warn(f"trainmon: no {REPORT_PNG}: {exc!r}", RuntimeWarning, stacklevel=2)
    return written


def _summary_text(summary: Any, lang: str) -> str:
    try:
        from trainmon_tui.views.report import summary_text

        return summary_text(summary, lang)  # type: ignore[arg-type]
    except ImportError:  # report.py needs rich; the JSON says it all the same
        data = summary.to_json()
        return "".join(f"{key}: {value}\n" for key, value in data.items())
