"""``trainer_state.json`` as read from disk: tolerant of every real file, JSON only.

The Hugging Face Trainer writes this file with ``json.dumps(state, indent=2, sort_keys=True)`` and a
plain, non-atomic write, so a reader can meet it half written, and Python's json writes bare ``NaN`` /
``Infinity`` tokens that strict parsers reject. :func:`load_state` turns any file into either a
:class:`TrainerState` (every numeric ``log_history`` key kept as a numeric series by step) or a
:class:`StateError` whose message says, in one line, which file and why.

Nothing here unpickles anything: ``training_args.bin``, ``*.pt`` and ``*.pth`` are never opened.
"""

from __future__ import annotations

import json
import math
import os
from array import array
from dataclasses import dataclass, field
from enum import Enum
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np

try:  # orjson is several times faster on large files; the stdlib is the reference.
    import orjson
except ImportError:  # pragma: no cover - orjson is a declared dependency
    orjson = None  # type: ignore[assignment]

STATE_FILE = "trainer_state.json"

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
    """The latest evaluation: its step and every ``eval_*`` value logged at that step."""

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
    # The last value of each key among training entries (entries with a "loss" key); None = not finite.
    last_train: dict[str, float | None] = field(default_factory=dict)
    latest_eval: EvalPoint | None = None
    # The end-of-training summary entry (train_runtime, train_loss, ...), when this file holds it.
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

_SENTINEL = "\u2063trainmon:"  # an invisible separator: never seen in a real state file
_SENTINEL_BYTES = _SENTINEL.encode()
_NONFINITE_TEXT = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_SENTINEL_VALUES = {_SENTINEL + k: v for k, v in _NONFINITE_TEXT.items()}
# The Trainer writes with indent=2, so a bare token always follows ": " (as a dict value).
_REPLACEMENTS = [
    (f": {k}".encode(), f': "{_SENTINEL}{k}"'.encode()) for k in ("-Infinity", "Infinity", "NaN")
]


def decode_json(data: bytes) -> Any:
    """Decode JSON that may hold bare ``NaN`` / ``Infinity`` tokens, as fast as the file allows.

    orjson rejects those tokens, so where it fails on a file that has them, each ``: NaN`` is swapped for
    a marker string that :func:`_number` turns back into the float. A token inside a JSON string would
    make that swap produce invalid JSON, so such a file (and anything else orjson refuses) goes to the
    stdlib parser, which is the reference: no value is ever dropped or changed.
    """
    if orjson is not None:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
        if (b"NaN" in data or b"Infinity" in data) and _SENTINEL_BYTES not in data:
            swapped = data
            for old, new in _REPLACEMENTS:
                swapped = swapped.replace(old, new)
            try:
                return orjson.loads(swapped)
            except orjson.JSONDecodeError:
                pass
    return json.loads(data)


def _number(value: Any) -> float | None:
    """A log value as a float: NaN/Infinity kept, None for null, strings and anything else."""
    if isinstance(value, float):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        return _SENTINEL_VALUES.get(value)
    return None


def _finite_or_none(value: Any) -> float | None:
    number = _number(value)
    return number if number is not None and math.isfinite(number) else None


# --- building a TrainerState ---------------------------------------------------------------------


def _top_number(raw: dict[str, Any], key: str, path: Path, *, integer: bool) -> Any:
    """A top-level numeric field: absent or null is None; a string or other type is an error."""
    value = raw.get(key)
    if value is None:
        return None
    number = _number(value)
    if number is None:
        raise StateError(path, f"{key} is {value!r}, expected a number")
    if not math.isfinite(number):
        return None
    return int(number) if integer else number


def _step_of(entry: dict[str, Any], index: int, previous: int, path: Path) -> int:
    if "step" not in entry:
        return previous
    number = _number(entry["step"])
    if number is None or not math.isfinite(number):
        raise StateError(path, f"log_history[{index}].step is {entry['step']!r}, expected a number")
    return int(number)


