"""The command line: parse the arguments, then hand over to one mode (the dashboard or a one-shot one).

With no mode flag it opens the live dashboard. ``--summary``, ``--plot``, ``--save-plot`` and ``--compare``
run the core once and exit; they never import Textual, and only ``--save-plot`` imports matplotlib.
Data goes to stdout (the summary, the charts, the JSON object); messages go to stderr, one line each
(:mod:`.messages`). Each mode lives in a module of its own: :mod:`.args` (the parser), :mod:`.loading` (the
state shown), :mod:`.summary`, :mod:`.charts` (plot, PNG, compare), :mod:`.dashboard`.
"""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.cli.args import build_parser, check_args
from trainmon_tui.cli.charts import check_target, compare, print_plot, save_plot
from trainmon_tui.cli.dashboard import (
    check_terminal,
    demo_folder,
    interrupted_code,
    open_dashboard,
    stoppable,
)
from trainmon_tui.cli.loading import checkpoint_path, load_file, load_run
from trainmon_tui.cli.messages import CliError, error
from trainmon_tui.cli.summary import print_summary, tolerant_stdout

if TYPE_CHECKING:
    from trainmon_tui.files.model import TrainerState
    from trainmon_tui.live.eta import Progress

__all__ = ["load_run", "main"]  # load_run: the run in OUTPUTS as --summary reads it (tests use it)

DEFAULT_OUTPUTS = Path("outputs")


def run(args: argparse.Namespace) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    outputs = explicit or DEFAULT_OUTPUTS
    one_shot = bool(args.summary or args.plot or args.save_plot or args.compare)
    if not one_shot:
        check_terminal()
    if args.save_plot is not None:
        check_target(args.save_plot, args.force)
    if not one_shot or args.demo is not None:  # the dashboard, or the demo's temporary folder: clean up
        return stoppable(partial(_run_modes, args, outputs, one_shot))
    return _run_modes(args, outputs, one_shot)


def _run_modes(args: argparse.Namespace, outputs: Path, one_shot: bool) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    with demo_folder(args, outputs, one_shot) as outputs:
        inside_first = explicit is not None
        checkpoint = (
            checkpoint_path(args.checkpoint, outputs, inside_first=inside_first) if args.checkpoint else None
        )
        if not one_shot:
            return open_dashboard(args, outputs, checkpoint)
        state: TrainerState | None = None
        progress: Progress | None = None
        if args.summary or args.plot or (args.save_plot and not args.compare):
            state, progress = (load_file(checkpoint), None) if checkpoint else load_run(outputs, args.lang)
        if args.summary and state is not None:
            print_summary(state, args.format, args.lang, progress)
        if args.plot and state is not None:
            print_plot(state, args.lang)
        if args.compare:
            first = [checkpoint] if checkpoint else [explicit] if explicit else []
            compare(first + args.compare, args.save_plot, args.lang, args.force)
        elif args.save_plot and state is not None:
            save_plot(state, args.save_plot, args.lang, args.force)
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
