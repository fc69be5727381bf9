"""The Trainer's TensorBoard event files followed as they grow, read as a :class:`~.livelog.LiveLog`.

With ``report_to="tensorboard"`` the Trainer's ``TensorBoardCallback`` writes ``events.out.tfevents.*`` into
``OUTPUT_DIR/runs/<date>_<host>/`` (or its ``logging_dir``): one scalar per logged value at the global step,
and the training arguments as JSON text. :class:`TensorBoardFollower` follows the event files of the newest
folder holding any (``runs/*/``, ``*/`` or OUTPUT_DIR itself), each read incrementally by
:class:`~.tbrecords.EventFile`, and returns what they hold as a :class:`~.livelog.LiveLog`: the log entries,
a start record built from the arguments, an end record once the end-of-training summary is logged. So
:func:`~.merge.merge_live` and :func:`~.progress.live_progress` take it as they take the JSONL live log
(which of the two to follow is :mod:`.source`'s choice).

Nothing here imports textual, plotext or matplotlib.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from trainmon_tui.files.entries import EntryKind
from trainmon_tui.files.numeric import as_float, count_or_none
from trainmon_tui.live.livelog import (
    EndRecord,
    LiveLog,
    LogRecord,
    Resume,
    SourceKind,
    StartRecord,
    empty_live_log,
)
from trainmon_tui.live.tbrecords import EVENTS_PREFIX, EventFile, tensorboard_available

RUNS_DIR = "runs"


def _is_event_file(name: str) -> bool:
    return name.startswith(EVENTS_PREFIX)


def _creation(path: Path, mtime: float) -> tuple[float, float, str]:
    """Creation order: the second in the file's name, then its last write (sequential writers)."""
    stamp = path.name[len(EVENTS_PREFIX) :].split(".", 1)[0]
    return (float(stamp) if stamp.isdigit() else math.inf, mtime, path.name)


def find_event_files(outputs: str | os.PathLike[str]) -> list[Path]:
    """The event files of the newest run folder under ``outputs``: ``runs/*/``, ``*/`` or ``outputs`` itself
    (the folder whose newest event file was modified last), oldest file first."""
    outputs = Path(outputs)
    folders: list[Path] = [outputs, *_subfolders(outputs / RUNS_DIR), *_subfolders(outputs)]
    best: tuple[float, list[tuple[float, Path]]] = (-math.inf, [])
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                found = [
                    (e.stat().st_mtime, Path(e.path))
                    for e in entries
                    if _is_event_file(e.name) and e.is_file()  # a FIFO or device is never opened
                ]
        except OSError:
            continue
        if found and max(m for m, _ in found) > best[0]:
            best = (max(m for m, _ in found), found)
    return [path for mtime, path in sorted(best[1], key=lambda f: _creation(f[1], f[0]))]


def _subfolders(folder: Path) -> list[Path]:
    try:
        with os.scandir(folder) as entries:
            return [
                Path(e.path) for e in entries if e.is_dir() and not e.name.startswith((".", "checkpoint-"))
            ]
    except OSError:
        return []


def _steps(args: dict[str, Any], key: str, strategy: str, max_steps: int | None) -> int | None:
    """``logging_steps`` etc. under a "steps" strategy (a ratio below 1 is of max_steps); else None."""
    value = as_float(args.get(key))
    if args.get(strategy, "steps") != "steps" or value is None or not value > 0:
        return None
    if value >= 1:
        return count_or_none(args.get(key))
    return math.ceil(value * max_steps) if max_steps else None


