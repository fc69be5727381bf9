"""Which checkpoints an outputs folder holds, which are ready, and which is the latest.

The Trainer saves into ``OUTPUT_DIR/checkpoint-N/`` (``trainer_state.json`` written last), marks a save in
progress with ``checkpoint-is-incomplete.txt`` (5.x) or a ``tmp-checkpoint-N`` folder, and rotation
(``save_total_limit``) deletes old folders with ``shutil.rmtree`` right after a save. A script that calls
``trainer.save_state()`` also leaves ``OUTPUT_DIR/trainer_state.json``, the only state that holds the
end-of-training summary entry.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from trainmon_tui.files.model import HUB_CHECKPOINT, STATE_FILE, ErrorKind, StateError, TrainerState
from trainmon_tui.files.numeric import in_count_range
from trainmon_tui.files.safeopen import NotRegularFileError, open_regular, stat_regular
from trainmon_tui.files.state import StateCache, load_state, state_path

INCOMPLETE_MARKER = "checkpoint-is-incomplete.txt"
_CHECKPOINT_RE = re.compile(r"checkpoint-([0-9]+)")  # ASCII digits: int() also reads "١٢٣"
# The Trainer writes sorted keys with indent=2: the top-level global_step comes in the first few lines,
# after the best_* keys, epoch and eval_steps (scalars; best_model_checkpoint is a path).
_GLOBAL_STEP_RE = re.compile(rb'\n  "global_step": (\d{1,20}),?\n')
PEEK_BYTES = 8192
NUMBERED, UNKNOWN_STEP, ROOT = 0, 1, 2  # Candidate.sort_key groups


@dataclass(frozen=True, slots=True, order=True)
class Candidate:
    """A place a state may be read from. Sorts by step number (``last-checkpoint`` by its state's
    global_step; after the numbered ones when that cannot be peeked), the root state last."""

    sort_key: tuple[int, int]
    path: Path  # the trainer_state.json
    name: str  # "checkpoint-500", or "trainer_state.json" for the root state

    @property
    def number(self) -> int | None:
        return self.sort_key[1] if self.sort_key[0] == NUMBERED else None

    @property
    def is_root(self) -> bool:
        return self.sort_key[0] == ROOT


@dataclass(slots=True)
class Listing:
    """What one look at an outputs folder found: the candidates, the state files that are not regular
    files (a FIFO, a device, a folder: reported, never opened), and why the folder itself could not be
    listed, if it could not (None also when it does not exist)."""

    candidates: list[Candidate]
    skipped: list[StateError] = field(default_factory=list)
    unreadable: StateError | None = None


def _cannot_read(path: Path, exc: OSError) -> StateError:
    return StateError(path, f"cannot read: {(exc.strerror or str(exc)).lower()}")


def _state_problem(path: Path) -> StateError | bool:
    """True for a regular state file, False when there is none (yet), else why it cannot be one."""
    try:
        return stat_regular(path) is not None
    except NotRegularFileError as exc:
        return StateError(path, exc.strerror or "not a regular file")
    except OSError as exc:
        return _cannot_read(path, exc)


def scan_checkpoints(outputs: Path) -> Listing:
    """Every ``checkpoint-N`` folder holding a ``trainer_state.json``, by N, then the root state.

    ``tmp-checkpoint-*`` folders, folders marked incomplete and numbers beyond any step (int64) are left
    out; a folder that vanishes while it is being looked at is skipped. A ``trainer_state.json`` that is
    not a regular file is not a candidate but a reason in ``skipped``. The Hub's ``last-checkpoint/`` is a
    checkpoint too, ordered by its global_step (:func:`peek_global_step`). Only names and one ``stat`` per
    folder: nothing is opened but the first 8 KiB of ``last-checkpoint/trainer_state.json``.
    """
    found: list[Candidate] = []
    skipped: list[StateError] = []
    try:
        entries = list(os.scandir(outputs))
    except (FileNotFoundError, NotADirectoryError):
        return Listing([])
    except OSError as exc:
        return Listing([], unreadable=_cannot_read(outputs, exc))

    def consider(path: Path, sort_key: tuple[int, int], name: str) -> None:
        problem = _state_problem(path)
        if problem is True:
            found.append(Candidate(sort_key, path, name))
        elif isinstance(problem, StateError):
            skipped.append(problem)

    for entry in entries:
        match = _CHECKPOINT_RE.fullmatch(entry.name)
        if match is None:
            continue
        number = int(match.group(1))  # at most 244 digits (a name is at most 255 bytes): converts
        folder = Path(entry.path)
        try:
            if not entry.is_dir() or (folder / INCOMPLETE_MARKER).exists() or not in_count_range(number):
                continue
        except FileNotFoundError:  # deleted while looked at (rotation)
            continue
        except OSError as exc:  # a checkpoint folder it may not look into
            skipped.append(_cannot_read(folder / STATE_FILE, exc))
            continue
        consider(folder / STATE_FILE, (0, number), entry.name)
    if any(entry.name == HUB_CHECKPOINT for entry in entries):
        hub = outputs / HUB_CHECKPOINT / STATE_FILE
        consider(hub, _hub_sort_key(hub), HUB_CHECKPOINT)
    consider(outputs / STATE_FILE, (ROOT, 0), STATE_FILE)
    found.sort()
    return Listing(found, skipped)


def peek_global_step(path: Path) -> int | None:
    """The top-level ``global_step`` of a state in the Trainer's layout, from its first bytes only; None
    when it is not there (another layout, a file being written, not readable)."""
    try:
        with open_regular(path, margin=0) as f:
            head = f.read(PEEK_BYTES)
    except OSError:
        return None
    match = _GLOBAL_STEP_RE.search(head)
    if match is None:
        return None
    step = int(match.group(1))
    return step if in_count_range(step) else None


def _hub_sort_key(path: Path) -> tuple[int, int]:
    """``last-checkpoint/`` is ordered by its global_step, or after the numbered checkpoints."""
    step = peek_global_step(path)
    return (NUMBERED, step) if step is not None else (UNKNOWN_STEP, 0)


def list_checkpoints(outputs: Path) -> list[Candidate]:
    """The candidates of :func:`scan_checkpoints`."""
    return scan_checkpoints(outputs).candidates


@dataclass(slots=True)
class Discovery:
    """What :func:`find_latest` saw: the state chosen, if any, and the files it could not use."""

    latest: TrainerState | None
    candidates: list[Candidate]
    errors: list[StateError]
    unreadable: StateError | None = None  # the outputs folder itself could not be listed


def find_latest(outputs: Path, cache: StateCache | None = None) -> Discovery:
    """The ready state with the largest ``global_step``; on a tie the root ``trainer_state.json``.

    Checkpoints are tried newest first until one parses (an unreadable one is reported and passed over),
    and the root state is read too when present. Files that vanished (rotation) are skipped silently.
    """
    load = cache.load if cache is not None else load_state
    listing = scan_checkpoints(outputs)
    candidates = listing.candidates
    errors: list[StateError] = list(listing.skipped)
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
    return Discovery(best, candidates, errors, listing.unreadable)


def _step(state: TrainerState) -> int:
    return state.global_step if state.global_step is not None else -1


ROOT_TIME = math.nan  # the root state in checkpoint_times: its step counts, its time does not


def checkpoint_times(
    candidates: list[Candidate], root_step: int | None = None
) -> tuple[tuple[int, float], ...]:
    """(step, mtime) of each checkpoint's ``trainer_state.json``: the clock when there is no live log.

    With ``root_step`` (the root ``trainer_state.json``'s global_step) a last pair ``(root_step, NaN)``:
    the root is written right after the last checkpoint, so its mtime says nothing about speed, but its
    step says how far the run went (a pinned older checkpoint of a finished run is still finished).
    """
    times: list[tuple[int, float]] = []
    for candidate in candidates:
        if candidate.number is None:
            continue
        try:
            times.append((candidate.number, candidate.path.stat().st_mtime))
        except OSError:
            continue
    if root_step is not None:
        times.append((root_step, ROOT_TIME))
    return tuple(times)


def root_step(candidates: list[Candidate], cache: StateCache | None = None) -> int | None:
    """The root ``trainer_state.json``'s global_step, when there is one that parses (through ``cache``:
    :func:`find_latest` has usually read it already)."""
    root = next((c for c in candidates if c.is_root), None)
    if root is None:
        return None
    try:
        return (cache.load if cache is not None else load_state)(root.path).global_step
    except StateError:
        return None


def resolve_target(path: Path) -> Path:
    """A ``--checkpoint`` argument as the ``trainer_state.json`` to read."""
    return state_path(path)
