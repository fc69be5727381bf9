"""A PARENT of runs: the workspace, or once a line per run (-u), a JSON list, the overlays (-p, -s).

:func:`workspace_mode` decides before any other mode: a folder that is no run itself but holds runs (found
by :mod:`trainmon_tui.workspace.finding`) opens the workspace, or with ``-u``, ``--format json``, ``-p``
or ``-s`` describes every run once; a single run folder goes on to today's modes unchanged.
``--compare A B C`` on a terminal, without ``-s``, opens the workspace on exactly those runs (piped, it
prints today's overlay).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from trainmon_tui.cli.check import thresholds_of
from trainmon_tui.cli.dashboard import is_terminal, stoppable
from trainmon_tui.cli.messages import CliError, say
from trainmon_tui.files.model import TrainerState
from trainmon_tui.health.monitor import HealthMonitor
from trainmon_tui.health.thresholds import DEFAULT, Thresholds
from trainmon_tui.pipeline import Snapshot
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.workspace.finding import find_runs, is_run
from trainmon_tui.workspace.model import Workspace, open_workspace


def parent_runs(outputs: Path) -> list[Path]:
    """The runs below ``outputs`` when it is no run itself; [] for a run folder (today's dashboard)."""
    try:
        if not outputs.is_dir() or is_run(outputs):
            return []
    except OSError:
        return []
    return find_runs(outputs)


def workspace_mode(
    args: argparse.Namespace, outputs: Path, explicit: Path | None, one_shot: bool
) -> int | None:
    """The exit status of the workspace mode the arguments ask for, or None: another mode's business."""
    if args.compare:
        if args.save_plot or not _on_terminal():
            return None  # today's one-shot overlay
        first = [args.checkpoint] if args.checkpoint else [explicit] if explicit else []
        runs = [*first, *args.compare]
        for path in runs:
            if not os.path.lexists(path):
                raise CliError(f"not found: {path}", 2)
        parent = Path(os.path.commonpath([os.path.abspath(p) for p in runs]))
        return stoppable(lambda: _open(args, parent, tuple(Path(os.path.abspath(p)) for p in runs)))
    if args.checkpoint or args.demo is not None:
        return None
    runs = parent_runs(outputs)
    if not runs:
        return None
    if not one_shot:
        return _open(args, outputs, None)
    if args.list_metrics or args.csv or args.metrics:
        raise CliError(
            f"{outputs} holds {len(runs)} runs: --list-metrics, --csv and --metrics read one run "
            f"(give its folder, e.g. {runs[0]}); -u, -p and -s describe them all",
            2,
        )
    workspace = open_workspace(outputs)
    if args.summary:
        print_runs(workspace, args.format, args.lang, thresholds_of(args))
    if args.plot:
        print_runs_plot(workspace, args.lang)
    if args.save_plot:
        save_runs_png(workspace, args.save_plot, args.lang, args.force)
    sys.stdout.flush()
    return 0


def _on_terminal() -> bool:
    return is_terminal(sys.stdin) and is_terminal(sys.stdout) and os.environ.get("TERM") != "dumb"


def _open(args: argparse.Namespace, parent: Path, runs: tuple[Path, ...] | None) -> int:
    try:
        from trainmon_tui.ui.workspace.options import WorkspaceOptions
        from trainmon_tui.ui.workspace.run import run_workspace
    except ImportError as exc:
        raise CliError(f"the workspace is not available ({exc}); use -u or -s") from None
    from trainmon_tui.cli.dashboard import dashboard_options
    from trainmon_tui.serve.session import exit_with_server, served_session

    served = served_session()  # a browser tab's session: PNGs go to the browser, nothing is written here
    if served:
        exit_with_server()
    export_dir = args.export_dir if args.export_dir is not None else Path(".")
    dashboard = dashboard_options(args, parent, None, served=served)
    options = WorkspaceOptions(parent, runs, args.lang, args.poll, export_dir, dashboard, deliver_png=served)
    return run_workspace(options)


def _alerts(snapshot: Snapshot | None, thresholds: Thresholds) -> list[dict[str, object]]:
    """The alerts that hold for one run, from a fresh monitor (as ``--check`` judges a run)."""
    if snapshot is None or snapshot.state is None:
        return []
    report = HealthMonitor(thresholds).update(snapshot.state, snapshot.live, snapshot.progress, time.time())
    return [alert.to_json() for alert in report.active]


def print_runs(workspace: Workspace, fmt: str, lang: Lang, thresholds: Thresholds = DEFAULT) -> None:
    """One line per run (a table), or a JSON list of the per-run summary objects (each with the alerts
    that hold, as one run's ``-u --format json`` has them)."""
    from trainmon_tui.cli.summary import print_json, rich_console
    from trainmon_tui.workspace.rows import row_json

    rows = workspace.rows()
    if fmt == "json":
        objects = []
        for row in rows:
            snapshot = workspace.snapshot(row.path)
            objects.append(row_json(row, snapshot) | {"alerts": _alerts(snapshot, thresholds)})
        print_json(objects)
        return
    from rich.table import Table
    from rich.text import Text

    from trainmon_tui.views.safetext import printable
    from trainmon_tui.workspace.cells import COLUMNS, NARROW_LEFT_OUT, STATUS_STYLES, cells, headers
    from trainmon_tui.workspace.config import differing

    keys = differing([row.config for row in rows])
    console = rich_console()
    names = [name for name, _ in COLUMNS] + keys
    kept = [i for i, name in enumerate(names) if console.width >= 120 or name not in NARROW_LEFT_OUT]
    table = Table(box=None, pad_edge=False, header_style="bold")
    heads = headers(keys, lang)
    for index in kept:
        width = 24 if index == 1 else None
        table.add_column(Text(heads[index]), no_wrap=True, overflow="ellipsis", max_width=width)
    for row in rows:
        texts = [Text(text) for text in cells(row, keys, lang)]
        texts[1].stylize(STATUS_STYLES[row.status])
        table.add_row(*(texts[i] for i in kept))
    console.print(Text(t("ws_title", lang, n=len(rows), path=printable(workspace.parent)), style="bold"))
    console.print(table)
    for row in rows:  # the whole reason, which the status column cuts short
        if row.status == "unreadable" and row.reason:
            console.print(
                Text(f"{printable(row.name)}: {printable(row.reason)}", style="red"), soft_wrap=True
            )


def _read_runs(workspace: Workspace) -> list[tuple[str, TrainerState]]:
    """(name, state) of every run that could be read, in the table's order."""
    return [
        (row.name, snapshot.state)
        for row in workspace.rows()
        if (snapshot := workspace.snapshot(row.path)) is not None and snapshot.state is not None
    ]


def print_runs_plot(workspace: Workspace, lang: Lang) -> None:
    """The four overlay charts of every run that could be read, in the terminal (the legend under the
    first chart)."""
    from trainmon_tui.cli.charts import chart_size, write_chart
    from trainmon_tui.views.chartdata import points_for_width
    from trainmon_tui.views.terminal import grid, overlay_text
    from trainmon_tui.workspace.export import curves_of
    from trainmon_tui.workspace.overlay import OVERLAYS, chart_title

    width, height = chart_size()
    curves = curves_of(_read_runs(workspace), points_for_width(width // 2))

    def draw(index: int, w: int, h: int) -> str:
        chart = OVERLAYS[index]
        triples = [(c.color, c.label, c.series) for c in curves[chart]]
        return overlay_text(chart_title(chart, lang), triples, w, h, lang, legend=index == 0, theme="clear")

    write_chart(grid(draw, width, height))


def save_runs_png(workspace: Workspace, target: Path, lang: Lang, force: bool) -> None:
    """The overlay charts of every run that could be read, as one image."""
    from trainmon_tui.cli.charts import writing_into
    from trainmon_tui.workspace.export import curves_of, save_overlay_png

    runs = _read_runs(workspace)
    with writing_into(target):
        path = save_overlay_png(curves_of(runs), target, workspace.parent, len(runs), lang, overwrite=force)
    say(f"saved: {path}")
