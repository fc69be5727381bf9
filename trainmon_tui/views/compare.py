"""``--compare``: what names each run, and one smoothing for all of them.

A run is named by the part of its path that tells it apart from the others (``runs/a/checkpoint-500`` and
``runs/b/checkpoint-500`` are ``a`` and ``b``), not by a path as long as the chart is wide. Its moving
average spans the same number of steps in every run: a window counted in points made a root state and its
own ``checkpoint-500`` (the same data, fewer points) draw different averages of the same losses.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from trainmon_tui.files.model import STATE_FILE, Series
from trainmon_tui.views.series import ma_window, moving_average


def _parts(path: Path | str) -> tuple[str, ...]:
    """The path's components, absolute and normalised, without a trailing ``trainer_state.json`` (a
    checkpoint folder and its state file are the same run)."""
    parts = Path(os.path.abspath(path)).parts
    return parts[:-1] if len(parts) > 1 and parts[-1] == STATE_FILE else parts


def _common_prefix(paths: Sequence[tuple[str, ...]]) -> int:
    shortest = min(len(p) for p in paths)
    return next((i for i in range(shortest) if len({p[i] for p in paths}) > 1), shortest)


def _common_suffix(paths: Sequence[tuple[str, ...]], prefix: int) -> int:
    room = min(len(p) for p in paths) - prefix
    return next((i for i in range(room) if len({p[-1 - i] for p in paths}) > 1), room)


def _stem(part: str) -> str:
    return part.removesuffix(".json") if part.endswith(".json") and part != ".json" else part


def distinct_labels(paths: Sequence[Path | str]) -> list[str]:
    """The shortest part of each path that tells it apart from the others: the components left once those
    all paths share at the start and at the end are cut (``runs/a/checkpoint-500``, ``runs/b/checkpoint-500``
    -> ``a``, ``b``). A path that would be left with nothing (a run and its own checkpoint) keeps the last
    shared folder: ``runs/bert``, ``runs/bert/checkpoint-500`` -> ``bert``, ``bert/checkpoint-500``. A path
    given twice gets `` (2)``. Not made printable: the caller does
    (:func:`~trainmon_tui.views.safetext.printable`).
    """
    if not paths:
        return []
    parts = [_parts(path) for path in paths]
    prefix = _common_prefix(parts)
    suffix = _common_suffix(parts, prefix)
    middles = [p[prefix : len(p) - suffix] for p in parts]
    if any(not middle for middle in middles):
        suffix = 0 if prefix == 0 else suffix  # nothing left to keep at the start: keep the ends
        prefix = max(0, prefix - 1)
        middles = [p[prefix : len(p) - suffix] or p[-1:] for p in parts]
    labels = ["/".join([*middle[:-1], _stem(middle[-1])]) if middle else str(path)
              for middle, path in zip(middles, paths, strict=True)]  # fmt: skip
    return _numbered(labels)


def _numbered(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


def _interval(steps: np.ndarray) -> float:
    """The usual distance between logged steps (the logging interval), 1 at least."""
    gaps = np.diff(steps)
    gaps = gaps[gaps > 0]
    return max(1.0, float(np.median(gaps))) if len(gaps) else 1.0


def common_window(series: Sequence[Series]) -> float:
    """The moving-average window, in steps, for every run: what :func:`~trainmon_tui.views.series.ma_window`
    gives the run spanning the most steps, times its logging interval. 1 with no points."""
    runs = [s for s in series if len(s)]
    if not runs:
        return 1.0
    longest = max(runs, key=lambda s: (float(s.steps.max() - s.steps.min()), len(s)))
    interval = _interval(longest.steps)
    points = round(float(longest.steps.max() - longest.steps.min()) / interval) + 1
    return ma_window(points) * interval


def moving_average_steps(series: Series, window_steps: float) -> Series:
    """Trailing mean over the points logged in the last ``window_steps`` steps (``(s - window, s]``).

    Steps that go back (a resumed run) have no such window: there it is the equivalent number of points.
    """
    steps, values = series.steps, series.values
    if len(steps) == 0:
        return series
    if np.any(np.diff(steps) < 0):
        points = max(1, round(window_steps / _interval(steps)))
        return Series(steps, moving_average(values, points))
    starts = np.searchsorted(steps, steps - window_steps, side="right")
    cumsum = np.concatenate(([0.0], np.cumsum(values, dtype=np.float64)))
    ends = np.arange(1, len(values) + 1)
    return Series(steps, (cumsum[ends] - cumsum[starts]) / (ends - starts))
