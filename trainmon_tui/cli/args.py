"""The command line's arguments: the parser, and the checks of what does not fit together (exit 2)."""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import suppress
from pathlib import Path
from typing import NoReturn

from trainmon_tui import __version__
from trainmon_tui.cli.messages import PROG
from trainmon_tui.cli.serve import DEFAULT_BIND, bind_arg, check_serve_args, sessions_arg
from trainmon_tui.health.command import split_command
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.serve.address import TOKEN_ENV
from trainmon_tui.views.i18n import LANGS, default_lang
from trainmon_tui.views.metriclist import split_patterns
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.smoothing import check_weight
from trainmon_tui.views.xaxis import XAxis

DEMO_TEMP = ""  # --demo without a folder: a new temporary one
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")
SEPARATORS = tuple(sep for sep in (os.sep, os.altsep) if sep)


class _Parser(argparse.ArgumentParser):
    """argparse, with its error line (which quotes arguments: paths) printable too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        # --poll's seconds are optional: ``--poll OUTPUTS`` takes the folder for them
        with suppress(OSError):
            if Path(text).is_dir():
                hint = f"give it before --poll ({PROG} {text} --poll) or with -o"
                raise argparse.ArgumentTypeError(f"{text} is a folder, not seconds: {hint}") from None
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} s: choose between 0.1 and 3600 seconds")
    return value


def _image_path(text: str) -> Path:
    """A --save-plot target: an existing folder (a new name is chosen in it) or a .png/.svg/.pdf file.
    A name ending in ``/`` is a folder, never a file name without its suffix (``shots/`` is not shots.png)."""
    path = Path(text)
    with suppress(OSError):  # a folder we may not look into: checked again when writing
        if path.is_dir():
            return path
    if text.endswith(SEPARATORS):
        raise argparse.ArgumentTypeError(
            f"{text}: folder not found (create it first, or give a file name such as {path.name}.png)"
        )
    if not path.suffix:
        return path.with_name(path.name + ".png")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: use a name ending in {', '.join(IMAGE_SUFFIXES)}")
    return path


def _patterns(text: str) -> list[str]:
    patterns = split_patterns(text)
    if not patterns:
        raise argparse.ArgumentTypeError("give at least one key or glob (--metrics 'loss,rewards/*')")
    return patterns


def _weight(text: str) -> float:
    try:
        return check_weight(float(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text}: a smoothing weight is at least 0 and below 1") from None


def _threshold(text: str) -> str:
    try:
        Thresholds().with_overrides([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _command(text: str) -> list[str]:
    try:
        return split_command(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Watch a Hugging Face Trainer run: a live dashboard, or a one-shot summary, "
        "terminal charts or a PNG of its trainer_state.json.",
        epilog="With no mode flag (--summary, --plot, --save-plot, --compare, --list-metrics, --csv) "
        "the live dashboard opens.",
    )
    p.add_argument(
        "outputs_pos", nargs="?", type=Path, metavar="OUTPUTS", help="outputs folder (default ./outputs)"
    )
    p.add_argument("-o", "--outputs", dest="outputs_opt", type=Path, metavar="DIR", help="same as OUTPUTS")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "-c", "--checkpoint", type=Path, metavar="DIR",
        help="use this checkpoint folder or trainer_state.json (also: a name or step inside OUTPUTS)",
    )  # fmt: skip
    which.add_argument(
        "-l", "--latest", action="store_true", help="use the latest ready checkpoint (default)"
    )
    p.add_argument("-u", "--summary", action="store_true", help="print the summary and exit")
    p.add_argument("-p", "--plot", action="store_true", help="print the four charts to the terminal and exit")
    p.add_argument(
        "-s", "--save-plot", type=_image_path, metavar="PATH",
        help="write the four charts to PATH (.png, .svg, .pdf; a folder: a new name in it) and exit",
    )  # fmt: skip
    p.add_argument("--force", action="store_true", help="let --save-plot replace an existing file")
    p.add_argument(
        "--list-metrics", action="store_true",
        help="list every series (count, first and last step, last, min, max) and exit",
    )  # fmt: skip
    p.add_argument(
        "--csv", type=Path, metavar="PATH",
        help="write the series (all, or those of --metrics) as a wide CSV to a new file PATH",
    )  # fmt: skip
    p.add_argument(
        "--metrics", type=_patterns, metavar="PATTERN[,PATTERN...]",
        help="pick series by key or glob (rewards/*,eval_*_loss) for -p, -s, --list-metrics, --csv",
    )  # fmt: skip
    p.add_argument(
        "--smooth", type=_weight, default=0.0, metavar="W",
        help="with --metrics: TensorBoard smoothing weight, 0 (off) to below 1",
    )  # fmt: skip
    p.add_argument(
        "--x", dest="x_axis", choices=[axis.value for axis in XAxis], default=None,
        help="with --metrics: the x-axis (default step)",
    )  # fmt: skip
    p.add_argument("--log", action="store_true", help="with --metrics: log-scale y (values <= 0 left out)")
    p.add_argument(
        "--compare", nargs="+", type=Path, metavar="CP",
        help="overlay the training loss of several checkpoints or outputs folders "
        "(as a PNG with --save-plot, otherwise in the terminal)",
    )  # fmt: skip
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="summary format (json implies -u)"
    )
    p.add_argument("--lang", choices=LANGS, default=default_lang(), help="labels in English or Chinese")
    p.add_argument(
        "--poll", nargs="?", const=2.0, type=_seconds, metavar="SECONDS",
        help="dashboard: poll the files every SECONDS (default 2) instead of inotify; for NFS and the like",
    )  # fmt: skip
    p.add_argument(
        "--export-dir", type=Path, metavar="DIR", help="dashboard: where PNGs go (default: the current one)"
    )
    p.add_argument(
        "--system", action="store_true",
        help="dashboard: this host's CPU, memory and GPUs beside the summary, every 2 s",
    )  # fmt: skip
    p.add_argument(
        "--demo", nargs="?", const=DEMO_TEMP, type=str, metavar="DIR",
        help="simulate a training run into DIR (default: a temporary folder) and watch it",
    )  # fmt: skip
    p.add_argument(
        "--serve", nargs="?", const=DEFAULT_BIND, type=bind_arg, metavar="[HOST:]PORT",
        help="serve the dashboard to browsers (default 127.0.0.1:8000; needs the serve extra)",
    )  # fmt: skip
    p.add_argument(
        "--token", metavar="TOKEN",
        help=f"with --serve: the token the URL carries (default: ${TOKEN_ENV} or a new one; '' none, "
        "loopback only)",
    )  # fmt: skip
    p.add_argument(
        "--max-sessions",
        type=sessions_arg,
        metavar="N",
        help="with --serve: tabs at once (default 4)",
    )
    p.add_argument(
        "--check", action="store_true",
        help="run every health detector once and exit: 0 healthy, 3 when a warning or worse holds",
    )  # fmt: skip
    p.add_argument("--no-bell", action="store_true", help="dashboard: no terminal bell when an alert fires")
    p.add_argument(
        "--on-alert", type=_command, metavar="CMD",
        help="run CMD (no shell) when an alert fires, with TRAINMON_KIND, _SEVERITY, _RUN, _STEP, _MESSAGE",
    )  # fmt: skip
    p.add_argument(
        "--threshold", type=_threshold, action="append", default=[], metavar="NAME=VALUE",
        help="change a detector's threshold (see the README's Alerts section); may be repeated",
    )  # fmt: skip
    p.add_argument(
        "--config", type=Path, metavar="PATH",
        help="defaults for the options (default: $XDG_CONFIG_HOME/trainmon-tui/config.toml); flags win",
    )  # fmt: skip
    p.add_argument("--print-config", action="store_true", help="print the settings in effect and exit")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def check_args(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.outputs_pos and args.outputs_opt and args.outputs_pos != args.outputs_opt:
        p.error("give the outputs folder once: as OUTPUTS or with -o, not both")
    if args.check and (args.summary or one_shot_mode(args, check=False)):
        p.error("--check is a mode of its own: not with -u, -p, -s, --compare, --list-metrics or --csv")
    if args.format == "json" and not args.check:
        if args.summary and args.list_metrics:
            p.error("--format json prints one JSON object: give -u or --list-metrics, not both")
        args.summary = args.summary or not args.list_metrics
        if args.plot:
            p.error("--format json prints one JSON object: it cannot be combined with terminal charts")
    _check_combinations(p, args)
    if args.demo:
        demo = Path(args.demo)
        try:
            used = demo.exists() and (not demo.is_dir() or any(demo.iterdir()))
        except OSError as exc:
            p.error(f"--demo {demo}: {exc.strerror or exc}")
        if used:
            p.error(f"--demo {demo}: give a new or empty folder (the simulator deletes old checkpoints)")
    if args.force and not args.save_plot:
        p.error("--force only applies to --save-plot")


def _check_combinations(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Flags that do not fit together, each said in one usage error (exit 2) before anything is read.

    ``--compare`` is a mode of its own: it draws in the terminal, or writes a PNG with ``--save-plot``, so
    ``--summary`` (and ``--format json``) has no run to describe and ``--plot`` would say what it does anyway.
    ``--demo`` writes and shows its own run: an OUTPUTS would be ignored. ``--export-dir``, ``--poll`` and
    ``--system`` only change the dashboard: with a one-shot mode they would be ignored.
    """
    if args.compare and args.summary:
        p.error("--compare cannot be combined with --summary or --format json: it draws no summary")
    if args.compare and args.plot:
        p.error("--compare draws its chart in the terminal already (a PNG with --save-plot): drop --plot")
    if args.demo is not None and (args.outputs_pos or args.outputs_opt):
        p.error("--demo writes its own run: give its folder as --demo DIR, not as OUTPUTS")
    one_shot = one_shot_mode(args)
    dashboard_only = (
        ("--export-dir", args.export_dir),
        ("--poll", args.poll),
        ("--system", args.system or None),
        ("--no-bell", args.no_bell or None),
    )
    for flag, value in dashboard_only:
        if one_shot and value is not None:
            p.error(f"{flag} only applies to the dashboard, not to a one-shot mode (-u, -p, -s, --csv, ...)")
    if args.on_alert and one_shot and not args.check:
        p.error("--on-alert runs with the dashboard or --check, not with another one-shot mode")
    _check_metric_flags(p, args)
    check_serve_args(p, args, one_shot)


def one_shot_mode(args: argparse.Namespace, *, check: bool = True) -> bool:
    """A mode that runs once and exits (anything but the dashboard); ``check=False``: but ``--check``."""
    modes = args.summary or args.plot or args.save_plot or args.compare or args.list_metrics or args.csv
    return bool(modes or (check and args.check))


def _check_metric_flags(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """``--metrics`` picks series for a mode that shows them; ``--smooth``, ``--x`` and ``--log`` change
    the metric charts only (``-p`` and ``-s`` without ``--metrics`` stay the four charts)."""
    if args.compare and (args.metrics or args.list_metrics or args.csv):
        p.error("--compare overlays training losses: not with --metrics, --list-metrics or --csv")
    if args.metrics and not (args.plot or args.save_plot or args.list_metrics or args.csv):
        p.error("--metrics picks the series for -p, -s, --list-metrics or --csv: give one of them")
    charts = args.metrics and (args.plot or args.save_plot)
    given_flags = (("--smooth", args.smooth != 0.0), ("--x", args.x_axis is not None), ("--log", args.log))
    for flag, given in given_flags:
        if given and not charts:
            p.error(f"{flag} only applies to the metric charts: -p or -s with --metrics")
