"""``trainer_state.json`` as read from disk: tolerant of every real file, JSON only.

The Hugging Face Trainer writes this file with ``json.dumps(state, indent=2, sort_keys=True)`` and a
plain, non-atomic write, so a reader can meet it half written, and Python's json writes bare ``NaN`` /
``Infinity`` tokens that strict parsers reject. :func:`load_state` turns any file into either a
:class:`TrainerState` (every numeric ``log_history`` key kept as a numeric series by step) or a
:class:`StateError` whose message says, in one line, which file and why.

Here: the model, the decoding, and the reference parse (:func:`decode_json` + :func:`build_state`), whose
errors are the ones reported. ``log_history`` is folded into numeric series by :mod:`.columns`; a file in
the Trainer's own layout is read in blocks cut at its bytes by :mod:`.blockread`, which falls back to the
reference on anything unexpected, and lets :class:`StateCache` read a newer checkpoint from its new
entries only. Both import this module, so it imports them inside its functions.

Nothing here unpickles anything: ``training_args.bin``, ``*.pt`` and ``*.pth`` are never opened.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trainmon_tui.files.numeric import OUT_OF_RANGE, OutOfRange, as_count, as_float, brief, loads_big_ints
from trainmon_tui.files.safeopen import NotRegularFileError, read_regular

if TYPE_CHECKING:
    from trainmon_tui.files.blockread import LastRead
    from trainmon_tui.files.columns import Columns

try:  # orjson is several times faster on large files; the stdlib is the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

STATE_FILE = "trainer_state.json"
HUB_CHECKPOINT = "last-checkpoint"  # push_to_hub with hub_strategy="checkpoint": the latest checkpoint

# Keys of the end-of-training summary entry (logged after the last save, so only in a root state).
SUMMARY_KEYS = frozenset({"train_runtime", "train_loss", "train_samples_per_second"})


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


# --- decoding -----------------------------------------------------------------------------------

# The placeholder blockread puts where the log was cut out (an invisible separator first: checked to come
# back as the top-level "log_history" value, so a file's own string cannot pass for it).
_SENTINEL = "\u2063trainmon:"


def decode_json(data: bytes) -> Any:
    """Decode JSON that may hold bare ``NaN`` / ``Infinity`` tokens and integers of any length.

    orjson first (several times faster); what it refuses (bare tokens, numbers beyond a double, lone
    surrogates, broken JSON) goes to the stdlib parser, which is the reference: it reads bare tokens as
    floats and, through :func:`~.numeric.loads_big_ints`, integers beyond its digit limit as ±10^4300.
    Values come back as the file wrote them: no marker strings a file's own string could be taken for.
    (Large files in the Trainer's layout take :mod:`.blockread`'s way, which swaps bare tokens itself.)
    """
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return loads_big_ints(data)


def _number(value: Any) -> float | None:
    """A log value as a float: NaN/Infinity kept (an integer too large for a float is ±inf), None for
    null, strings and anything else."""
    return as_float(value)


def _finite_or_none(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and math.isfinite(number) else None


# --- building a TrainerState ---------------------------------------------------------------------


def _top_number(raw: dict[str, Any], key: str, path: Path, *, integer: bool) -> Any:
    """A top-level numeric field: absent or null is None; a string or other type is an error, and so is a
    step or count (``integer``) beyond int64 (see :mod:`.numeric`)."""
    value = raw.get(key)
    if value is None:
        return None
    number = _number(value)
    if number is None:
        raise StateError(path, f"{key} is {brief(value)}, expected a number")
    if not integer:
        return number if math.isfinite(number) else None
    try:
        if isinstance(value, int):  # not through the float: 2^63 is a float in range, not an int
            return as_count(value)
        return as_count(number) if math.isfinite(number) else None
    except OutOfRange:
        raise StateError(path, f"{key} {OUT_OF_RANGE}") from None


def _assemble(raw: dict[str, Any], columns: Columns, path: Path, mtime: float, size: int) -> TrainerState:
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
        best_metric=_finite_or_none(raw.get("best_metric")),
        best_model_checkpoint=best_checkpoint if isinstance(best_checkpoint, str) else None,
        best_global_step=_top_number(raw, "best_global_step", path, integer=True),
        n_entries=columns.count,
        series=columns.series(),
        last_train=columns.last_train,
        latest_eval=EvalPoint(columns.eval_step, columns.eval_metrics)
        if columns.eval_step is not None
        else None,
        final=columns.final,
    )


def _check_top(raw: Any, path: Path) -> list[Any]:
    if not isinstance(raw, dict):
        raise StateError(path, f"top level is a JSON {type(raw).__name__}, expected an object")
    log = raw.get("log_history")
    if log is None:
        raise StateError(path, "not a Trainer state: it has no log_history")
    if not isinstance(log, list):
        raise StateError(path, f"log_history is a {type(log).__name__}, expected a list")
    return log


BLOCK_ENTRIES = 4096


def build_state(raw: Any, path: Path, *, mtime: float = 0.0, size: int = 0) -> TrainerState:
    """Check a decoded ``trainer_state.json`` and turn it into a :class:`TrainerState`."""
    from trainmon_tui.files.columns import Columns

    log = _check_top(raw, path)
    columns = Columns(path)
    for start in range(0, len(log), BLOCK_ENTRIES):
        block = log[start : start + BLOCK_ENTRIES]
        if not columns.add_fast(block):
            columns.add_slow(block)
    return _assemble(raw, columns, path, mtime, size)


def _parse_reference(data: bytes, path: Path, mtime: float) -> TrainerState:
    try:
        raw = decode_json(data)
    except UnicodeDecodeError as exc:
        raise StateError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        # Cut short: the error is at the end, or a string opened before it never closes (a JSON string
        # holds no raw newline, so that string runs to the end of the data).
        if exc.pos >= len(data.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            raise StateError(path, "JSON ends early (still being written?)", ErrorKind.INCOMPLETE) from None
        what = exc.msg.removesuffix(" at")  # "Invalid control character at" + " at line ..."
        raise StateError(path, f"not valid JSON: {what} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise StateError(path, "not valid JSON: nested too deeply") from None
    return build_state(raw, path, mtime=mtime, size=len(data))


def parse_state(data: bytes, path: Path, *, mtime: float = 0.0) -> TrainerState:
    """Decode and check the bytes of a ``trainer_state.json``."""
    if not data or data.isspace():
        raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
    from trainmon_tui.files import blockread

    try:
        return blockread.parse_layout(data, path, mtime)[0]
    except (blockread.NotTheLayout, UnicodeDecodeError):
        return _parse_reference(data, path, mtime)


JSON_STARTS = frozenset(bytes([c]) for c in b'{["-0123456789tfnNI')  # what a JSON text can start with
# 5 million log entries at the Trainer's ~175 bytes each: far beyond any real run.
MAX_STATE_BYTES = 1 << 30


def _check_head(head: bytes, path: Path, stat: os.stat_result) -> None:
    """Refuse what cannot be a state from its first bytes, before reading the rest: a file of NUL bytes
    (preallocated, sparse) or of anything else, and a file too large to be one."""
    text = head.lstrip(b" \t\r\n\xef\xbb\xbf")  # whitespace, and a UTF-8 byte-order mark
    if text and (b"\x00" in head or text[:1] not in JSON_STARTS):
        start = text[:8].decode("latin-1").encode("unicode_escape").decode("ascii")
        raise StateError(path, f"not valid JSON: starts with {start!r}")
    if stat.st_size > MAX_STATE_BYTES:
        raise StateError(path, f"too large for a trainer state ({stat.st_size / 1e9:.1f} GB)")


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes, through :func:`~.safeopen.read_regular`: a FIFO, device or folder is an error,
    never a read that blocks or does not end."""
    try:
        return read_regular(path, check=lambda head, stat: _check_head(head, path, stat))
    except FileNotFoundError:
        raise StateError(path, "no such file (deleted?)", ErrorKind.MISSING) from None
    except NotRegularFileError as exc:
        raise StateError(path, exc.strerror or "not a regular file") from None
    except OSError as exc:
        raise StateError(path, f"cannot read: {exc.strerror or exc}") from None