# Bare NaN / Infinity swapped, for orjson, for the three smallest positive subnormal floats (bit patterns
# 1, 2, 3): numbers no optimiser logs. A block is taken only if exactly as many of them come back in its
# numeric columns as were swapped in; otherwise (say, ": NaN" inside a string) it goes the reference way.
# The swap itself is _swap_nonfinite's: "5e-324" for NaN, "1e-323" for Infinity, "1.5e-323" for -Infinity.
_MARKER_VALUES = np.array([0.0, math.nan, math.inf, -math.inf])  # by bit pattern 1, 2, 3
_NUMBER_TYPES = frozenset({float, int})
_MAX_SIGNATURES = 16  # distinct entry lengths in one block before it is folded entry by entry


class _Columns:
    """``log_history`` folded into numeric columns, a block of entries at a time.

    :meth:`add_slow` is the reference: one entry at a time, every rule spelled out. :meth:`add_fast` gets
    the same result for a block of well-formed entries (dicts whose values are all numbers, ``step`` an
    int, grouped by key set) with C-level loops and numpy; it returns False, having changed nothing,
    when the block is anything else. It can continue a previous state (:meth:`resume`), which is how a
    new checkpoint whose ``log_history`` extends the previous one's is read from its new entries only.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}
        self.last_train: dict[str, float | None] = {}
        self.final: dict[str, float | None] | None = None
        self.eval_step: int | None = None
        self.eval_metrics: dict[str, float | None] = {}
        self.step = 0  # the step of the last entry (entries without "step" inherit it)
        self.count = 0  # entries folded so far

    @classmethod
    def resume(cls, state: TrainerState, step: int, path: Path) -> _Columns:
        columns = cls(path)
        columns.parts = {key: [(s.steps, s.values)] for key, s in state.series.items()}
        columns.last_train = dict(state.last_train)
        columns.final = dict(state.final) if state.final is not None else None
        if state.latest_eval is not None:
            columns.eval_step = state.latest_eval.step
            columns.eval_metrics = dict(state.latest_eval.metrics)
        columns.step = step
        columns.count = state.n_entries
        return columns

    def series(self) -> dict[str, Series]:
        out = {}
        for key, parts in self.parts.items():
            if len(parts) == 1:
                steps, values = parts[0]
            else:
                steps = np.concatenate([p[0] for p in parts])
                values = np.concatenate([p[1] for p in parts])
            out[key] = Series(
                np.ascontiguousarray(steps, dtype=np.int64), np.ascontiguousarray(values, dtype=np.float64)
            )
        return out

    # --- the reference -------------------------------------------------------------------------------

    def add_slow(self, entries: list[Any]) -> None:
        path = self.path
        columns: dict[str, tuple[list[int], list[float]]] = {}
        last_train = self.last_train
        step = self.step
        for offset, entry in enumerate(entries):
            index = self.count + offset
            if not isinstance(entry, dict):
                raise StateError(
                    path, f"log_history[{index}] is a {type(entry).__name__}, expected an object"
                )
            step = _step_of(entry, index, step, path)
            is_train = "loss" in entry
            if not is_train and not SUMMARY_KEYS.isdisjoint(entry):
                self.final = {k: _finite_or_none(v) for k, v in entry.items() if _number(v) is not None}
                continue
            is_eval = False
            for key, value in entry.items():
                if key == "step":
                    continue
                number = _number(value)
                if number is None:
                    if value is not None and key != "loss":
                        continue  # a string such as "remaining_time": not a metric
                    number = math.nan  # null, or a loss that is not a number: a non-finite point
                column = columns.get(key)
                if column is None:
                    column = columns[key] = ([], [])
                column[0].append(step)
                column[1].append(number)
                if is_train:
                    last_train[key] = number if math.isfinite(number) else None
                elif key.startswith("eval_"):
                    is_eval = True
            if is_eval:
                if step != self.eval_step:
                    self.eval_step, self.eval_metrics = step, {}
                self.eval_metrics.update(
                    (k, _finite_or_none(v)) for k, v in entry.items() if k.startswith("eval_")
                )
        self.step = step
        self.count += len(entries)
        for key, (steps, values) in columns.items():
            self.parts.setdefault(key, []).append(
                (np.asarray(steps, dtype=np.int64), np.asarray(values, dtype=np.float64))
            )

    # --- the fast way ------------------------------------------------------------------------------

    def add_fast(self, entries: list[Any], *, markers: int = 0) -> bool:
        """Fold a block the way :meth:`add_slow` would, or return False and change nothing.

        ``markers``: how many bare NaN / Infinity tokens were swapped for marker floats in the block's
        text. ``array("d")`` / ``array("q")`` refuse None, strings, lists, dicts (and floats as steps) but
        take bools: a column holding a 0 or a 1 has its types checked one by one.
        """
        n = len(entries)
        if n == 0:
            return True
        if set(map(type, entries)) != {dict}:
            return False
        lengths = np.fromiter(map(len, entries), dtype=np.int64, count=n)
        distinct = np.unique(lengths)
        if len(distinct) > _MAX_SIGNATURES:
            return False
        groups = []  # (positions or None for all, keys, is_train, steps, {key: values})
        try:
            for length in distinct.tolist():
                if len(distinct) == 1:
                    positions, members = None, entries
                else:
                    positions = np.flatnonzero(lengths == length)
                    members = [entries[i] for i in positions.tolist()]
                keys = tuple(members[0])
                if "step" not in keys:
                    return False
                is_train = "loss" in keys
                if not is_train and not SUMMARY_KEYS.isdisjoint(keys):
                    return False
                # Same length and every key of the first found (itemgetter raises KeyError): same key set.
                raw_steps = list(map(itemgetter("step"), members))
                steps = np.frombuffer(array("q", raw_steps), dtype=np.int64)
                if np.any(steps <= 1) and not {int}.issuperset(map(type, raw_steps)):
                    return False
                values = {}
                for key in keys:
                    if key == "step":
                        continue
                    column = list(map(itemgetter(key), members))
                    floats = np.frombuffer(array("d", column), dtype=np.float64)
                    if np.any((floats == 0.0) | (floats == 1.0)) and not _NUMBER_TYPES.issuperset(
                        map(type, column)
                    ):
                        return False
                    values[key] = floats
                groups.append((positions, keys, is_train, steps, values))
        except (KeyError, TypeError, OverflowError):
            return False
        found = 0
        for group in groups:
            for column in group[4].values():
                bits = column.view(np.int64)
                hits = np.flatnonzero((bits - 1).view(np.uint64) < 3)
                if len(hits):
                    column[hits] = _MARKER_VALUES[bits[hits]]
                    found += len(hits)
        if found != markers:
            return False
        self._commit(groups, n)
        return True

    def _commit(self, groups: list[Any], n: int) -> None:
        def first(group: Any) -> int:
            return 0 if group[0] is None else int(group[0][0])

        def last(group: Any) -> int:
            return n - 1 if group[0] is None else int(group[0][-1])

        # Columns, with new keys in the order an entry-by-entry pass meets them.
        keys_seen: dict[str, tuple[int, int]] = {}
        for group in groups:
            for k_index, key in enumerate(group[1]):
                if key != "step":
                    where = (first(group), k_index)
                    if key not in keys_seen or where < keys_seen[key]:
                        keys_seen[key] = where
        for key in sorted(keys_seen, key=keys_seen.__getitem__):
            having = [g for g in groups if key in g[4]]
            if len(having) == 1:
                steps, values = having[0][3], having[0][4][key]
            else:
                positions = np.concatenate([g[0] for g in having])
                order = np.argsort(positions, kind="stable")
                steps = np.concatenate([g[3] for g in having])[order]
                values = np.concatenate([g[4][key] for g in having])[order]
            self.parts.setdefault(key, []).append((steps, values))
        # The last value of each key among training entries.
        for group in sorted((g for g in groups if g[2]), key=last):
            for key, values in group[4].items():
                value = float(values[-1])
                self.last_train[key] = value if math.isfinite(value) else None
        # The latest evaluation: the trailing run of eval entries at one step, merged in order.
        evals = [g for g in groups if not g[2] and any(k.startswith("eval_") for k in g[4])]
        if evals:
            rows = sorted(
                (int(g[0][i]) if g[0] is not None else i, gi, i)
                for gi, g in enumerate(evals)
                for i in range(len(g[3]))
            )
            last_step = int(evals[rows[-1][1]][3][rows[-1][2]])
            start = len(rows)
            while start > 0 and int(evals[rows[start - 1][1]][3][rows[start - 1][2]]) == last_step:
                start -= 1
            if start > 0 or self.eval_step != last_step:
                self.eval_step, self.eval_metrics = last_step, {}
            for _, gi, i in rows[start:]:
                group = evals[gi]
                for key in group[1]:
                    if key.startswith("eval_"):
                        value = float(group[4][key][i])
                        self.eval_metrics[key] = value if math.isfinite(value) else None
        last_group = max(groups, key=last)
        self.step = int(last_group[3][-1])
        self.count += n


def _assemble(raw: dict[str, Any], columns: _Columns, path: Path, mtime: float, size: int) -> TrainerState:
    global_step = _top_number(raw, "global_step", path, integer=True)
    if global_step is None and columns.count:
        global_step = columns.step
    best_checkpoint = raw.get("best_model_checkpoint")
    return TrainerState(
        source=path,
        checkpoint=path.parent.name if path.parent.name.startswith("checkpoint-") else None,
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
    log = _check_top(raw, path)
    columns = _Columns(path)
    for start in range(0, len(log), BLOCK_ENTRIES):
        block = log[start : start + BLOCK_ENTRIES]
        if not columns.add_fast(block):
            columns.add_slow(block)
    return _assemble(raw, columns, path, mtime, size)


# --- reading the Trainer's own layout in blocks ----------------------------------------------------
#
# The Trainer writes ``json.dumps(state, indent=2, sort_keys=True)``: the top-level key is the line
# ``  "log_history": [``, its entries are objects indented by 4 spaces, and the list closes with the line
# ``  ]``. A raw newline never occurs inside a JSON string, so those byte patterns only occur there. A file
# in that layout is read as: everything but the log (with a placeholder string where the list was, which
# must come back as the value of the top-level "log_history", or the file goes the reference way), then the
# log in blocks of whole entries, each parsed on its own (orjson while it is in the CPU cache, folded into
# columns at once, no list of 200,000 dicts ever held). Anything unexpected: the reference way
# (:func:`decode_json` + :func:`build_state` on the whole file), whose errors are the ones reported.

_LOG_KEY = b'\n  "log_history": ['
_LOG_END = b"\n  ]"
_ENTRY_SEP = b"\n    },\n    {"  # the comma between two entries is at offset 6
_LOG_PLACEHOLDER = _SENTINEL + "log_history"
BLOCK_BYTES = 1 << 18


class _NotTheLayout(Exception):
    """The fast reading does not apply: read the file the reference way."""


def _log_span(data: bytes) -> tuple[int, int]:
    """Offsets of the log list's content: ``data[start - 1]`` is its ``[``; ``data[end:]`` closes it."""
    at = data.find(_LOG_KEY)
    if at < 0:
        raise _NotTheLayout
    start = at + len(_LOG_KEY)
    if data[start : start + 1] == b"]":
        return start, start
    # The last such line: the keys after "log_history" hold no lists. Were one to, the cut would fall
    # after a '"key": ' at the list's own level, which no block or top-level parse accepts.
    end = data.rfind(_LOG_END, start)
    if end < 0:
        raise _NotTheLayout
    return start, end


