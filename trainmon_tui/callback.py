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
file; the reader (:mod:`trainmon_tui.live.follower`) sees the step go back and treats it as a resume. The
format (file name, schema version, record types) is :mod:`trainmon_tui.live.schema`; the report written at
the end is :mod:`trainmon_tui.views.endreport`, imported only then.

Nothing here may stop the training: a write that fails is reported once (``warnings``) and the callback
goes quiet; a report that fails is reported and skipped.
"""

from __future__ import annotations

import math
import os
import socket
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainmon_tui.live import schema
from trainmon_tui.live.runconfig import model_name, training_args
from trainmon_tui.live.schema import LIVE_LOG_FILE, SCHEMA_VERSION, SYSTEM_KEY, VERSION_KEY
from trainmon_tui.live.sysprobe import SystemProbe
from trainmon_tui.live.writer import (
    LiveLogWriter,
    gpu_peak_memory,
    json_number,
    log_values,
    steps_if,
    strategy_value,
    trainer_count,
)

if TYPE_CHECKING:  # the hooks are typed here; transformers is an optional extra, often not installed

    class _CallbackBase:
        """``transformers.TrainerCallback`` as the type checker sees it: a base with no-op hooks."""

else:
    try:
        from transformers import TrainerCallback as _CallbackBase
    except Exception:  # transformers missing (or broken): keep the same hooks on a plain class

        class _CallbackBase:
            """Stands in for ``transformers.TrainerCallback`` where transformers is not installed."""


class TrainmonCallback(_CallbackBase):
    """Streams the run to ``OUTPUT_DIR/trainmon_log.jsonl`` for ``trainmon-tui`` to follow.

    ``report=True`` also writes, when training ends, ``trainmon_summary.txt``, ``trainmon_summary.json``
    and ``trainmon_dashboard.png`` (the four charts) into OUTPUT_DIR (existing ones are replaced).
    ``heartbeat_seconds``: while evaluating, a heartbeat record at most this often, so that a long
    evaluation is not taken for a stalled run. ``system=False``: no ``sys`` figures in the log records
    (memory, CPU time, GPUs: :mod:`~trainmon_tui.live.sysprobe`).
    ``stop_on_nan=True``: when a logged training loss is NaN or infinite, save a checkpoint and stop the
    training cleanly (``control.should_save``, ``control.should_training_stop``). The Trainer's default
    ``logging_nan_inf_filter=True`` keeps non-finite losses out of the logs: set it to False to see them.
    """

    def __init__(
        self,
        report: bool = False,
        *,
        lang: str = "en",
        filename: str = LIVE_LOG_FILE,
        heartbeat_seconds: float = 30.0,
        system: bool = True,
        stop_on_nan: bool = False,
    ) -> None:
        super().__init__()
        self.report = report
        self.lang = lang
        self.filename = filename
        self.heartbeat_seconds = heartbeat_seconds
        self.stop_on_nan = stop_on_nan
        self.stopped_at: int | None = None  # the step stop_on_nan stopped the training at
        self.path: Path | None = None
        self.report_files: dict[str, Path] = {}
        self._live_log: LiveLogWriter | None = None
        self._last_heartbeat = 0.0
        self._probe = SystemProbe() if system else None

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

    def _writer(self, args: Any) -> LiveLogWriter:
        if self._live_log is None:
            self._live_log = LiveLogWriter(self._path(args))
        return self._live_log

    def _write(self, args: Any, record: dict[str, Any]) -> None:
        self._writer(args).append(record)

    # --- the hooks -----------------------------------------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        writer = self._writer(args)
        writer.prepare()
        if writer.failed:
            return
        world_size = trainer_count(getattr(args, "world_size", 1)) or 1
        batch = trainer_count(getattr(state, "train_batch_size", None)) or trainer_count(
            getattr(args, "train_batch_size", None)
        )
        accumulation = trainer_count(getattr(args, "gradient_accumulation_steps", 1)) or 1
        logging_strategy = strategy_value(getattr(args, "logging_strategy", "steps"))
        eval_strategy = strategy_value(getattr(args, "eval_strategy", None))
        save_strategy = strategy_value(getattr(args, "save_strategy", "steps"))
        tokens = trainer_count(getattr(state, "num_input_tokens_seen", None))
        self._write(
            args,
            {
                "type": schema.START,
                "time": time.time(),
                VERSION_KEY: SCHEMA_VERSION,
                "step": trainer_count(getattr(state, "global_step", 0)) or 0,
                "epoch": json_number(getattr(state, "epoch", None)),
                "max_steps": trainer_count(getattr(state, "max_steps", None)),
                "num_train_epochs": json_number(getattr(state, "num_train_epochs", None)),
                # TrainerState keeps 500 (its default) for a strategy that is not "steps": not written.
                "logging_steps": steps_if(logging_strategy, getattr(state, "logging_steps", None)),
                "eval_steps": steps_if(eval_strategy, getattr(state, "eval_steps", None)),
                "save_steps": steps_if(save_strategy, getattr(state, "save_steps", None)),
                "logging_strategy": logging_strategy,
                "eval_strategy": eval_strategy,
                "save_strategy": save_strategy,
                "world_size": world_size,
                "train_batch_size": batch,
                "gradient_accumulation_steps": accumulation,
                "samples_per_step": batch * accumulation * world_size if batch else None,
                "num_input_tokens_seen": tokens,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "args": training_args(args),  # JSON-safe, without tokens and secrets
                "model": model_name(kwargs.get("model")),
            },
        )

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if self.stop_on_nan:  # on every process: each must stop, or the others wait for it forever
            self._stop_if_nan(logs, state, control)
        if not self._is_writer(args, state):
            return
        step, values = log_values(logs, state)
        record: dict[str, Any] = {
            "type": schema.LOG,
            "time": time.time(),
            "step": step,
            "epoch": json_number(getattr(state, "epoch", None)),
            "values": values,
        }
        tokens = trainer_count(getattr(state, "num_input_tokens_seen", None))
        if tokens:
            record["num_input_tokens_seen"] = tokens
        peak = gpu_peak_memory()
        if peak is not None:
            record["gpu_mem_peak"] = peak
        figures = self._probe.sample() if self._probe is not None else None
        if figures:
            record[SYSTEM_KEY] = figures
        self._write(args, record)

    def _stop_if_nan(self, logs: dict[str, Any] | None, state: Any, control: Any) -> None:
        loss = (logs or {}).get("loss")
        if isinstance(loss, (int, float)) and not math.isfinite(loss) and control is not None:
            control.should_save = True  # the Trainer saves right after on_log, then leaves its loop
            control.should_training_stop = True
            if self.stopped_at is None:
                self.stopped_at = trainer_count(getattr(state, "global_step", 0)) or 0
                warnings.warn(
                    f"trainmon: loss {loss} at step {self.stopped_at}: saving and stopping (stop_on_nan)",
                    RuntimeWarning,
                    stacklevel=2,
                )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # DefaultFlowCallback (always first in the list) has decided by now what follows this step.
        if not self._is_writer(args, state):
            return
        phase = (
            schema.EVALUATE
            if getattr(control, "should_evaluate", False)
            else schema.SAVING
            if getattr(control, "should_save", False)
            else None
        )
        if phase is not None:
            self._heartbeat(args, state, phase)

    def on_evaluate(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        # Called once the evaluation is over, before the save that may follow it.
        if self._is_writer(args, state) and getattr(control, "should_save", False):
            self._heartbeat(args, state, schema.SAVING)

    def on_prediction_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        if time.time() - self._last_heartbeat >= self.heartbeat_seconds:
            self._heartbeat(args, state, schema.EVALUATE)

    def _heartbeat(self, args: Any, state: Any, phase: str) -> None:
        now = time.time()
        self._last_heartbeat = now
        step = trainer_count(getattr(state, "global_step", 0)) or 0
        self._write(args, {"type": schema.HEARTBEAT, "time": now, "step": step, "phase": phase})

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        step = trainer_count(getattr(state, "global_step", 0)) or 0
        self._write(
            args,
            {"type": schema.SAVE, "time": time.time(), "step": step, "checkpoint": f"checkpoint-{step}"},
        )

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if not self._is_writer(args, state):
            return
        self._write(
            args,
            {
                "type": schema.END,
                "time": time.time(),
                "step": trainer_count(getattr(state, "global_step", 0)) or 0,
                "epoch": json_number(getattr(state, "epoch", None)),
            },
        )
        if self.report:
            output_dir = Path(getattr(args, "output_dir", None) or ".")
            try:
                from trainmon_tui.views.endreport import write_end_report

                self.report_files = write_end_report(state, self._path(args), output_dir, lang=self.lang)
            except Exception as exc:  # the report is a courtesy: never fail the training for it
                warnings.warn(
                    f"trainmon: end-of-training report failed: {exc!r}", RuntimeWarning, stacklevel=2
                )
