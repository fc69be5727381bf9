"""What a run could not use, as data: :class:`RunWarning`, one per state, live log or chart problem.

The dashboard and the command line each show them their own way; :func:`run_warnings` makes them from one
reload's errors, in the order to show them (the states, the charts, the live log).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from trainmon_tui.files.model import STATE_FILE, ErrorKind, StateError
from trainmon_tui.live.livelog import LiveLog

# Textual's notification levels, by name (the core never imports Textual): "information" for what is being
# written now and is retried quietly, "warning" for what stays skipped until someone fixes the file.
Severity = Literal["information", "warning", "error"]
# What a warning is about: a state file (or the listing of one), the live log or event files, the charts.
WarningSource = Literal["state", "live", "charts"]


@dataclass(frozen=True, slots=True)
class RunWarning:
    """One thing the run could not use, as data: the dashboard and the command line each show it their way.

    ``str()`` is the dashboard's line: ``checkpoint-3: JSON ends early ...``, the file relative to OUTPUTS.
    Text in ``shown`` and ``reason`` comes from disk (paths, file content): make it printable before a
    terminal sees it.
    """

    source: WarningSource
    path: Path | None  # the file as opened; None for what is no file's fault (the charts)
    shown: str  # that file relative to OUTPUTS when inside it, a state by its checkpoint folder; "" for none
    reason: str  # why, one line
    heals: bool  # half-written, being saved right now: waiting (a retry) will most likely fix it
    severity: Severity

    def __str__(self) -> str:
        return f"{self.shown}: {self.reason}" if self.shown else self.reason


def charts_warning(error: str) -> RunWarning:
    return RunWarning("charts", None, "", error, heals=False, severity="warning")


def run_warnings(
    outputs: Path,
    errors: list[StateError],
    *,
    outputs_error: StateError | None = None,
    charts_error: str | None = None,
    live: LiveLog | None = None,
) -> tuple[RunWarning, ...]:
    """The warnings of one reload: the states not used, the charts not prepared, the live log's problems.
    A state tried twice (pinned, then as the latest) is said once."""
    errors = list({(error.path, error.reason): error for error in errors}.values())
    warnings = [
        RunWarning(
            "state",
            error.path,
            _shown(error.path, outputs),
            error.reason,
            heals=error.kind is ErrorKind.INCOMPLETE,
            severity="information" if error.kind is ErrorKind.INCOMPLETE else "warning",
        )
        for error in errors
        if error is not outputs_error and error.kind is not ErrorKind.MISSING
    ]
    if charts_error is not None:
        warnings.append(charts_warning(charts_error))
    if live is not None and (live.error or live.bad_lines):
        why = live.error or f"{live.bad_lines} bad line(s) skipped, {live.first_error}"
        warnings.append(
            RunWarning("live", live.path, below(live.path, outputs), why, heals=False, severity="warning")
        )
    return tuple(warnings)


def _file_or_folder(path: Path) -> Path:
    """A checkpoint's state file named by its folder (``checkpoint-10``); other files as they are."""
    return path.parent if path.name == STATE_FILE else path


def _shown(path: Path, outputs: Path) -> str:
    """A state file as a warning names it: by its checkpoint folder, the root one by its own name
    (``trainer_state.json``, not ``.``), anything else as :func:`below` says."""
    folder = _file_or_folder(path)
    if folder == outputs and path != outputs:
        return path.name
    return below(folder, outputs)


def below(path: Path, outputs: Path) -> str:
    """``path`` relative to the outputs folder when it is inside it (``checkpoint-10/trainer_state.json``);
    as given when it is OUTPUTS itself (a file given as OUTPUTS, never ``.``) or outside it."""
    if path == outputs:
        return str(path)
    try:
        return str(path.relative_to(outputs))
    except ValueError:
        return str(path)
