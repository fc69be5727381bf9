"""What the workspace shows, as data kept across a run's dashboard: selection, sort, filter, colours.

:class:`WorkspaceView` is carried in-process from one workspace app to the next (``enter`` opens a run's
dashboard, escape comes back), so the table reopens as it was left. :func:`arrange` is the table's order
and filter applied to the rows: no Textual, so it is tested as data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.xaxis import XAxis
from trainmon_tui.workspace.cells import COLUMNS, status_text
from trainmon_tui.workspace.config import format_value, short_name
from trainmon_tui.workspace.rows import RunRow

SELECTED_AT_START = 4


@dataclass(slots=True)
class WorkspaceView:
    selected: set[Path] = field(default_factory=set)
    sort_column: str = "name"
    descending: bool = False
    filter: str = ""
    cursor: Path | None = None  # the run the cursor is on
    chart: int = 0  # the chart shown when only one fits
    axis: XAxis = XAxis.STEP  # the overlays' x-axis
    metric: str = "grad_norm"  # the fourth chart's key (``k`` picks another)
    # A colour index per run, given the first time it is selected (so the first colours go to the runs
    # drawn), then kept for the run's life.
    colors: dict[Path, int] = field(default_factory=dict)
    started: bool = False  # the first runs were selected already

    def color(self, path: Path) -> int:
        if path not in self.colors:
            self.colors[path] = len(self.colors)
        return self.colors[path]

    def select_first(self, rows: Sequence[RunRow]) -> None:
        """At start, the first few runs that can be read are selected (once: later it is the user's)."""
        if self.started or not rows:
            return
        self.started = True
        readable = [row.path for row in rows if row.status not in ("unreadable", "gone", "waiting")]
        self.selected.update(readable[:SELECTED_AT_START])
        for path in readable[:SELECTED_AT_START]:
            self.color(path)


def columns(config_keys: Sequence[str]) -> list[str]:
    """The sortable columns: the fixed ones, then the hyperparameters that differ."""
    return [name for name, _ in COLUMNS] + list(config_keys)


def matches(row: RunRow, terms: Sequence[str], lang: Lang) -> bool:
    """Every term is in the run's name, its status or one of its hyperparameters as ``key=value`` (by its
    full or its short name: ``learning_rate=0.0001``, ``lr=0.0001``), case ignored."""
    if not terms:
        return True
    pairs = [f"{k}={format_value(v)} {short_name(k)}={format_value(v)}" for k, v in row.config.items()]
    haystack = " ".join([row.name, status_text(row, lang), *pairs]).lower()
    return all(term in haystack for term in terms)


def arrange(rows: Sequence[RunRow], view: WorkspaceView, lang: Lang) -> list[RunRow]:
    """The rows the table shows: filtered, then sorted by the view's column (unknown values last)."""
    terms = view.filter.lower().split()
    shown = [row for row in rows if matches(row, terms, lang)]
    column = view.sort_column
    known = [row for row in shown if row.sort_value(column)[0] == 0]
    unknown = [row for row in shown if row.sort_value(column)[0] != 0]
    try:
        known.sort(key=lambda row: row.sort_value(column), reverse=view.descending)
    except TypeError:  # a hyperparameter that is a number in one run and text in another
        known.sort(key=lambda row: str(row.sort_value(column)[1]), reverse=view.descending)
    return known + unknown
