"""The runs table's columns and cells as text: the same for the workspace's table and ``-u`` on a PARENT.

:data:`COLUMNS` are the fixed columns (a label key each, from :mod:`trainmon_tui.views.i18n`); the
hyperparameters that differ (:func:`~.config.differing`) come after them. :func:`cells` writes one row:
``40 / 200``, ``20%``, losses by :mod:`~trainmon_tui.views.numfmt`'s rule, the best evaluation with its
step (``0.7148 @200``), the ETA and the age of the last update (``12s ago``). Text from files (a run's
name, a reason, a string hyperparameter) is made printable here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.numfmt import DASH, format_count, format_number
from trainmon_tui.views.report import fmt_duration, fmt_of
from trainmon_tui.views.safetext import printable
from trainmon_tui.workspace.config import format_value, short_name
from trainmon_tui.workspace.rows import RunRow, Status

# (the row's field to sort by, the header's label key)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", "ws_col_run"),
    ("status", "ws_col_status"),
    ("step", "ws_col_step"),
    ("fraction", "ws_col_pct"),
    ("loss", "ws_col_loss"),
    ("best_loss", "ws_col_best_loss"),
    ("best_eval", "ws_col_best_eval"),
    ("eta_seconds", "ws_col_eta"),
    ("last_update", "ws_col_updated"),
)
STATUS_LABELS: dict[Status, str] = {
    "running": "ws_running",
    "finished": "ws_finished",
    "stalled": "ws_stalled",
    "waiting": "ws_waiting",
    "unreadable": "ws_unreadable",
    "gone": "ws_gone",
}
STATUS_STYLES: dict[Status, str] = {
    "running": "green",
    "finished": "blue",
    "stalled": "yellow",
    "waiting": "dim",
    "unreadable": "red",
    "gone": "dim strike",
}
MAX_REASON = 60
NARROW_LEFT_OUT = ("best_loss", "last_update")  # what a table under 120 columns goes without


def headers(config_keys: Sequence[str], lang: Lang) -> list[str]:
    return [t(label, lang) for _, label in COLUMNS] + [printable(short_name(key)) for key in config_keys]


def status_text(row: RunRow, lang: Lang, most: int = MAX_REASON) -> str:
    """``running``, or ``unreadable — JSON ends early`` (the reason cut to ``most`` characters)."""
    label = t(STATUS_LABELS[row.status], lang)
    if row.nonfinite and row.status not in ("unreadable", "gone"):
        label += ", " + t("ws_nan", lang, n=row.nonfinite)  # a NaN loss: what a sweep's reader looks for
    if row.status == "unreadable" and row.reason:
        reason = printable(row.reason)
        reason = reason if len(reason) <= most else reason[: max(1, most - 1)] + "…"
        return f"{label} — {reason}"
    return label


def age(seconds: float | None, lang: Lang) -> str:
    """``42s ago``, then ``12m ago`` from a minute on (a table of 100 runs is not redrawn every second)."""
    if seconds is None:
        return DASH
    seconds = max(0.0, seconds)
    text = fmt_duration(seconds) if seconds < 60 or seconds >= 3600 else f"{int(seconds // 60)}m"
    return t("ws_ago", lang, time=text)


def cells(
    row: RunRow, config_keys: Sequence[str], lang: Lang, now: float | None = None, *, reason: int = MAX_REASON
) -> list[str]:
    """One row of the table as text, column by column (the reason of an unreadable run cut to ``reason``)."""
    now = time.time() if now is None else now
    best = DASH
    if row.best_eval is not None:
        best = format_number(row.best_eval)
        best += f" @{row.best_eval_step}" if row.best_eval_step is not None else ""
    loss = format_number(row.loss) if row.step is not None else DASH
    return [
        printable(row.name),
        status_text(row, lang, reason),
        fmt_of(format_count(row.step), format_count(row.max_steps)).replace(" / ", "/"),
        f"{row.fraction * 100:.0f}%" if row.fraction is not None else DASH,
        loss,
        format_number(row.best_loss),
        best,
        fmt_duration(row.eta_seconds) if row.status == "running" else DASH,
        age(now - row.last_update if row.last_update else None, lang),
        *(printable(format_value(row.config.get(key))) for key in config_keys),
    ]
