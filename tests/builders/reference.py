"""The series of a ``trainer_state.json`` computed with the standard library alone (the json module), so
that ``--list-metrics``, ``--csv`` and ``--metrics`` are checked against something that is not our code.

The rule is the README's: every numeric key (``step`` aside) of every log entry but the end-of-training
summary (an entry without ``loss`` that holds ``train_runtime``, ``train_loss`` or
``train_samples_per_second``) is a series by step; ``null`` and NaN / ±Infinity are non-finite points;
strings and booleans are no points.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

SUMMARY_KEYS = {"train_runtime", "train_loss", "train_samples_per_second"}


def _kept(entry: dict[str, Any]) -> bool:
    return "loss" in entry or SUMMARY_KEYS.isdisjoint(entry)


def reference_series(path: Path) -> dict[str, list[tuple[int, float]]]:
    """``{key: [(step, value), ...]}`` in file order (None as NaN)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    series: dict[str, list[tuple[int, float]]] = {}
    for entry in data["log_history"]:
        if not isinstance(entry, dict) or not _kept(entry):
            continue
        step = entry.get("step")
        if not isinstance(step, int):
            continue
        for key, value in entry.items():
            if key == "step" or isinstance(value, (bool, str)):
                continue
            if value is None or isinstance(value, (int, float)):
                series.setdefault(key, []).append((step, math.nan if value is None else float(value)))
    return series


def describe(points: list[tuple[int, float]]) -> dict[str, Any]:
    """What ``--list-metrics --format json`` says of one series (null for non-finite)."""
    finite = [value for _, value in points if math.isfinite(value)]
    last = points[-1][1]
    return {
        "count": len(points),
        "nonfinite": len(points) - len(finite),
        "first_step": min(step for step, _ in points),
        "last_step": max(step for step, _ in points),
        "last": last if math.isfinite(last) else None,
        "min": min(finite) if finite else None,
        "max": max(finite) if finite else None,
    }


def last_per_step(points: list[tuple[int, float]]) -> dict[int, float]:
    """The value logged last at each step (what a wide CSV row holds)."""
    return dict(points)
