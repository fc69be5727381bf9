"""``--metrics``: the series its patterns pick, or one line naming each pattern that matched nothing.

Patterns are :func:`~trainmon_tui.views.metriclist.select_keys`'s: keys or shell globs over the whole key,
case-insensitive. For ``--list-metrics`` and ``--csv`` they pick among every numeric series; for ``-p``
and ``-s`` among the charts (:func:`~trainmon_tui.views.metrics.catalogue`: a key logged at one step is
no line). A pattern that matches nothing ends the mode with exit code 1 (the run lacks it; the command
was well formed), naming the pattern and, when some keys are close to it, those keys.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from trainmon_tui.cli.messages import CliError
from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.metriclist import select_keys
from trainmon_tui.views.metrics import catalogue, order_keys

MAX_CLOSE = 3
NO_MATCH_CODE = 1


def _closest(pattern: str, keys: Sequence[str]) -> list[str]:
    """Up to three keys that look like ``pattern`` (difflib; case-folded, as the match is)."""
    folded = {key.casefold(): key for key in reversed(keys)}
    close = difflib.get_close_matches(pattern.casefold(), list(folded), n=MAX_CLOSE, cutoff=0.6)
    return [folded[key] for key in close]


def _quoted(items: Sequence[str]) -> str:
    return ", ".join(f"'{item}'" for item in items)


def pick_keys(state: TrainerState, patterns: Sequence[str] | None, *, charts: bool) -> list[str]:
    """The keys ``patterns`` pick (all of them when None), in the patterns' order; CliError (exit 1) when a
    pattern matches nothing, or only series that are not charts (with ``charts``)."""
    every = order_keys(state.series)
    keys = catalogue(state) if charts else every
    if patterns is None:
        return keys
    chosen, unmatched = select_keys(keys, patterns)
    if not unmatched:
        return chosen
    parts = []
    for pattern in unmatched:
        hits, _ = select_keys(every, [pattern])
        if hits:  # charts only: the pattern names series logged once, or bookkeeping
            only = _quoted(hits[:MAX_CLOSE])
            parts.append(f"'{pattern}' matches no chart, only {only} (see --list-metrics)")
            continue
        close = _closest(pattern, keys)
        parts.append(f"no series matches '{pattern}'" + (f" (closest: {_quoted(close)})" if close else ""))
    raise CliError("--metrics: " + "; ".join(parts), NO_MATCH_CODE)