def _decode_top(data: bytes, start: int, end: int) -> dict[str, Any]:
    """Everything but the log, checked to be the top-level object with the log where we cut it."""
    rest = data[start + 1 :] if start == end else data[end + len(_LOG_END) :]
    text = data[: start - 1] + b'"' + _LOG_PLACEHOLDER.encode() + b'"' + rest
    try:
        raw = decode_json(text)
    except (ValueError, RecursionError):
        raise _NotTheLayout from None
    if not isinstance(raw, dict) or raw.get("log_history") != _LOG_PLACEHOLDER:
        raise _NotTheLayout
    return raw


def _swap_nonfinite(block: bytes) -> tuple[bytes, int]:
    """``: NaN``, ``: Infinity``, ``: -Infinity`` swapped for the marker floats; how many were swapped.

    Found with ``memchr`` on ``N`` and ``I`` (a number never holds them), so a block without them costs
    a few scans at memory speed; where those letters abound (keys such as "eval_NLL") the tokens are
    searched for whole instead. A token anywhere else (in a string, in a list) is left alone: orjson then
    refuses the block, or the marker count does not match, and the block goes the reference way.
    """
    pieces: list[bytes] = []
    done = 0
    hits: list[tuple[int, int, bytes]] = []
    for letter, token, marker in ((b"N", b"NaN", b"5e-324"), (b"I", b"Infinity", b"1e-323")):
        finder, misses = letter, 0
        at = block.find(finder)
        while at >= 0:
            if block.startswith(token, at):
                if block[at - 2 : at] == b": ":
                    hits.append((at, at + len(token), marker))
                elif token == b"Infinity" and block[at - 3 : at] == b": -":
                    hits.append((at - 1, at + len(token), b"1.5e-323"))
            else:
                misses += 1
                if misses == 64:  # the letter is everywhere: look for the token itself from here on
                    finder = token
            at = block.find(finder, at + 1)
    if not hits:
        return block, 0
    hits.sort()
    for begin, end, marker in hits:
        pieces.append(block[done:begin])
        pieces.append(marker)
        done = end
    pieces.append(block[done:])
    return b"".join(pieces), len(hits)