def plan_record(time: float, args: dict[str, Any], first_step: int | None) -> StartRecord:
    """A start record from the TrainingArguments the callback logs. The step the session started from is
    not logged: one logging interval before the first logged step (0 for a fresh run)."""
    max_steps = count_or_none(args.get("max_steps"))
    max_steps = max_steps if max_steps is not None and max_steps > 0 else None
    logging = _steps(args, "logging_steps", "logging_strategy", max_steps)
    eval_key = "eval_strategy" if "eval_strategy" in args else "evaluation_strategy"
    eval_steps = _steps(args, "eval_steps", eval_key, max_steps) if args.get(eval_key) == "steps" else None
    epochs = args.get("num_train_epochs")
    step = first_step or 0
    return StartRecord(
        time=time,
        step=max(0, step - logging) if logging else step,
        epoch=None,
        max_steps=max_steps,
        num_train_epochs=as_float(epochs),
        logging_steps=logging,
        eval_steps=eval_steps or (logging if args.get(eval_key) == "steps" else None),
        save_steps=_steps(args, "save_steps", "save_strategy", max_steps),
        world_size=None,
        train_batch_size=count_or_none(args.get("per_device_train_batch_size")),
        gradient_accumulation_steps=count_or_none(args.get("gradient_accumulation_steps")),
        samples_per_step=None,  # the world size is not logged
        num_input_tokens_seen=None,
    )


class TensorBoardFollower:
    """Follows the event files of the newest run folder under ``outputs``; each :meth:`poll` reads only the
    records appended since the last. A newer run folder (a resumed or restarted run) is read from its start.
    Not thread-safe; the :class:`LiveLog` it returns is immutable."""

    def __init__(self, outputs: str | os.PathLike[str]) -> None:
        self.outputs = Path(outputs)
        self._files: dict[Path, EventFile] = {}
        self._snapshot: LiveLog | None = None

    @property
    def offset(self) -> int:
        """Bytes of complete records consumed, over the files followed."""
        return sum(f.offset for f in self._files.values())

    def poll(self) -> LiveLog:
        if not tensorboard_available():
            return empty_live_log(self.outputs / RUNS_DIR, kind=SourceKind.TENSORBOARD)
        paths = find_event_files(self.outputs)
        changed = set(paths) != set(self._files)
        self._files = {p: self._files.get(p) or EventFile(p) for p in paths}
        for path, events in list(self._files.items()):
            try:
                changed = events.poll() or changed
            except OSError:  # deleted since listed, or unreadable: left out until it can be read
                del self._files[path]
                changed = True
        if changed or self._snapshot is None:
            self._snapshot = self._build()
        return self._snapshot

    def _build(self) -> LiveLog:
        files = list(self._files.values())
        if not files:
            return empty_live_log(self.outputs / RUNS_DIR, kind=SourceKind.TENSORBOARD)
        logs: list[LogRecord] = []
        resumes: list[Resume] = []
        session_first, start = 0, None
        for events in files:  # oldest first: a later file whose steps go back is a resumed run
            records = events.records()
            if records and logs and records[0].step < logs[-1].step:
                kept = [r for r in logs if r.step < records[0].step]
                resumes.append(Resume(records[0].step - 1, records[0].time, len(logs) - len(kept)))
                logs = kept
            if events.args:  # a training session starts (a file without: trainer.evaluate() after train())
                session_first = len(logs)
                start = plan_record(*events.args, records[0].step if records else None)
            logs += records
        final = next((r for r in reversed(logs[session_first:]) if r.kind is EntryKind.FINAL), None)
        times = [f.last_time for f in files if f.last_time is not None]
        return replace(
            empty_live_log(files[-1].path.parent, exists=True, kind=SourceKind.TENSORBOARD),
            start=start,
            logs=tuple(logs),
            end=EndRecord(final.time, final.step, final.epoch) if final else None,
            session_first=session_first,
            from_step_zero=start is not None and start.step == 0 and not resumes,
            last_time=max(times) if times else None,
            resumes=tuple(resumes),
            bad_lines=sum(f.bad for f in files),
            first_error=next((f.first_error for f in files if f.first_error), None),
            pending_bytes=sum(f.pending for f in files),
            offset=sum(f.offset for f in files),
            lines=sum(f.events for f in files),
        )


def read_event_files(outputs: str | os.PathLike[str]) -> LiveLog:
    """The newest run's event files under ``outputs``, read once."""
    return TensorBoardFollower(outputs).poll()
