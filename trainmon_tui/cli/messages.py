"""The command line's messages: one line each on stderr, made printable, and the error that ends a mode."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable

if TYPE_CHECKING:
    from trainmon_tui.pipeline import RunWarning

PROG = "trainmon-tui"


class CliError(Exception):
    """A user's mistake or a missing file: printed (no traceback), then exit with ``code``; ``more`` are
    further lines (hints)."""

    def __init__(self, message: str, code: int = 1, *, more: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.more = more


def say(*lines: str) -> None:
    """Every message to stderr goes through here: one line each, with the control characters of the paths
    and file text it quotes made visible (:func:`~trainmon_tui.views.safetext.printable`), never sent."""
    if sys.stderr is None:  # started with stderr closed (2>&-): print() would write into stdout's data
        return
    for line in lines:
        print(printable(line), file=sys.stderr)


def error(message: str, *more: str) -> None:
    say(f"{PROG}: error: {message}", *more)


def say_warnings(warnings: Iterable[RunWarning], lang: Lang) -> None:
    """One ``skipped:`` line each, with the file's path as given (half-written ones too: no retry here)."""
    for warning in warnings:
        where = f"{warning.path}: " if warning.path is not None else ""
        say(f"{t('skipped', lang)}: {where}{warning.reason}")
