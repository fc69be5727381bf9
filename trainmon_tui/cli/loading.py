"""Finding the state a one-shot mode shows: the run in OUTPUTS (the pipeline), a checkpoint, a file."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from trainmon_tui.cli.messages import CliError, say, say_warnings
from trainmon_tui.files.discovery import Discovery, find_latest, resolve_target
from trainmon_tui.files.model import StateError, TrainerState
from trainmon_tui.files.safeopen import describe
from trainmon_tui.files.state import StateCache, load_state, settled
from trainmon_tui.views.i18n import Lang, t

if TYPE_CHECKING:
    from trainmon_tui.live.eta import Progress
    from trainmon_tui.live.livelog import LiveLog


def _no_checkpoint(outputs: Path, lang: Lang) -> CliError:
    """No ready checkpoint: the folder, then three hints on lines of their own."""
    hints = [f"  {n}. {t(key, lang)}" for n, key in enumerate(("hint_ran", "hint_path", "hint_file"), 1)]
    return CliError(t("no_checkpoint", lang, path=outputs), 1, more=tuple(hints))


@dataclass(frozen=True, slots=True)
class RunRead:
    """What a one-shot mode shows: the state, the run's progress, and the live log laid over the state."""

    state: TrainerState
    progress: Progress | None = None
    live: LiveLog | None = None


def load_run(outputs: Path, lang: Lang) -> tuple[TrainerState, Progress | None]:
    """The latest state with what the live log logged since, and the run's progress (see :func:`read_run`)."""
    run = read_run(outputs, lang)
    return run.state, run.progress


def read_run(outputs: Path, lang: Lang) -> RunRead:
    """The latest state with what the live log (``trainmon_log.jsonl``, or else the TensorBoard event files)
    logged since, the run's progress and that live log: the dashboard's own reading
    (:func:`~.pipeline.take_snapshot`, without chart data), its warnings said on stderr. A live log alone is
    enough before the first checkpoint.
    """
    if not outputs.is_dir():
        return RunRead(load_latest(outputs, lang))
    from trainmon_tui.live.source import LiveSource
    from trainmon_tui.pipeline import take_snapshot

    snapshot = take_snapshot(outputs, cache=StateCache(), follower=LiveSource(outputs), max_points=None)
    say_warnings(snapshot.warnings, lang)
    if snapshot.state is None:
        if snapshot.outputs_error is not None:  # the folder could not be listed: one line
            raise CliError(str(snapshot.outputs_error), 1)
        raise _no_checkpoint(outputs, lang)
    return RunRead(snapshot.state, snapshot.progress, snapshot.live)


def _discover(outputs: Path, lang: Lang) -> Discovery:
    """The checkpoints alone (``--compare`` draws what they saved), the unusable ones said as warnings."""
    from trainmon_tui.pipeline import run_warnings

    discovery = find_latest(outputs)
    now = time.time()
    say_warnings(run_warnings(outputs, [settled(error, now) for error in discovery.errors]), lang)
    return discovery


def _no_state(discovery: Discovery, outputs: Path, lang: Lang) -> NoReturn:
    """No state to show: the folder could not be listed (one line), or it holds no ready checkpoint."""
    if discovery.unreadable is not None:
        raise CliError(str(discovery.unreadable), 1)
    raise _no_checkpoint(outputs, lang)


def load_latest(outputs: Path, lang: Lang) -> TrainerState:
    """The latest ready state of an outputs folder (or the file itself when given a file)."""
    if not outputs.exists():
        raise CliError(f"outputs folder not found: {outputs}", 2)
    if outputs.is_file():
        return load_file(outputs)
    if not outputs.is_dir():  # a FIFO, a device, a socket
        kind = describe(outputs.stat().st_mode)
        raise CliError(f"{outputs}: is {kind}, not a folder or a regular file", 2)
    discovery = _discover(outputs, lang)
    if discovery.latest is None:
        _no_state(discovery, outputs, lang)
    return discovery.latest


def load_file(path: Path) -> TrainerState:
    try:
        return load_state(path)
    except StateError as exc:
        raise CliError(str(settled(exc, time.time())), 1) from None


def checkpoint_path(arg: Path, outputs: Path, *, inside_first: bool = False) -> Path:
    """``-c`` as given, or inside OUTPUTS (``-c checkpoint-500``, or just ``-c 500``).

    ``inside_first`` (OUTPUTS was given): a relative name means the one in OUTPUTS first, and when the
    current folder has one of that name too, a note says which was used.
    """
    inside: list[Path] = []
    if not arg.is_absolute():
        inside.append(outputs / arg)
        if arg.name.isdigit():
            inside.append(outputs / f"checkpoint-{arg.name}")
    tries = [*inside, arg] if inside_first else [arg, *inside]
    found = next((path for path in tries if path.exists()), None)
    if found is None:
        raise CliError(f"checkpoint not found: {arg} (looked for {', '.join(map(str, tries))})")
    if found is not arg and arg.exists() and not _same_file(found, arg):
        also = f"not the {arg} in the current folder (give its full path for that)"
        say(f"note: -c {arg}: using {found}, {also}")
    return resolve_target(found)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def load_source(path: Path, lang: Lang) -> TrainerState:
    """A --compare item: an outputs folder (its latest state), a checkpoint folder or a file."""
    if not path.exists():
        raise CliError(f"not found: {path}", 2)
    return load_file(path) if path.is_file() else load_latest(path, lang)