def _fold_log(columns: _Columns, data: bytes, start: int, end: int) -> None:
    """Fold the entries in ``data[start:end]`` (whole entries, comma separated) into ``columns``."""
    view = memoryview(data)
    pos = start
    while pos < end:
        cut = end
        if end - pos > BLOCK_BYTES:
            found = data.find(_ENTRY_SEP, pos + BLOCK_BYTES, end)
            if found >= 0:
                cut = found + 6
        block = b"".join((b"[", view[pos:cut], b"]"))
        pos = cut + 1
        if orjson is not None:
            swapped, markers = _swap_nonfinite(block)
            try:
                entries = orjson.loads(swapped)
            except orjson.JSONDecodeError:
                entries = None
            if isinstance(entries, list) and columns.add_fast(entries, markers=markers):
                continue
        try:
            entries = decode_json(block)
        except (ValueError, RecursionError):
            raise _NotTheLayout from None
        if not isinstance(entries, list):
            raise _NotTheLayout
        columns.add_slow(entries)


def _parse_layout(data: bytes, path: Path, mtime: float) -> tuple[TrainerState, tuple[int, int], int]:
    """The state, the log's span in ``data`` and the step of its last entry (or _NotTheLayout)."""
    start, end = _log_span(data)
    raw = _decode_top(data, start, end)
    columns = _Columns(path)
    try:
        _fold_log(columns, data, start, end)
    except Exception:  # let the reference way report it, exactly as it always has
        raise _NotTheLayout from None
    return _assemble(raw, columns, path, mtime, len(data)), (start, end), columns.step


