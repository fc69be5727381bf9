"""``log_history`` folded into numeric columns, a block of entries at a time.

:class:`Columns` turns a list of log entries into one column (steps, values) per numeric key, plus the
last training values, the latest evaluation and the end-of-training summary entry. It does so two ways
that must agree exactly: :meth:`Columns.add_slow`, the reference, one entry at a time with every rule
spelled out (its :class:`~.model.StateError` messages are the ones reported), and :meth:`Columns.add_fast`,
which folds a block of well-formed entries with C-level loops and numpy or, given anything else, returns
False having changed nothing, so that the caller folds that block the slow way.

:func:`~.build.build_state` uses it on a decoded ``log_history``; :mod:`.blockread` on blocks cut from
the file's bytes, with bare ``NaN`` / ``Infinity`` swapped for marker floats that :meth:`Columns.add_fast`
turns back (and counts), and with :meth:`Columns.resume` to append a newer checkpoint's entries to the
previous state's columns.
"""

from __future__ import annotations

import math
from array import array
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from trainmon_tui.files.entries import EntryKind, entry_kind
from trainmon_tui.files.model import Series, StateError, TrainerState
from trainmon_tui.files.numeric import OUT_OF_RANGE, OutOfRange, as_float, brief, count_of


def _step_of(entry: dict[str, Any], index: int, previous: int, path: Path) -> int:
    """An entry's step by :mod:`.numeric`'s rule: a finite number within int64 (a float truncated)."""
    if "step" not in entry:
        return previous
    value = entry["step"]
    try:
        step = count_of(value)
    except OutOfRange:
        raise StateError(path, f"log_history[{index}].step {OUT_OF_RANGE}") from None
    if step is None:
        raise StateError(path, f"log_history[{index}].step is {brief(value)}, expected a number")
    return step


def _numeric_values(entry: dict[str, Any]) -> dict[str, float | None]:
    """An entry's numeric values as floats (NaN and ±inf as logged); null, strings and the rest left out."""
    return {key: number for key, value in entry.items() if (number := as_float(value)) is not None}


class _Group(NamedTuple):
    """The entries of a block that share one key set (add_fast groups a block by entry length)."""

    positions: np.ndarray | None  # their indices in the block; None when the group is the whole block
    keys: tuple[str, ...]  # in the order of the first entry, "step" included
    is_train: bool
    steps: np.ndarray  # int64
    values: dict[str, np.ndarray]  # float64 by key, "step" left out


# Bare NaN / Infinity swapped, for orjson, for the three smallest positive subnormal floats (bit patterns
# 1, 2, 3): numbers no optimiser logs. A block is taken only if exactly as many of them come back in its
# numeric columns as were swapped in; otherwise (say, ": NaN" inside a string) it goes the reference way.
# The swap itself is in blockread (_swap_nonfinite): "5e-324" for NaN, "1e-323" for Infinity, "1.5e-323"
# for -Infinity.
_MARKER_VALUES = np.array([0.0, math.nan, math.inf, -math.inf])  # by bit pattern 1, 2, 3
_NUMBER_TYPES = frozenset({float, int})
_MAX_SIGNATURES = 16  # distinct entry lengths in one block before it is folded entry by entry


class Columns:
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
    def resume(cls, state: TrainerState, step: int, path: Path) -> Columns:
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
            kind = entry_kind(entry)
            if kind is EntryKind.FINAL:
                self.final = _numeric_values(entry)
                continue
            is_train = kind is EntryKind.TRAIN
            is_eval = False
            for key, value in entry.items():
                if key == "step":
                    continue
                logged = number = as_float(value)
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
                    last_train[key] = logged
                elif key.startswith("eval_"):
                    is_eval = True
            if is_eval:
                if step != self.eval_step:
                    self.eval_step, self.eval_metrics = step, {}
                self.eval_metrics.update((k, as_float(v)) for k, v in entry.items() if k.startswith("eval_"))
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
        groups: list[_Group] = []
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
                kind = entry_kind(keys)
                if kind is EntryKind.FINAL:
                    return False
                # Same length and every key of the first found (itemgetter raises KeyError): same key set.
                raw_steps = list(map(itemgetter("step"), members))
                steps = np.frombuffer(array("q", raw_steps), dtype=np.int64)
                if np.any(steps <= 1) and not {int}.issuperset(map(type, raw_steps)):
                    return False
                values: dict[str, np.ndarray] = {}
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
                groups.append(_Group(positions, keys, kind is EntryKind.TRAIN, steps, values))
        except (KeyError, TypeError, OverflowError):
            return False
        found = 0
        for group in groups:
            for floats in group.values.values():
                bits = floats.view(np.int64)
                hits = np.flatnonzero((bits - 1).view(np.uint64) < 3)
                if len(hits):
                    floats[hits] = _MARKER_VALUES[bits[hits]]
                    found += len(hits)
        if found != markers:
            return False
        self._commit(groups, n)
        return True

    def _commit(self, groups: list[_Group], n: int) -> None:
        def first(group: _Group) -> int:
            return 0 if group.positions is None else int(group.positions[0])

        def last(group: _Group) -> int:
            return n - 1 if group.positions is None else int(group.positions[-1])

        # Columns, with new keys in the order an entry-by-entry pass meets them.
        keys_seen: dict[str, tuple[int, int]] = {}
        for group in groups:
            for k_index, key in enumerate(group.keys):
                if key != "step":
                    where = (first(group), k_index)
                    if key not in keys_seen or where < keys_seen[key]:
                        keys_seen[key] = where
        for key in sorted(keys_seen, key=keys_seen.__getitem__):
            having = [g for g in groups if key in g.values]
            steps: np.ndarray
            values: np.ndarray
            if len(having) == 1:
                steps, values = having[0].steps, having[0].values[key]
            else:
                positions = np.concatenate([g.positions for g in having if g.positions is not None])
                order = np.argsort(positions, kind="stable")
                steps = np.concatenate([g.steps for g in having])[order]
                values = np.concatenate([g.values[key] for g in having])[order]
            self.parts.setdefault(key, []).append((steps, values))
        # The last value of each key among training entries.
        for group in sorted((g for g in groups if g.is_train), key=last):
            for key, column in group.values.items():
                self.last_train[key] = float(column[-1])
        # The latest evaluation: the trailing run of eval entries at one step, merged in order.
        evals = [g for g in groups if not g.is_train and any(k.startswith("eval_") for k in g.values)]
        if evals:
            rows = sorted(
                (int(g.positions[i]) if g.positions is not None else i, gi, i)
                for gi, g in enumerate(evals)
                for i in range(len(g.steps))
            )
            last_step = int(evals[rows[-1][1]].steps[rows[-1][2]])
            start = len(rows)
            while start > 0 and int(evals[rows[start - 1][1]].steps[rows[start - 1][2]]) == last_step:
                start -= 1
            if start > 0 or self.eval_step != last_step:
                self.eval_step, self.eval_metrics = last_step, {}
            for _, gi, i in rows[start:]:
                group = evals[gi]
                for key in group.keys:
                    if key.startswith("eval_"):
                        self.eval_metrics[key] = float(group.values[key][i])
        last_group = max(groups, key=last)
        self.step = int(last_group.steps[-1])
        self.count += n
