"""``--list-metrics`` (a table, or JSON) and ``--csv PATH`` (a wide CSV): the run's series as data.

Both take every numeric series of the state shown (the run with its live log, ``-c CHECKPOINT``, or a
file), or those ``--metrics`` picks (:mod:`.picking`). In a terminal the table fits it, long keys
folded; into a pipe or a file it is as wide as it needs, one line per key. ``--csv`` checks its target
before the run is read (:func:`check_csv_target`): an existing path or a missing folder is one line and
exit code 1, and nothing is written; the exclusive create (``"x"``) refuses a file that appears in
between, too.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from trainmon_tui.cli.messages import CliError, say
from trainmon_tui.cli.picking import pick_keys
from trainmon_tui.cli.summary import print_json, rich_console
from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.metriclist import list_metrics


def print_metric_list(state: TrainerState, patterns: Sequence[str] | None, fmt: str, lang: Lang) -> None:
    """The series as a table on stdout, or one JSON object: ``source``, ``checkpoint``, ``global_step``
    and ``metrics`` (a list of :meth:`~trainmon_tui.views.metriclist.MetricInfo.to_json`)."""
    infos = list_metrics(state, pick_keys(state, patterns, charts=False))
    if fmt == "json":
        print_json(
            {
                "source": str(state.source),
                "checkpoint": state.checkpoint,
                "global_step": state.global_step,
                "metrics": [info.to_json() for info in infos],
            }
        )
        return
    from trainmon_tui.views.metrictable import metrics_table

    if not infos:
        say("no numeric series in this state")
        return
    console, table = rich_console(), metrics_table(infos, lang)
    if not console.is_terminal:  # a pipe or a file: whole keys for grep and awk, however wide
        from rich.measure import Measurement

        wide = Measurement.get(console, console.options.update(max_width=100_000), table)
        console.width = max(console.width, wide.maximum)
    console.print(table)


def check_csv_target(path: Path) -> None:
    """Before any work: never overwrite, and the folder must exist and be writable (CliError, exit 1)."""
    if os.path.lexists(path):
        raise CliError(f"{path} already exists; not overwriting it (choose another name)")
    folder = path.parent
    if not folder.is_dir():
        raise CliError(f"cannot write {path}: folder {folder} not found")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"not writable: {folder}")


def write_csv(state: TrainerState, path: Path, patterns: Sequence[str] | None) -> None:
    """The chosen series as a wide CSV at ``path`` (a new file); says where, and its rows and columns."""
    from trainmon_tui.views.widecsv import write_wide_csv

    keys = pick_keys(state, patterns, charts=False)
    try:
        written = write_wide_csv(path, state.series, keys)
    except FileExistsError:
        raise CliError(f"{path} already exists; not overwriting it (choose another name)") from None
    except PermissionError:
        raise CliError(f"not writable: {path.parent}") from None
    series = len(written.keys)
    say(f"saved: {written.path} ({written.rows} rows, {series + 1} columns: step and {series} series)")