def is_checkpoint_folder(name: str) -> bool:
    """``checkpoint-N``, or the Hub's ``last-checkpoint`` (a checkpoint like the others)."""
    return name.startswith("checkpoint-") or name == HUB_CHECKPOINT


def state_path(path: str | os.PathLike[str]) -> Path:
    """A checkpoint folder as its ``trainer_state.json``; a file path (or a folder named like the state
    file, which is then reported as not a regular file) as it is."""
    path = Path(path)
    if path.name != STATE_FILE and path.is_dir():
        return path / STATE_FILE
    return path


def load_state(path: str | os.PathLike[str]) -> TrainerState:
    """Read one ``trainer_state.json`` (or a checkpoint folder holding one)."""
    path = state_path(path)
    data, stat = _read(path)
    return parse_state(data, path, mtime=stat.st_mtime)


class StateCache:
    """Parsed states by path, reused while the file's size and mtime are unchanged.

    A checkpoint's ``trainer_state.json`` never changes once written, so the dashboard parses each one
    once however often it looks. Bounded: states of long runs are large. The bytes of the last file read
    are kept too: when the next checkpoint's log begins with exactly those bytes (the Trainer rewrites the
    whole history each time, so it does), only the entries after them are parsed and appended to the
    previous state's columns, and a reload costs what is new plus one read and one ``memcmp``.
    """

    def __init__(self, capacity: int = 4) -> None:
        self.capacity = capacity
        self._states: dict[Path, tuple[tuple[int, int], TrainerState]] = {}
        self._base: LastRead | None = None

    def load(self, path: str | os.PathLike[str]) -> TrainerState:
        path = state_path(path)
        try:
            stat = path.stat()
        except OSError:
            self._states.pop(path, None)
            return load_state(path)  # raises the right StateError
        key = (stat.st_size, stat.st_mtime_ns)
        hit = self._states.get(path)
        if hit is not None and hit[0] == key:
            self._states[path] = self._states.pop(path)  # most recently used last
            return hit[1]
        state = self._parse(path)
        self._states[path] = (key, state)
        while len(self._states) > self.capacity:
            del self._states[next(iter(self._states))]
        return state

    def _parse(self, path: Path) -> TrainerState:
        from trainmon_tui.files import blockread

        data, stat = _read(path)
        if not data or data.isspace():
            raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
        result = None
        base, self._base = self._base, None
        if base is not None:
            try:
                result = blockread.parse_extension(data, path, stat.st_mtime, base)
            except (blockread.NotTheLayout, UnicodeDecodeError):
                result = None
            if result is None and base.data:
                # Not an extension of it (a file half written, another run): the next file may still be.
                self._base = base
            del base
        if result is None:
            try:
                result = blockread.parse_layout(data, path, stat.st_mtime)
            except (blockread.NotTheLayout, UnicodeDecodeError):
                return _parse_reference(data, path, stat.st_mtime)
        state, span, step = result
        self._base = blockread.LastRead(data, span, state, step)
        return state
