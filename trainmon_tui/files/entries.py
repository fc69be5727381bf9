"""What kind of log entry an entry is: training, evaluation, the end-of-training summary, or other.

One rule for every reader (the state's columns, the live log, TensorBoard's scalars): an entry with
``loss`` is a training entry; otherwise one with a key of the end-of-training summary is that summary;
otherwise one with an ``eval_*`` key is an evaluation; anything else (a ``test_*`` run, custom values) is
other. :func:`entry_kind` applies it to an entry's keys; :func:`key_kind` is the per-key form TensorBoard
needs, whose scalars arrive one by one and are grouped back into entries.

Standard library only.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import Enum

# Keys of the end-of-training summary entry (logged after the last save, so only in a root state).
SUMMARY_KEYS = frozenset({"train_runtime", "train_loss", "train_samples_per_second"})
# Keys only a training entry carries, as the Trainer logs them.
TRAIN_KEYS = frozenset({"loss", "grad_norm", "learning_rate"})


class EntryKind(str, Enum):
    """A log entry's kind; a ``str`` so that ``kind == "eval"`` reads as it always has."""

    TRAIN = "train"
    EVAL = "eval"
    FINAL = "final"  # the end-of-training summary (train_runtime, train_loss, ...)
    OTHER = "other"


def entry_kind(keys: Collection[str]) -> EntryKind:
    """The kind of the entry holding ``keys`` (a dict works: its keys are looked at)."""
    if "loss" in keys:
        return EntryKind.TRAIN
    if not SUMMARY_KEYS.isdisjoint(keys):
        return EntryKind.FINAL
    if any(key.startswith("eval_") for key in keys):
        return EntryKind.EVAL
    return EntryKind.OTHER


def key_kind(key: str) -> EntryKind | None:
    """The kind of entry one key belongs to, for readers that see keys one at a time (TensorBoard).

    ``loss``, ``grad_norm``, ``learning_rate``: training; ``eval_*``: evaluation; a summary key or any
    ``train_*``: the summary; ``test_*``: other (a test run, an entry of its own). None for a key any
    entry may carry (``epoch``, custom values), which says nothing about its entry.
    """
    if key in TRAIN_KEYS:
        return EntryKind.TRAIN
    if key.startswith("eval_"):
        return EntryKind.EVAL
    if key.startswith("test_"):
        return EntryKind.OTHER
    if key in SUMMARY_KEYS or key.startswith("train_"):
        return EntryKind.FINAL
    return None
