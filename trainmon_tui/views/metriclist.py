"""``--list-metrics`` and ``--metrics PATTERN,...`` as data: every series described, and keys picked by globs.

:func:`list_metrics` describes every numeric series of a state, charts or not (a key logged once is still
a number a person may want), in the catalogue's order (:func:`~.metrics.order_keys`): its number of
points (and how many are not finite), its first and last step (smallest and largest: a resumed run may
log steps out of order), its last value as logged (the newest entry's; NaN and ±inf as they are) and its
min and max over the finite values. :meth:`MetricInfo.to_json` follows ``--format json``'s rule: null
where a value is unknown or not finite.

:func:`select_keys` reads ``--metrics``: patterns separated by commas, each a shell glob over the whole
key (``rewards/*``, ``eval_*_loss``) or, without glob characters, a key, case-insensitive as the
dashboard's filter is. Keys come out in the order the patterns ask for them (``reward,kl`` draws reward
first), each pattern's matches in the catalogue's order, every key once; the patterns that matched
nothing are returned too, for the CLI to name. A key that holds a comma can be picked with ``?`` in
its place.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainmon_tui.files.model import Series, TrainerState
from trainmon_tui.views.metrics import is_chartable, order_keys

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class MetricInfo:
    key: str
    count: int  # points logged
    nonfinite: int  # of which NaN, ±inf or null
    first_step: int | None
    last_step: int | None
    last: float | None  # the newest point's value as logged (None only for an empty series)
    min: float | None  # over the finite values
    max: float | None
    chart: bool  # shown as a chart in the metrics view

    def to_json(self) -> dict[str, Any]:
        def finite(value: float | None) -> float | None:
            return value if value is not None and math.isfinite(value) else None

        return {
            "key": self.key,
            "count": self.count,
            "nonfinite": self.nonfinite,
            "first_step": self.first_step,
            "last_step": self.last_step,
            "last": finite(self.last),
            "min": finite(self.min),
            "max": finite(self.max),
            "chart": self.chart,
        }


def metric_info(key: str, series: Series) -> MetricInfo:
    """The description of one series."""
    n = len(series)
    if n == 0:
        return MetricInfo(key, 0, 0, None, None, None, None, None, False)
    values = series.values
    mask = np.isfinite(values)
    finite = values if mask.all() else values[mask]
    low = float(finite.min()) if len(finite) else None
    high = float(finite.max()) if len(finite) else None
    return MetricInfo(
        key=key,
        count=n,
        nonfinite=n - len(finite),
        first_step=int(series.steps.min()),
        last_step=int(series.steps.max()),
        last=float(values[-1]),
        min=low,
        max=high,
        chart=is_chartable(key, series),
    )


def list_metrics(state: TrainerState, keys: Iterable[str] | None = None) -> list[MetricInfo]:
    """Every series of ``state`` described (or those of ``keys`` that it has), in catalogue order."""
    chosen = (
        order_keys(state.series) if keys is None else [k for k in dict.fromkeys(keys) if k in state.series]
    )
    return [metric_info(key, state.series[key]) for key in chosen]


def _pattern(text: str) -> re.Pattern[str]:
    folded = text.casefold()
    if _GLOB_CHARS.isdisjoint(folded):
        return re.compile(re.escape(folded), re.DOTALL)
    return re.compile(fnmatch.translate(folded), re.DOTALL)


def split_patterns(text: str) -> list[str]:
    """``--metrics``'s value cut at commas, blanks around each pattern and empty patterns dropped."""
    return [part.strip() for part in text.split(",") if part.strip()]


def select_keys(keys: Sequence[str], patterns: str | Sequence[str]) -> tuple[list[str], list[str]]:
    """``(selected keys, patterns that matched nothing)``; ``keys`` in catalogue order."""
    wanted = split_patterns(patterns) if isinstance(patterns, str) else [p for p in patterns if p.strip()]
    folded = [key.casefold() for key in keys]
    chosen: dict[str, None] = {}
    unmatched: list[str] = []
    for text in wanted:
        pattern = _pattern(text.strip())
        hits = [key for key, low in zip(keys, folded, strict=True) if pattern.fullmatch(low)]
        if not hits:
            unmatched.append(text)
        chosen.update(dict.fromkeys(hits))
    return list(chosen), unmatched
