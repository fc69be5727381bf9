"""Many runs kept current, each through the one-run pipeline: a change in one run costs that run only.

:class:`Workspace` holds, per run, what its own dashboard holds (a :class:`~trainmon_tui.files.state.
StateCache`, the :class:`~trainmon_tui.live.source.LiveSource` and the latest
:class:`~trainmon_tui.pipeline.Snapshot`) and the table row made from it. :meth:`Workspace.rescan` lists the
run folders again (names only: :mod:`.finding`), adds the new ones and marks the ones gone;
:meth:`Workspace.refresh` asks each run (or only the runs a watcher event concerns: :meth:`Workspace.route`)
for a snapshot with its previous fingerprint, so an unchanged run costs a ``scandir`` and a few ``stat``
calls and only a changed one is parsed again. No Textual: the app runs it in a thread worker, the command
line once.
"""

from __future__ import annotations

import os
import stat as stat_module
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from trainmon_tui.files.safeopen import describe
from trainmon_tui.files.state import StateCache
from trainmon_tui.live.progress import progress_for
from trainmon_tui.live.source import LiveSource
from trainmon_tui.pipeline import Snapshot, take_snapshot
from trainmon_tui.workspace.config import run_config
from trainmon_tui.workspace.finding import find_runs, natural_key, run_name
from trainmon_tui.workspace.rows import RunRow, Status, make_row, missing_row


@dataclass(slots=True)
class RunEntry:
    """One run as the workspace follows it: the pipeline's cache and live source, its snapshot, its row."""

    path: Path
    name: str
    cache: StateCache = field(default_factory=lambda: StateCache(capacity=2))
    source: LiveSource | None = None
    snapshot: Snapshot | None = None
    row: RunRow | None = None
    reads: int = 0  # snapshots taken that were new (the run was parsed again)
    slim: bool = False  # its series dropped (not selected): the row is all it keeps


