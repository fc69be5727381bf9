"""Which folders under PARENT are runs: found up to three levels down, by what the Trainer leaves in them.

A folder is a run when it holds a ``checkpoint-N`` (or ``tmp-checkpoint-N``, ``last-checkpoint``) folder, a
root ``trainer_state.json``, a ``trainmon_log.jsonl`` or TensorBoard event files (directly, or in the
Trainer's ``runs/<date>_<host>/``). The hyperparameter search's trial folders (``run-0``, ``run-1``, ...)
are runs by the same rule. A run is not looked into further (its checkpoints are no runs of their own).
Names only: one ``scandir`` per folder, nothing opened, so a rescan of 100 runs costs about 100 listings.
Folders linked twice (a symlink loop) are visited once; hidden folders are skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from trainmon_tui.files.model import STATE_FILE, is_checkpoint_folder
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.tbevents import RUNS_DIR
from trainmon_tui.live.tbrecords import EVENTS_PREFIX

MAX_DEPTH = 3
MAX_FOLDERS = 20_000  # a PARENT such as ~ would list for ever: stop looking after this many folders
_SKIP = frozenset({"__pycache__", "node_modules", "wandb"})
_NUMBERS = re.compile(r"(\d+)")


def _is_marker(entry: os.DirEntry[str]) -> bool:
    name = entry.name
    if name in (STATE_FILE, LIVE_LOG_FILE) or name.startswith(EVENTS_PREFIX):
        return True  # whatever it is (a FIFO named trainer_state.json is a run that cannot be read)
    if is_checkpoint_folder(name) or name.startswith("tmp-checkpoint-"):
        try:
            return entry.is_dir()
        except OSError:
            return False
    return False


def _events_below(folder: str) -> bool:
    """TensorBoard's ``runs/<date>_<host>/events.out.tfevents.*`` (the Trainer's default logging_dir)."""
    try:
        with os.scandir(folder) as entries:
            subfolders = [e.path for e in entries if e.is_dir(follow_symlinks=False)]
    except OSError:
        return False
    for sub in subfolders[:50]:
        try:
            with os.scandir(sub) as entries:
                if any(e.name.startswith(EVENTS_PREFIX) for e in entries):
                    return True
        except OSError:
            continue
    return False


def _look(folder: str) -> tuple[bool, list[os.DirEntry[str]]]:
    """(is a run, its subfolders to look into when it is not)."""
    try:
        with os.scandir(folder) as it:
            entries = list(it)
    except OSError:
        return False, []
    if any(_is_marker(e) for e in entries):
        return True, []
    subfolders = []
    for entry in entries:
        if entry.name.startswith(".") or entry.name in _SKIP:
            continue
        try:
            if entry.is_dir():
                subfolders.append(entry)
        except OSError:
            continue
    if any(e.name == RUNS_DIR for e in subfolders) and _events_below(os.path.join(folder, RUNS_DIR)):
        return True, []
    return False, subfolders


def is_run(folder: Path) -> bool:
    """Whether ``folder`` itself is a run (what the command line opens as one dashboard)."""
    return _look(str(folder))[0]


def natural_key(name: str) -> tuple[object, ...]:
    """``run-2`` before ``run-10``: digits compared as numbers."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _NUMBERS.split(name))


def find_runs(parent: Path, max_depth: int = MAX_DEPTH) -> list[Path]:
    """The run folders below ``parent`` (not ``parent`` itself), up to ``max_depth`` levels down, in
    natural order of their path below ``parent``."""
    found: list[Path] = []
    seen: set[tuple[int, int]] = set()
    level = _look(str(parent))[1]
    visited = 0
    for _depth in range(max_depth):
        below: list[os.DirEntry[str]] = []
        for entry in level:
            visited += 1
            if visited > MAX_FOLDERS:
                return _sorted(found, parent)
            try:
                st = entry.stat()
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            run, subfolders = _look(entry.path)
            if run:
                found.append(Path(entry.path))
            else:
                below.extend(subfolders)
        level = below
    return _sorted(found, parent)


def _sorted(runs: list[Path], parent: Path) -> list[Path]:
    return sorted(runs, key=lambda p: natural_key(run_name(p, parent)))


def run_name(run: Path, parent: Path) -> str:
    """The run's name: its path below ``parent`` (``lr-1e-4/seed-0``), or its folder name outside it."""
    try:
        name = run.relative_to(parent).as_posix()
    except ValueError:
        return run.name or str(run)
    return name if name not in ("", ".") else (parent.name or str(parent))
