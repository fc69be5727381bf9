"""Everything the dashboard shows at one moment, computed in one go off the event loop.

:func:`take_snapshot` looks at the outputs folder (one ``scandir`` and a few ``stat`` calls), returns None
when nothing the dashboard shows has changed, and otherwise parses what it must (through a
:class:`~trainmon_tui.files.state.StateCache`, so a checkpoint is parsed once) and prepares the summary and
the chart data. It is the dashboard's whole reload, with no Textual in it, and ``--summary``'s and
``--plot``'s reading of a run too (without chart data): the two sides see the same run and the same
:class:`RunWarning` list, and only word it their own way.
"""

from __future__ import annotations

import os
import stat as stat_module
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import overload

from trainmon_tui.files.discovery import Candidate, checkpoint_times, find_latest, list_checkpoints, root_step
from trainmon_tui.files.model import ErrorKind, StateError, TrainerState
from trainmon_tui.files.safeopen import describe
from trainmon_tui.files.state import StateCache, settled
from trainmon_tui.health.alerts import with_marks
from trainmon_tui.health.monitor import HealthMonitor, HealthReport
from trainmon_tui.live.eta import Progress
from trainmon_tui.live.follower import LiveLogFollower
from trainmon_tui.live.livelog import LiveLog
from trainmon_tui.live.merge import merge_live
from trainmon_tui.live.progress import progress_for
from trainmon_tui.live.source import LiveSource, fill_plan
from trainmon_tui.pipeline.runwarnings import RunWarning, charts_warning, run_warnings
from trainmon_tui.views.chartdata import ChartData, prepare
from trainmon_tui.views.controls import OVERVIEW, Controls
from trainmon_tui.views.stats import Summary, summarize
from trainmon_tui.views.xaxis import XAxis, live_times

Fingerprint = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class Snapshot:
    outputs: Path
    state: TrainerState | None  # the checkpoint's state with the live log's newer steps laid over it
    summary: Summary | None
    charts: ChartData | None
    candidates: list[Candidate]
    errors: list[StateError] = field(default_factory=list)
    fingerprint: Fingerprint = ()
    folder_exists: bool = True
    outputs_file: bool = False  # OUTPUTS is a regular file, read as the state
    # OUTPUTS itself cannot be used (it cannot be listed, or is a FIFO or device): the reason to show
    # instead of "waiting for the first checkpoint". Also in ``errors``.
    outputs_error: StateError | None = None
    pinned_missing: bool = False  # the checkpoint asked for is gone (rotated away)
    checkpoint: str | None = None  # the checkpoint (or root state) read, before the live log
    checkpoint_step: int | None = None  # its global_step
    live: LiveLog | None = None
    progress: Progress | None = None
    checkpoint_times: tuple[tuple[int, float], ...] = ()
    max_points: int = 0  # what the chart data was downsampled for
    controls: Controls = OVERVIEW  # the overview's chart controls it was prepared with
    # The chart data could not be prepared (a bug, not the file's fault): the state and summary are still
    # shown, the charts say "no data", and this one line says why. Also in ``warnings``.
    charts_error: str | None = None
    # What could not be used, in the order to show it: the states (half-written ones with heals=True),
    # the charts, the live log. Not ``outputs_error``: that is no warning but the reason nothing is shown.
    warnings: tuple[RunWarning, ...] = ()
    # The alerts, from the monitor the caller keeps between snapshots (None: no monitor, or pinned)
    health: HealthReport | None = None

    @property
    def incomplete(self) -> bool:
        """A newer state is being written right now: worth a quick retry."""
        return any(e.kind is ErrorKind.INCOMPLETE for e in self.errors)

    @property
    def lasting_warnings(self) -> tuple[RunWarning, ...]:
        """The warnings that will not heal by waiting: what the dashboard keeps on screen."""
        return tuple(w for w in self.warnings if not w.heals)


