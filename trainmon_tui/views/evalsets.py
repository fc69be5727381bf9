"""Evaluation sets: which ``eval_*`` metric belongs to which set, for the summary.

The Trainer logs one set as ``eval_loss``, ``eval_accuracy``, ...; several (``eval_dataset={"g0": ...,
"g1": ...}``) as ``eval_g0_loss``, ``eval_g1_accuracy``, ... . The set names come from the ``_loss`` keys:
``eval_g0_loss`` names the set ``g0``. With ``eval_loss`` present there is one set, whatever other keys
end in ``_loss`` (ORPO's ``eval_sft_loss``). A key is given to the set with the longest name it starts
with (``val_a`` before ``val``); keys of no set form a group of their own. The runtime and throughput
keys (``*_runtime``, ``*_per_second``) are left out: they say how fast the evaluation ran, not how the
model does.

Set names and metric names come from the file: the caller passes them through
:func:`~trainmon_tui.views.safetext.printable` before showing them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

_PREFIX = "eval_"
_LOSS = "_loss"
_TIMING_SUFFIXES = ("_runtime", "_per_second")


@dataclass(frozen=True, slots=True)
class EvalGroup:
    """One evaluation set's metrics: ``name`` None for the single set (or keys of no set); metric names
    without the ``eval_`` / ``eval_<name>_`` prefix, in the file's order."""

    name: str | None
    metrics: tuple[tuple[str, float | None], ...]


def is_timing(key: str) -> bool:
    """``eval_runtime``, ``eval_g0_samples_per_second``, ``eval_steps_per_second``, ..."""
    return key.endswith(_TIMING_SUFFIXES)


def set_names(keys: list[str]) -> list[str]:
    """The eval sets named by ``eval_<set>_loss`` keys, longest first; none when ``eval_loss`` is there."""
    if _PREFIX + "loss" in keys:
        return []
    names = {
        key[len(_PREFIX) : -len(_LOSS)]
        for key in keys
        if key.startswith(_PREFIX) and key.endswith(_LOSS) and len(key) > len(_PREFIX) + len(_LOSS)
    }
    return sorted(names, key=lambda name: (-len(name), name))


def _owner(key: str, names: list[str]) -> str | None:
    return next((name for name in names if key.startswith(f"{_PREFIX}{name}_")), None)


def group_metrics(metrics: Mapping[str, float | None]) -> list[EvalGroup]:
    """The metrics by eval set, timing keys left out; groups in the order their first key comes."""
    names = set_names(list(metrics))
    groups: dict[str | None, list[tuple[str, float | None]]] = {}
    for key, value in metrics.items():
        if is_timing(key):
            continue
        name = _owner(key, names)
        prefix = _PREFIX if name is None else f"{_PREFIX}{name}_"
        groups.setdefault(name, []).append((key.removeprefix(prefix), value))
    return [EvalGroup(name, tuple(rows)) for name, rows in groups.items()]
