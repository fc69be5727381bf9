"""``--list-metrics`` as a Rich table: a row per series, keys as text (never markup), numbers as in ``-u``.

Columns: the key, its number of points, its first and last step (``5–200``, one column so that the key
keeps room), its last value (as logged: ``NaN`` when the newest point is NaN), its min and max over the
finite values, and a ``nan/inf`` count only when a series has such points. The key column folds long
keys onto more lines when the console is too narrow for them, so the numbers keep their width. Keys come
from the file: :func:`~.safetext.printable`, inside :class:`rich.text.Text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.metriclist import MetricInfo
from trainmon_tui.views.numfmt import format_count, format_number
from trainmon_tui.views.safetext import printable

if TYPE_CHECKING:
    from rich.table import Table

_HEADERS: dict[str, str] = {  # column -> its label in views/i18n.py
    "key": "list_key",
    "count": "list_count",
    "nonfinite": "list_nonfinite",
    "steps": "list_steps",
    "last": "list_last",
    "min": "list_min",
    "max": "list_max",
}


def header(name: str, lang: Lang = "en") -> str:
    return t(_HEADERS[name], lang)


def metric_row(info: MetricInfo, *, nonfinite: bool) -> list[str]:
    """The cells after the key, as the summary writes numbers (``-`` for unknown)."""
    steps = format_count(info.first_step)
    if info.last_step != info.first_step:
        steps += f"–{format_count(info.last_step)}"
    cells = [format_count(info.count), steps]
    cells += [format_number(value) for value in (info.last, info.min, info.max)]
    return [*cells, format_count(info.nonfinite)] if nonfinite else cells


def metrics_table(infos: Sequence[MetricInfo], lang: Lang = "en") -> Table:
    """The table of ``infos`` (in their order)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    nonfinite = any(info.nonfinite for info in infos)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
    table.add_column(Text(header("key", lang)), overflow="fold", min_width=12)
    numbers = ["count", "steps", "last", "min", "max", *(["nonfinite"] if nonfinite else [])]
    for name in numbers:
        table.add_column(Text(header(name, lang)), justify="right", no_wrap=True)
    for info in infos:
        table.add_row(Text(printable(info.key)), *map(Text, metric_row(info, nonfinite=nonfinite)))
    return table