class Workspace:
    """The runs under ``parent`` (found, or exactly ``runs`` when given), each kept current on demand.

    Thread-safety: one caller at a time (the app runs it in one worker group); rows are immutable, so
    :meth:`rows` may be read while a refresh runs.
    """

    def __init__(self, parent: Path, runs: Sequence[Path] | None = None, *, tensorboard: bool = True) -> None:
        self.parent = parent
        self.fixed = list(runs) if runs is not None else None  # --compare A B C: exactly those
        self.tensorboard = tensorboard
        self.entries: dict[Path, RunEntry] = {}
        self._lock = threading.Lock()
        self.rescans = 0
        self.keep: set[Path] | None = None  # the runs whose series are kept; None: every run's
        # Until ``keep`` is set: keep the series of the first this many readable runs only (those the app
        # selects at start), so the first read neither holds every run nor reads the selected ones twice.
        self.keep_first: int | None = None
        self._kept_first = 0

    # --- which runs ----------------------------------------------------------------------------------

    def rescan(self) -> list[Path]:
        """List the run folders again: new ones are added (and returned), vanished ones are marked gone."""
        self.rescans += 1
        found = self.fixed if self.fixed is not None else find_runs(self.parent)
        added = []
        with self._lock:
            for path in found:
                if path not in self.entries:
                    name = run_name(path, self.parent) if self.fixed is None else ""
                    self.entries[path] = RunEntry(path, name)
                    added.append(path)
            if self.fixed is not None:
                self._name_fixed()
        return added

    def _name_fixed(self) -> None:
        from trainmon_tui.views.compare import distinct_labels

        paths = list(self.entries)
        for entry, label in zip(self.entries.values(), distinct_labels(paths), strict=True):
            entry.name = label

    def route(self, changed: str) -> Path | None:
        """The run a changed path belongs to (the longest run folder it is inside), or None."""
        best: Path | None = None
        for path in self.entries:
            text = str(path)
            if (changed == text or changed.startswith(text + os.sep)) and (
                best is None or len(text) > len(str(best))
            ):
                best = path
        return best

    # --- reading -------------------------------------------------------------------------------------

    def refresh(self, only: Iterable[Path] | None = None, *, now: float | None = None) -> list[Path]:
        """Take a new snapshot of every run (or of ``only``); the runs whose row changed."""
        now = time.time() if now is None else now
        targets = list(self.entries) if only is None else [p for p in only if p in self.entries]
        changed = []
        for path in targets:
            entry = self.entries[path]
            before = entry.row
            self._refresh_one(entry, now)
            if entry.row != before:
                changed.append(path)
        return changed

    def _refresh_one(self, entry: RunEntry, now: float) -> None:
        problem = _not_a_folder(entry.path, allow_file=self.fixed is not None)
        if problem is not None:
            status: Status = "gone" if problem == "gone" else "unreadable"
            reason = "" if status == "gone" else problem
            if entry.row is None or entry.row.status != status or entry.row.reason != reason:
                entry.row = missing_row(entry.name, entry.path, status, reason, entry.row)
            entry.snapshot, entry.source = None, None  # read from scratch should it come back
            return
        if entry.source is None:
            entry.source = LiveSource(entry.path, tensorboard=self.tensorboard)
        previous = entry.snapshot.fingerprint if entry.snapshot is not None else None
        snapshot = take_snapshot(
            entry.path, cache=entry.cache, follower=entry.source, max_points=None, previous=previous, now=now
        )
        if snapshot is None:  # nothing changed on disk: time moves on, the progress may not
            self._tick(entry, now)
            return
        entry.reads += 1
        entry.snapshot, entry.slim = snapshot, False
        entry.row = make_row(entry.name, entry.path, snapshot, run_config(snapshot.state, snapshot.live))
        if self.keep is not None and entry.path not in self.keep:
            self._slim(entry)
        elif self.keep is None and self.keep_first is not None and snapshot.state is not None:
            if self._kept_first < self.keep_first:
                self._kept_first += 1
            else:
                self._slim(entry)

    # --- memory --------------------------------------------------------------------------------------

    def set_keep(self, paths: Iterable[Path]) -> list[Path]:
        """Keep the series of these runs only (the selected ones): the others keep their row, their
        cache and series are dropped. Returns the runs to read again (kept now, but slim)."""
        self.keep = set(paths)
        again = []
        for path, entry in self.entries.items():
            if path in self.keep and entry.slim:
                entry.snapshot, entry.cache, entry.slim = None, StateCache(capacity=2), False
                again.append(path)
            elif path not in self.keep and not entry.slim and entry.snapshot is not None:
                self._slim(entry)
        return again

    @staticmethod
    def _slim(entry: RunEntry) -> None:
        """What a run not selected keeps: its fingerprint, summary and progress, a state without series."""
        snapshot = entry.snapshot
        if snapshot is None or snapshot.state is None:
            return
        entry.snapshot = replace(snapshot, state=replace(snapshot.state, series={}), charts=None)
        entry.cache = StateCache(capacity=1)  # the next change is read whole: this run's cost only
        entry.slim = True

    def _tick(self, entry: RunEntry, now: float) -> None:
        """ "Last update", the ETA and "stalled" recomputed from the snapshot in memory (no file read)."""
        snapshot = entry.snapshot
        if snapshot is None or entry.row is None:
            return
        progress = progress_for(snapshot.state, snapshot.live, snapshot.checkpoint_times, now)
        if progress != snapshot.progress:
            entry.snapshot = replace(snapshot, progress=progress)
            row = make_row(entry.name, entry.path, entry.snapshot, entry.row.config)
            if entry.slim:  # the best evaluation came from the series, dropped since
                old = entry.row
                row = replace(row, best_eval=old.best_eval, best_eval_step=old.best_eval_step,
                              best_eval_key=old.best_eval_key)  # fmt: skip
            entry.row = row

    # --- what is shown -------------------------------------------------------------------------------

    def rows(self) -> list[RunRow]:
        """Every run's row, in the order found (runs not read yet as "waiting")."""
        with self._lock:
            entries = list(self.entries.values())
        rows = [e.row if e.row is not None else RunRow(e.name, e.path, "waiting") for e in entries]
        return rows if self.fixed is not None else sorted(rows, key=lambda r: natural_key(r.name))

    def snapshot(self, path: Path) -> Snapshot | None:
        entry = self.entries.get(path)
        return entry.snapshot if entry is not None else None


def _not_a_folder(path: Path, *, allow_file: bool = False) -> str | None:
    """None for a folder (or a state file given as a run: ``allow_file``); "gone" when it no longer
    exists; else why it cannot be a run (one line)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "gone"
    except OSError as exc:
        return f"cannot read: {(exc.strerror or str(exc)).lower()}"
    if stat_module.S_ISDIR(mode) or (allow_file and stat_module.S_ISREG(mode)):
        return None
    what = "a file" if stat_module.S_ISREG(mode) else describe(mode)
    return f"is {what} now, not a run folder"


def open_workspace(parent: Path, runs: Sequence[Path] | None = None) -> Workspace:
    """A workspace with every run found and read once (the command line's one-shot modes)."""
    workspace = Workspace(parent, runs)
    workspace.rescan()
    workspace.refresh()
    return workspace