def _parse_reference(data: bytes, path: Path, mtime: float) -> TrainerState:
    try:
        raw = decode_json(data)
    except UnicodeDecodeError as exc:
        raise StateError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        if exc.pos >= len(data.rstrip()) - 1:
            raise StateError(path, "JSON ends early (still being written?)", ErrorKind.INCOMPLETE) from None
        raise StateError(path, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise StateError(path, "not valid JSON: nested too deeply") from None
    return build_state(raw, path, mtime=mtime, size=len(data))


def parse_state(data: bytes, path: Path, *, mtime: float = 0.0) -> TrainerState:
    """Decode and check the bytes of a ``trainer_state.json``."""
    if not data or data.isspace():
        raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
    try:
        return _parse_layout(data, path, mtime)[0]
    except (_NotTheLayout, UnicodeDecodeError):
        return _parse_reference(data, path, mtime)


def _read(path: Path) -> tuple[bytes, os.stat_result]:
    try:
        stat = path.stat()
        data = path.read_bytes()
    except FileNotFoundError:
        raise StateError(path, "no such file (deleted?)", ErrorKind.MISSING) from None
    except IsADirectoryError:
        raise StateError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise StateError(path, f"cannot read: {exc.strerror or exc}") from None
    return data, stat


def load_state(path: str | os.PathLike[str]) -> TrainerState:
    """Read one ``trainer_state.json`` (or a checkpoint folder holding one)."""
    path = Path(path)
    if path.is_dir():
        path = path / STATE_FILE
    data, stat = _read(path)
    return parse_state(data, path, mtime=stat.st_mtime)


@dataclass(slots=True)
class _Base:
    """The last file read in the Trainer's layout: a newer checkpoint's file usually extends its log."""

    data: bytes  # emptied by _extend once compared: two copies of a 35 MB file at once is one too many
    span: tuple[int, int]
    state: TrainerState
    step: int


def _extend(data: bytes, path: Path, mtime: float, base: _Base) -> tuple[TrainerState, tuple[int, int], int]:
    """Read a file whose log begins with ``base``'s log, byte for byte: only the new entries are parsed."""
    start, end = _log_span(data)
    old_start, old_end = base.span
    old_len = old_end - old_start
    if old_len == 0 or end - start < old_len:
        raise _NotTheLayout
    if not data.startswith(memoryview(base.data)[old_start:old_end], start):
        raise _NotTheLayout
    base.data = b""  # the caller has let go of it: freed before the new columns are built
    tail = start + old_len
    if tail != end and data[tail : tail + 1] != b",":
        raise _NotTheLayout
    raw = _decode_top(data, start, end)
    columns = _Columns.resume(base.state, base.step, path)
    try:
        _fold_log(columns, data, tail + 1, end)
    except Exception:
        raise _NotTheLayout from None
    return _assemble(raw, columns, path, mtime, len(data)), (start, end), columns.step


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
        self._base: _Base | None = None

    def load(self, path: str | os.PathLike[str]) -> TrainerState:
        path = Path(path)
        if path.is_dir():
            path = path / STATE_FILE
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
        data, stat = _read(path)
        if not data or data.isspace():
            raise StateError(path, "empty file (still being written?)", ErrorKind.INCOMPLETE)
        result = None
        base, self._base = self._base, None
        if base is not None:
            try:
                result = _extend(data, path, stat.st_mtime, base)
            except (_NotTheLayout, UnicodeDecodeError):
                result = None
            if result is None and base.data:
                # Not an extension of it (a file half written, another run): the next file may still be.
                self._base = base
            del base
        if result is None:
            try:
                result = _parse_layout(data, path, stat.st_mtime)
            except (_NotTheLayout, UnicodeDecodeError):
                return _parse_reference(data, path, stat.st_mtime)
        state, span, step = result
        self._base = _Base(data, span, state, step)
        return state