def _stat_key(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


def fingerprint(outputs: Path, candidates: list[Candidate], pinned: Path | None) -> Fingerprint:
    """What decides the picture: the checkpoint names, and size and mtime of the files that may be shown."""
    watched = [c.path for c in candidates[-2:]] + [c.path for c in candidates if c.is_root]
    if pinned is not None:
        watched.append(pinned)
    return (
        tuple(c.name for c in candidates),
        tuple((str(p), _stat_key(p)) for p in watched),
        pinned,
    )


def _outputs_not_a_folder(outputs: Path) -> tuple[Path | None, StateError | None]:
    """OUTPUTS that exists but is no folder: a regular file is read as the state (as ``--summary`` does);
    a FIFO, device or socket is an error. Nothing (None, None) when it does not exist (yet)."""
    try:
        mode = os.stat(outputs).st_mode
    except OSError:
        return None, None
    if stat_module.S_ISREG(mode):
        return outputs, None
    return None, StateError(outputs, f"is {describe(mode)}, not a folder or a regular file")


@overload
def take_snapshot(
    outputs: Path,
    *,
    pinned: Path | None = ...,
    cache: StateCache,
    follower: LiveLogFollower | LiveSource | None = ...,
    max_points: int | None = ...,
    previous: None = ...,
    now: float | None = ...,
    reuse: Snapshot | None = ...,
    controls: Controls = ...,
    monitor: HealthMonitor | None = ...,
) -> Snapshot: ...
@overload
def take_snapshot(
    outputs: Path,
    *,
    pinned: Path | None = ...,
    cache: StateCache,
    follower: LiveLogFollower | LiveSource | None = ...,
    max_points: int | None = ...,
    previous: Fingerprint | None,
    now: float | None = ...,
    reuse: Snapshot | None = ...,
    controls: Controls = ...,
    monitor: HealthMonitor | None = ...,
) -> Snapshot | None: ...
def take_snapshot(
    outputs: Path,
    *,
    pinned: Path | None = None,
    cache: StateCache,
    follower: LiveLogFollower | LiveSource | None = None,
    max_points: int | None = 400,
    previous: Fingerprint | None = None,
    now: float | None = None,
    reuse: Snapshot | None = None,
    controls: Controls = OVERVIEW,
    monitor: HealthMonitor | None = None,
) -> Snapshot | None:
    """The run as it stands now: the dashboard's reload, and the command line's reading of a folder.

    None when the fingerprint equals ``previous`` (nothing to redraw); never None without ``previous``.

    With a ``follower`` (and no pinned checkpoint) the live log's records since the checkpoint are merged in
    (a :class:`~.tbevents.LiveSource` falls back to the TensorBoard event files when there is no live log).
    ``reuse`` (the snapshot on screen) lends its summary and chart data when the state is the very same
    object (a cache hit: rotation changed the listing, not the data) and the width and ``controls`` (the
    overview charts', :mod:`~trainmon_tui.views.controls`) are the same.
    ``max_points=None``: no chart data (a one-shot mode prepares its own, at its own size).
    ``monitor`` (kept by the caller between snapshots) is fed the run's new entries, unless a checkpoint
    is pinned (the alerts are the run's, not an old checkpoint's).
    """
    folder_exists = os.path.isdir(outputs)
    errors: list[StateError] = []
    outputs_error: StateError | None = None
    if not folder_exists and pinned is None:
        pinned, outputs_error = _outputs_not_a_folder(outputs)
    outputs_file = not folder_exists and pinned == outputs
    candidates = list_checkpoints(outputs) if folder_exists else []
    live = follower.poll() if follower is not None and pinned is None else None
    live_mark = (live.offset, live.lines, live.exists) if live is not None else None
    print_ = (*fingerprint(outputs, candidates, pinned), folder_exists, live_mark)
    if previous is not None and print_ == previous:
        return None
    state: TrainerState | None = None
    pinned_missing = False
    if pinned is not None:
        try:
            state = cache.load(pinned)
        except StateError as exc:
            if exc.kind is ErrorKind.MISSING:
                pinned_missing = True
            else:
                errors.append(exc)
    if state is None and folder_exists:
        found = find_latest(outputs, cache)
        state, errors = found.latest, errors + found.errors
        outputs_error = found.unreadable
    checkpoint = state.name if state is not None else None
    checkpoint_step = state.global_step if state is not None else None
    if live is not None and not live.empty:
        live = fill_plan(live, state)
        state = merge_live(state, live)
    times = checkpoint_times(candidates, root_step(candidates, cache))
    points = 0 if max_points is None else max_points
    same_state = reuse is not None and state is not None and reuse.state is state
    if reuse is not None and same_state and reuse.max_points == points and reuse.controls == controls:
        summary, charts, charts_error = reuse.summary, reuse.charts, reuse.charts_error
    else:
        summary = summarize(state) if state is not None else None
        charts, charts_error = prepare_charts(state, max_points, controls, live)
    clock = time.time() if now is None else now
    errors = [settled(error, clock) for error in errors]  # cut short long ago: no longer "being written"
    all_errors = [*errors, outputs_error] if outputs_error is not None else errors
    progress = progress_for(state, live, times, clock)
    health = monitor.update(state, live, progress, clock) if monitor is not None and pinned is None else None
    charts = with_marks(charts, health.history) if health is not None else charts
    return Snapshot(
        outputs=outputs,
        state=state,
        summary=summary,
        charts=charts,
        candidates=candidates,
        errors=all_errors,
        fingerprint=print_,
        folder_exists=folder_exists,
        outputs_file=outputs_file,
        outputs_error=outputs_error,
        pinned_missing=pinned_missing,
        checkpoint=checkpoint,
        checkpoint_step=checkpoint_step,
        live=live,
        progress=progress,
        checkpoint_times=times,
        max_points=points,
        controls=controls,
        charts_error=charts_error,
        warnings=run_warnings(
            outputs, all_errors, outputs_error=outputs_error, charts_error=charts_error, live=live
        ),
        health=health,
    )


def prepare_charts(
    state: TrainerState | None,
    max_points: int | None,
    controls: Controls = OVERVIEW,
    live: LiveLog | None = None,
) -> tuple[ChartData | None, str | None]:
    """The chart data, or why there is none: one chart's bug never hides the state and its summary.
    ``live``: the live log, whose record times the wall-time axis needs."""
    if state is None or max_points is None:
        return None, None
    try:
        times = live_times(live) if controls.axis is XAxis.TIME else None
        return prepare(state, max_points, controls=controls, times=times), None
    except Exception as exc:  # shown in the dashboard, and the reload goes on
        return None, f"charts: cannot prepare ({type(exc).__name__}: {exc})"


def with_charts(
    snapshot: Snapshot,
    charts: ChartData | None,
    error: str | None,
    max_points: int,
    controls: Controls = OVERVIEW,
) -> Snapshot:
    """``snapshot`` with chart data prepared again (for another width or controls), its charts warning
    with it."""
    kept = [w for w in snapshot.warnings if w.source != "charts"]
    if charts is not None and snapshot.charts is not None:  # the alerts' markers stay
        charts = replace(charts, alert_marks=snapshot.charts.alert_marks)
    if error is not None:  # in the reload's order: the states, the charts, the live log
        at = next((i for i, w in enumerate(kept) if w.source == "live"), len(kept))
        kept.insert(at, charts_warning(error))
    return replace(
        snapshot,
        charts=charts,
        charts_error=error,
        max_points=max_points,
        controls=controls,
        warnings=tuple(kept),
    )
