"""The wide CSV behind ``--csv PATH``: one row per step, one column per key, never overwriting a file.

Layout: a header ``step,<key>,<key>,...``, then one row per distinct step of the chosen series in
ascending order; a cell is empty where the key was not logged at that step, ``nan`` where it was NaN (or
null), ``inf`` / ``-inf`` as logged, and otherwise the shortest text that reads back as the same double
(Python's ``repr``: ``0.1``, ``1e-05``, ``1e+16``). A key logged more than once at a step (a resumed run
logging a step again, or ``epoch`` in both the training and the evaluation entry) shows the last value
logged, as the evaluations table does. The default keys are every numeric series in the catalogue's
order (:func:`~.metrics.order_keys`), ``epoch`` and keys logged once included: this is data, not charts.

Safety of what the file gives us:

- **Quoting.** Keys come from the file and may hold commas, quotes, newlines, carriage returns or any
  other character: the header is written by :mod:`csv` as RFC 4180 has it (fields quoted when needed,
  quotes doubled, ``\\r\\n`` line ends, so that a lone ``\\r`` in a key is quoted too), and reads back
  with :func:`csv.reader` to the same keys. Cells are numbers and never need quoting.
- **Formula injection.** A spreadsheet opening the file runs a cell that starts with ``=``, ``+``,
  ``-``, ``@``, a tab or a carriage return as a formula (``=HYPERLINK(...)``). Only the header can hold
  such text (cells are our own number formatting): a key starting with one of them is written with a
  leading apostrophe (``'=cmd``), which spreadsheets hide and never run, as OWASP advises. It changes the
  key for a program reading the CSV, but no trainer logs keys like that, and a person opening a file in a
  spreadsheet is the common case; ``guard_formulas=False`` writes keys exactly.
- **Never overwriting.** The file is created with mode ``"x"`` (``O_CREAT | O_EXCL``): an existing path
  (a file, a folder, a symlink, even a dangling one) is ``FileExistsError`` and is left as it was. If
  writing fails half-way, the partial file (ours: we just created it) is removed.

Rows are written a block at a time, so memory stays at a block's worth of text whatever the run's size.
Formatting the numbers is most of the cost (:func:`cell_text`, ``repr`` at about 0.8 µs a value): 200k
steps x 100 keys (20 million cells, 360 MB) take 16 to 17 s here, a ``csv.DictWriter`` of ``repr``
strings 19 to 37 s on the same machine under varying load.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from trainmon_tui.files.model import Series
from trainmon_tui.views.metrics import order_keys
from trainmon_tui.views.xaxis import last_per_step

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_BLOCK_ROWS = 4096


def guard_formula(text: str) -> str:
    """``text`` made safe to open in a spreadsheet: a leading apostrophe when it starts like a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_text(values: np.ndarray) -> list[str]:
    """Float64 values as CSV cells: ``repr``'s shortest round-trip text, ``nan``, ``inf``, ``-inf``.

    ``repr`` costs most of the writing (about 0.8 µs a value); a column that repeats values (a constant
    learning rate, ``epoch``) has each distinct value formatted once. Not when it holds a -0.0, which
    :func:`numpy.unique` would merge with 0.0.
    """
    values = np.asarray(values, dtype=np.float64)
    if len(values) >= 64 and not (np.signbit(values) & (values == 0)).any():
        distinct, inverse = np.unique(values, return_inverse=True)
        if 2 * len(distinct) <= len(values):
            texts = np.array(list(map(float.__repr__, distinct.tolist())), dtype=object)
            return texts[inverse.reshape(-1)].tolist()  # type: ignore[no-any-return]
    return list(map(float.__repr__, values.tolist()))


@dataclass(frozen=True, slots=True)
class CsvWritten:
    path: Path
    rows: int  # data rows, the header not counted
    keys: tuple[str, ...]  # the columns after ``step``, as in the file's series (before any guard)


def _columns(
    series: Mapping[str, Series], keys: Sequence[str]
) -> tuple[np.ndarray, list[Series], list[np.ndarray]]:
    """The distinct steps, each key's last value per step, and each key's row positions."""
    empty = Series(np.zeros(0, dtype=np.int64), np.zeros(0))
    cleaned = [last_per_step(series.get(key, empty)) for key in keys]
    parts = [s.steps for s in cleaned]
    steps = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
    positions = [np.searchsorted(steps, s.steps) for s in cleaned]
    return steps, cleaned, positions


def write_wide_csv(
    path: str | os.PathLike[str],
    series: Mapping[str, Series],
    keys: Sequence[str] | None = None,
    *,
    guard_formulas: bool = True,
) -> CsvWritten:
    """Write ``keys`` of ``series`` (default: all, in catalogue order) to a new file at ``path``.

    Raises ``FileExistsError`` if anything is at ``path``, and the ``OSError`` of a failed write (after
    removing the partial file). A key not in ``series`` is a column of empty cells.
    """
    chosen = list(dict.fromkeys(order_keys(series) if keys is None else keys))
    steps, cleaned, positions = _columns(series, chosen)
    target = Path(path)
    header = ["step", *(guard_formula(key) if guard_formulas else key for key in chosen)]
    with open(target, "x", newline="", encoding="utf-8") as handle:  # "x": never overwrite
        try:
            writer = csv.writer(handle, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow(header)
            for start in range(0, len(steps), _BLOCK_ROWS):
                stop = min(start + _BLOCK_ROWS, len(steps))
                columns: list[list[str]] = [[str(step) for step in steps[start:stop].tolist()]]
                for column, at in zip(cleaned, positions, strict=True):
                    lo, hi = np.searchsorted(at, [start, stop])
                    cells = np.full(stop - start, "", dtype=object)
                    cells[at[lo:hi] - start] = cell_text(column.values[lo:hi])
                    columns.append(cells.tolist())
                # Cells are numbers, never quoted: joined directly, several times faster than csv's writer.
                handle.write("".join(",".join(row) + "\r\n" for row in zip(*columns, strict=True)))
        except BaseException:
            handle.close()
            target.unlink(missing_ok=True)
            raise
    return CsvWritten(target, len(steps), tuple(chosen))
