"""Which checkpoints an outputs folder holds, which are ready, and which is the latest.

The Trainer saves into ``OUTPUT_DIR/checkpoint-N/`` (``trainer_state.json`` written last), marks a save in
progress with ``checkpoint-is-incomplete.txt`` (5.x) or a ``tmp-checkpoint-N`` folder, and rotation
(``save_total_limit``) deletes old folders with ``shutil.rmtree`` right after a save. A script that calls
``trainer.save_state()`` also leaves ``OUTPUT_DIR/trainer_state.json``, the only state that holds the
end-of-training summary entry.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .state import STATE_FILE, ErrorKind, StateCache, StateError, TrainerState, load_state

INCOMPLETE_MARKER = "checkpoint-is-incomplete.txt"
_CHECKPOINT_RE = re.compile(r"checkpoint-(\d+)")


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A place a state may be read from. Sorts by step number, the root state last."""

    sort_key: tuple[int, int]
    path: Path  # the trainer_state.json
    name: str  # "checkpoint-500", or "trainer_state.json" for the root state

    @property
    def number(self) -> int | None:
        return self.sort_key[1] if self.sort_key[0] == 0 else None

    @property
    def is_root(self) -> bool:
        return self.sort_key[0] == 1


def list_checkpoints(outputs: Path) -> list[Candidate]:
    """Every ``checkpoint-N`` folder holding a ``trainer_state.json``, by N, then the root state.

    ``tmp-checkpoint-*`` folders and folders marked incomplete are left out; a folder that vanishes while
    it is being looked at is skipped. Only names and one ``stat`` per folder: nothing is read.
    """
    found: list[Candidate] = []
    try:
        entries = list(os.scandir(outputs))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return []
    for entry in entries:
        match = _CHECKPOINT_RE.fullmatch(entry.name)
        if match is None:
            continue
        folder = Path(entry.path)
        try:
            if not entry.is_dir() or (folder / INCOMPLETE_MARKER).exists():
                continue
            if not (folder / STATE_FILE).is_file():
                continue
        except OSError:
            continue
        found.append(Candidate((0, int(match.group(1))), folder / STATE_FILE, entry.name))
    root = outputs / STATE_FILE
    if root.is_file():
        found.append(Candidate((1, 0), root, STATE_FILE))
    found.sort()
    return found


@dataclass(slots=True)
class Discovery:
    """What :func:`find_latest` saw: the state chosen, if any, and the files it could not use."""

    latest: TrainerState | None
    candidates: list[Candidate]
    errors: list[StateError]


def find_latest(outputs: Path, cache: StateCache | None = None) -> Discovery:
    """The ready state with the largest ``global_step``; on a tie the root ``trainer_state.json``.

    Checkpoints are tried newest first until one parses (an unreadable one is reported and passed over),
    and the root state is read too when present. Files that vanished (rotation) are skipped silently.
    """
    load = cache.load if cache is not None else load_state
    candidates = list_checkpoints(outputs)
    errors: list[StateError] = []
    best: TrainerState | None = None

    def consider(candidate: Candidate) -> TrainerState | None:
        try:
            return load(candidate.path)
        except StateError as exc:
            if exc.kind is not ErrorKind.MISSING:
                errors.append(exc)
            return None

    root = next((c for c in candidates if c.is_root), None)
    for candidate in reversed(candidates):
        if candidate.is_root:
            continue
        best = consider(candidate)
        if best is not None:
            break
    if root is not None:
        root_state = consider(root)
        if root_state is not None and (best is None or _step(root_state) >= _step(best)):
            best = root_state
    return Discovery(best, candidates, errors)


def _step(state: TrainerState) -> int:
    return state.global_step if state.global_step is not None else -1


def checkpoint_times(candidates: list[Candidate]) -> tuple[tuple[int, float], ...]:
    """(step, mtime) of each checkpoint's ``trainer_state.json``: the clock when there is no live log."""
    times = []
    for candidate in candidates:
        if candidate.number is None:
            continue
        try:
            times.append((candidate.number, candidate.path.stat().st_mtime))
        except OSError:
            continue
    return tuple(times)


def resolve_target(path: Path) -> Path:
    """A ``--checkpoint`` argument as the ``trainer_state.json`` to read."""
    return path / STATE_FILE if path.is_dir() else path
