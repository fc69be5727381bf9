"""The command line: parse the arguments, then hand over to one mode (the dashboard or a one-shot one).

With no mode flag it opens the live dashboard. ``--summary``, ``--plot``, ``--save-plot``, ``--compare``,
``--list-metrics`` and ``--csv`` run the core once and exit; they never import Textual, and only
``--save-plot`` imports matplotlib. Data goes to stdout (the summary, the charts, the JSON object);
messages go to stderr, one line each (:mod:`.messages`). Each mode lives in a module of its own:
:mod:`.args` (the parser), :mod:`.loading` (the state shown), :mod:`.summary`, :mod:`.charts` (plot, PNG,
compare), :mod:`.metriclist` (list, CSV), :mod:`.metriccharts` (``-p`` / ``-s`` with ``--metrics``, whose
series :mod:`.picking` picks), :mod:`.check` (``--check``), :mod:`.dashboard`.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path

from trainmon_tui.cli.args import build_parser, check_args, one_shot_mode
from trainmon_tui.cli.charts import check_target, compare, print_plot, save_plot
from trainmon_tui.cli.check import alerts_json, health_of, run_check
from trainmon_tui.cli.config import apply_config, print_config
from trainmon_tui.cli.dashboard import (
    check_terminal,
    demo_folder,
    interrupted_code,
    open_dashboard,
    stoppable,
)
from trainmon_tui.cli.loading import RunRead, checkpoint_path, load_file, load_run, read_run
from trainmon_tui.cli.messages import CliError, error
from trainmon_tui.cli.metriccharts import Picked, pick_charts, print_metrics_plot, save_metrics_plot
from trainmon_tui.cli.metriclist import check_csv_target, print_metric_list, write_csv
from trainmon_tui.cli.serve import serve_dashboard
from trainmon_tui.cli.summary import print_summary, tolerant_stdout
from trainmon_tui.cli.workspace import workspace_mode

__all__ = ["load_run", "main", "read_run"]  # the run in OUTPUTS as --summary reads it (tests use them)

DEFAULT_OUTPUTS = Path("outputs")


def run(args: argparse.Namespace) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    outputs = explicit or DEFAULT_OUTPUTS
    one_shot = one_shot_mode(args)
    if not one_shot and args.serve is None:  # a server needs no terminal; its tabs are the browser's
        check_terminal()
    if args.save_plot is not None:
        check_target(args.save_plot, args.force)
    if args.csv is not None:
        check_csv_target(args.csv)
    if not one_shot or args.demo is not None:  # the dashboard, or the demo's temporary folder: clean up
        return stoppable(partial(_run_modes, args, outputs, one_shot))
    return _run_modes(args, outputs, one_shot)


def _run_modes(args: argparse.Namespace, outputs: Path, one_shot: bool) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    with demo_folder(args, outputs, one_shot) as outputs:
        code = workspace_mode(args, outputs, explicit, one_shot)  # PARENT of several runs, or --compare
        if code is not None:
            return code
        inside_first = explicit is not None
        checkpoint = (
            checkpoint_path(args.checkpoint, outputs, inside_first=inside_first) if args.checkpoint else None
        )
        if args.serve is not None:
            return serve_dashboard(args, outputs, checkpoint)
        if not one_shot:
            return open_dashboard(args, outputs, checkpoint)
        run: RunRead | None = None
        if args.check:
            run = RunRead(load_file(checkpoint)) if checkpoint else read_run(outputs, args.lang)
            return run_check(run, checkpoint or outputs, args)
        reads = args.summary or args.plot or args.list_metrics or args.csv
        if reads or (args.save_plot and not args.compare):
            run = RunRead(load_file(checkpoint)) if checkpoint else read_run(outputs, args.lang)
        picked: Picked | None = None
        if run is not None and args.metrics and (args.plot or args.save_plot):  # checked before any output
            picked = pick_charts(run, args.metrics, weight=args.smooth, axis=args.x_axis, log=args.log)
        if args.list_metrics and run is not None:
            print_metric_list(run.state, args.metrics, args.format, args.lang)
        if args.summary and run is not None:
            alerts = alerts_json(health_of(run, args)) if args.format == "json" else None
            print_summary(run.state, args.format, args.lang, run.progress, alerts=alerts)
        if args.plot and picked is not None:
            print_metrics_plot(picked, args.lang)
        elif args.plot and run is not None:
            print_plot(run.state, args.lang)
        if args.csv and run is not None:
            write_csv(run.state, args.csv, args.metrics)
        if args.compare:
            first = [checkpoint] if checkpoint else [explicit] if explicit else []
            compare(first + args.compare, args.save_plot, args.lang, args.force)
        elif args.save_plot and picked is not None:
            save_metrics_plot(picked, args.save_plot, args.lang, args.force)
        elif args.save_plot and run is not None:
            save_plot(run.state, args.save_plot, args.lang, args.force)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        check_args(parser, args)
    except SystemExit as exc:  # --help, --version, or a usage error (exit 2)
        return exc.code if isinstance(exc.code, int) else 0
    if sys.stdout is None:  # started with stdout closed (>&-): what it would show goes nowhere, as asked
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    tolerant_stdout()
    try:
        config = apply_config(args, argv)  # the configuration file's defaults, where no flag was given
        if args.print_config:
            print_config(args, config)
            return 0
        return run(args)
    except CliError as exc:
        error(str(exc), *exc.more)
        return exc.code
    except KeyboardInterrupt:
        return interrupted_code()
    except BrokenPipeError:  # e.g. `trainmon-tui --plot | head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except OSError as exc:
        where = f": {exc.filename}" if exc.filename else ""
        error(f"{exc.strerror or exc}{where}")
        return 1
