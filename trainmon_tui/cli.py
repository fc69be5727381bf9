"""The command line: the original tool's flags, one small function per mode.

With no mode flag it opens the live dashboard. ``--summary``, ``--plot``, ``--save-plot`` and ``--compare``
run the core once and exit; they never import Textual, and only ``--save-plot`` imports matplotlib.
Data goes to stdout (the summary, the charts, the JSON object); messages go to stderr, one line each.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from trainmon_tui import __version__
from trainmon_tui.files.discovery import Discovery, checkpoint_times, find_latest, resolve_target, root_step
from trainmon_tui.files.model import StateError, TrainerState
from trainmon_tui.files.safeopen import describe
from trainmon_tui.files.state import StateCache, load_state
from trainmon_tui.views.compare import distinct_labels
from trainmon_tui.views.i18n import LANGS, Lang, default_lang, t
from trainmon_tui.views.safetext import printable

if TYPE_CHECKING:
    from trainmon_tui.live.eta import Progress

PROG = "trainmon-tui"
DEFAULT_OUTPUTS = Path("outputs")
DEMO_TEMP = ""  # --demo without a folder: a new temporary one
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")
MIN_FILE_COLUMNS = 80  # -u into a pipe or a file
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


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


class _Parser(argparse.ArgumentParser):
    """argparse, with its error line (which quotes arguments: paths) printable too."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {printable(message)}\n")


# --- arguments ------------------------------------------------------------------------------------


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text} s: choose between 0.1 and 3600 seconds")
    return value


def _image_path(text: str) -> Path:
    """A --save-plot target: an existing folder (a new name is chosen in it) or a .png/.svg/.pdf file."""
    path = Path(text)
    with suppress(OSError):  # a folder we may not look into: checked again when writing
        if path.is_dir():
            return path
    if not path.suffix:
        return path.with_name(path.name + ".png")
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        raise argparse.ArgumentTypeError(f"{text}: use a name ending in {', '.join(IMAGE_SUFFIXES)}")
    return path


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Watch a Hugging Face Trainer run: a live dashboard, or a one-shot summary, "
        "terminal charts or a PNG of its trainer_state.json.",
        epilog="With no mode flag (--summary, --plot, --save-plot, --compare) the live dashboard opens.",
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
        "--demo", nargs="?", const=DEMO_TEMP, type=str, metavar="DIR",
        help="simulate a training run into DIR (default: a temporary folder) and watch it",
    )  # fmt: skip
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return p


def _check_args(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.outputs_pos and args.outputs_opt and args.outputs_pos != args.outputs_opt:
        p.error("give the outputs folder once: as OUTPUTS or with -o, not both")
    if args.format == "json":
        args.summary = True
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
    ``--demo`` writes and shows its own run: an OUTPUTS would be ignored. ``--export-dir`` and ``--poll`` only
    change the dashboard: with a one-shot mode they would be ignored.
    """
    if args.compare and args.summary:
        p.error("--compare cannot be combined with --summary or --format json: it draws no summary")
    if args.compare and args.plot:
        p.error("--compare draws its chart in the terminal already (a PNG with --save-plot): drop --plot")
    if args.demo is not None and (args.outputs_pos or args.outputs_opt):
        p.error("--demo writes its own run: give its folder as --demo DIR, not as OUTPUTS")
    one_shot = args.summary or args.plot or args.save_plot or args.compare
    for flag, value in (("--export-dir", args.export_dir), ("--poll", args.poll)):
        if one_shot and value is not None:
            p.error(f"{flag} only applies to the dashboard, not to -u, -p, -s or --compare")


# --- finding the state ----------------------------------------------------------------------------


def _no_checkpoint(outputs: Path, lang: Lang) -> CliError:
    """No ready checkpoint: the folder, then three hints on lines of their own."""
    hints = [f"  {n}. {t(key, lang)}" for n, key in enumerate(("hint_ran", "hint_path", "hint_file"), 1)]
    return CliError(t("no_checkpoint", lang, path=outputs), 1, more=tuple(hints))


def load_run(outputs: Path, lang: Lang) -> tuple[TrainerState, Progress | None]:
    """The latest state with what the live log (``trainmon_log.jsonl``, or else the TensorBoard event files)
    logged since, and the run's progress. A live log alone is enough before the first checkpoint exists."""
    if not outputs.is_dir():
        return load_latest(outputs, lang), None
    from trainmon_tui.live.merge import merge_live
    from trainmon_tui.live.progress import progress_for
    from trainmon_tui.live.source import LiveSource, fill_plan

    cache = StateCache()  # the root state is read once, for the latest and for its step
    discovery = _discover(outputs, lang, cache)
    live = fill_plan(LiveSource(outputs).poll(), discovery.latest)
    if live.bad_lines:
        bad = f"{live.bad_lines} bad line(s) in {live.path}: {live.first_error}"
        say(f"{t('skipped', lang)}: {bad}")
    state = merge_live(discovery.latest, live) if not live.empty else discovery.latest
    if state is None:
        _no_state(discovery, outputs, lang)
    times = checkpoint_times(discovery.candidates, root_step(discovery.candidates, cache))
    return state, progress_for(state, live, times, time.time())


def _discover(outputs: Path, lang: Lang, cache: StateCache | None = None) -> Discovery:
    discovery = find_latest(outputs, cache)
    for problem in discovery.errors:
        say(f"{t('skipped', lang)}: {problem}")
    return discovery


def _no_state(discovery: Discovery, outputs: Path, lang: Lang) -> NoReturn:
    """No state to show: the folder could not be listed (one line), or it holds no ready checkpoint."""
    if discovery.unreadable is not None:
        raise CliError(str(discovery.unreadable), 1)
    raise _no_checkpoint(outputs, lang)


def load_latest(outputs: Path, lang: Lang) -> TrainerState:
    """The latest ready state of an outputs folder (or the file itself when given a file)."""
    if not outputs.exists():
        raise CliError(f"outputs folder not found: {outputs}", 2)
    if outputs.is_file():
        return _load_file(outputs)
    if not outputs.is_dir():  # a FIFO, a device, a socket
        kind = describe(outputs.stat().st_mode)
        raise CliError(f"{outputs}: is {kind}, not a folder or a regular file", 2)
    discovery = _discover(outputs, lang)
    if discovery.latest is None:
        _no_state(discovery, outputs, lang)
    return discovery.latest


def _load_file(path: Path) -> TrainerState:
    try:
        return load_state(path)
    except StateError as exc:
        raise CliError(str(exc), 1) from None


def checkpoint_path(arg: Path, outputs: Path) -> Path:
    """``-c`` as given, else inside OUTPUTS (``-c checkpoint-500``, or just ``-c 500``)."""
    tries = [arg]
    if not arg.is_absolute():
        tries.append(outputs / arg)
        if arg.name.isdigit():
            tries.append(outputs / f"checkpoint-{arg.name}")
    found = next((path for path in tries if path.exists()), None)
    if found is None:
        raise CliError(f"checkpoint not found: {arg} (looked for {', '.join(map(str, tries))})")
    return resolve_target(found)


def load_source(path: Path, lang: Lang) -> TrainerState:
    """A --compare item: an outputs folder (its latest state), a checkpoint folder or a file."""
    if not path.exists():
        raise CliError(f"not found: {path}", 2)
    return _load_file(path) if path.is_file() else load_latest(path, lang)


# --- the modes ------------------------------------------------------------------------------------


def _tolerant_stdout() -> None:
    """On a terminal that is not UTF-8, write ``?`` for what it cannot show rather than fail."""
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        with suppress(ValueError, OSError):
            reconfigure(errors="replace")


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def _write_chart(text: str) -> None:
    text = text if _use_color() else _ANSI.sub("", text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _chart_size() -> tuple[int, int]:
    """The terminal's size, one line left for the prompt (plotext never draws larger than the terminal)."""
    columns, lines = shutil.get_terminal_size()
    return max(20, columns), max(10, lines - 1)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a UTF-16 surrogate pair, as JSON spells it
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _escape_invisible(text: str) -> str:
    r"""JSON with every character that is not printable (DEL, C1 controls such as the CSI \x9b, bidi and
    zero-width characters, lone surrogates) written as a \uXXXX escape: the same data, nothing a terminal
    obeys. json.dumps escapes C0 itself; outside strings the text is ASCII, so only string contents change."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else _json_escape(ch) for ch in text)


def print_summary(state: TrainerState, fmt: str, lang: Lang, progress: Progress | None = None) -> None:
    from trainmon_tui.live.eta import progress_json
    from trainmon_tui.views.stats import summarize

    summary = summarize(state)
    if fmt == "json":
        data = summary.to_json() | progress_json(progress)
        text = _escape_invisible(json.dumps(data, ensure_ascii=False))
        try:
            text.encode(sys.stdout.encoding or "utf-8")
        except (UnicodeEncodeError, LookupError):  # a non-UTF-8 terminal: the same JSON, \u escaped
            text = json.dumps(data)
        print(text)
        return
    from rich.console import Console
    from rich.text import Text

    from trainmon_tui.views.report import summary_table, summary_title

    console = Console()
    if not console.is_terminal:  # a pipe or a file: Rich takes COLUMNS, or 80; never fewer than 80
        console.width = max(MIN_FILE_COLUMNS, console.width)
    # The title on a line of its own, as wide as the console: inside the table it wrapped at the table's
    # width, breaking the path mid-word.
    console.print(Text(middle_ellipsis(summary_title(summary, lang), console.width)), no_wrap=True, crop=True)
    console.print(summary_table(summary, lang, title=False, progress=progress))


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` in ``width`` columns: as it is when it fits, else with its middle replaced by ``…``, so the
    start (what it is) and the end (the file name) stay readable."""
    from rich.cells import cell_len

    if cell_len(text) <= width:
        return text
    keep = max(0, width - 1)
    head, tail = text[: keep // 3], text[len(text) - (keep - keep // 3) :]
    while tail and cell_len(head) + 1 + cell_len(tail) > width:  # wide (CJK) characters take two cells
        tail = tail[1:]
    # whole folder names where the path allows: /work/…/fixtures/run, not /work/s…d/fixtures/run
    if "/" in head.rstrip("/"):
        head = head[: head.rindex("/") + 1]
    if "/" in tail[1:]:
        tail = tail[tail.index("/", 1) :] if not tail.startswith("/") else tail
    return f"{head}…{tail}"


def print_plot(state: TrainerState, lang: Lang) -> None:
    from trainmon_tui.views.charts import points_for_width, prepare, render_grid

    width, height = _chart_size()
    data = prepare(state, max_points=points_for_width(width // 2))
    _write_chart(render_grid(data, width, height, lang, theme="clear"))


def _target_folder(path: Path) -> Path:
    """The folder a --save-plot target writes into: the target itself, or the file's folder."""
    return path if path.is_dir() else path.parent


def _check_target(path: Path, force: bool) -> None:
    """Before any work: never overwrite (without --force), the folder must exist and be writable."""
    if not path.is_dir():
        if path.exists() and not force:
            raise CliError(f"{path} already exists; not overwriting it (choose another name, or add --force)")
        if not path.parent.is_dir():
            raise CliError(f"cannot write {path}: folder {path.parent} not found")
    folder = _target_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"not writable: {folder}")


@contextmanager
def _writing_into(target: Path) -> Iterator[None]:
    """A create refused by permissions (root passes os.access; ACLs, some mounts) is the same one line."""
    try:
        yield
    except PermissionError:
        raise CliError(f"not writable: {_target_folder(target)}") from None


def save_plot(state: TrainerState, target: Path, lang: Lang, force: bool) -> None:
    from trainmon_tui.views.export import save_dashboard_png, save_dashboard_png_unique

    with _writing_into(target):
        if target.is_dir():
            path = save_dashboard_png_unique(state, target, lang)
        else:
            path = save_dashboard_png(state, target, lang, overwrite=force)
    say(f"saved: {path}")


def compare(sources: list[Path], target: Path | None, lang: Lang, force: bool) -> None:
    labels = distinct_labels(sources)  # the part of each path that tells it apart: "a", "b"
    runs = [(printable(label), load_source(path, lang)) for label, path in zip(labels, sources, strict=True)]
    if target is None:
        from trainmon_tui.views.charts import render_compare

        width, height = _chart_size()
        _write_chart(render_compare(runs, width, height, lang, theme="clear"))
        return
    from trainmon_tui.views.export import save_compare_png, save_compare_png_unique

    with _writing_into(target):
        if target.is_dir():
            stem = f"trainmon_compare_{datetime.now():%Y%m%d-%H%M%S}"
            path = save_compare_png_unique(runs, target, stem, lang)
        else:
            path = save_compare_png(runs, target, lang, overwrite=force)
    say(f"saved: {path}")


def open_dashboard(args: argparse.Namespace, outputs: Path, checkpoint: Path | None) -> int:
    try:
        from trainmon_tui.ui.app import run_dashboard
    except ImportError as exc:
        raise CliError(
            f"the dashboard is not available ({exc}); use --summary, --plot or --save-plot"
        ) from None
    from trainmon_tui.ui.options import DashboardOptions

    demo = args.demo is not None
    export_dir = args.export_dir if args.export_dir is not None else Path(".")
    code = run_dashboard(DashboardOptions(outputs, checkpoint, args.lang, args.poll, export_dir, demo))
    return code if isinstance(code, int) else 0


DEMO_THREAD = "demo"  # the name of the dashboard's simulator thread (trainmon_tui.ui.app)
DEMO_STOP_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
_stopped_by: list[int] = []  # the signal that ended the run, when one did


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP: do what ctrl+c (SIGINT) does. Inside the dashboard that is asyncio's handler,
    which cancels the app so it restores the terminal and stops the demo; then KeyboardInterrupt unwinds
    every ``finally`` (the demo's temporary folder)."""
    _stopped_by.append(signum)
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)  # type: ignore[arg-type]
    else:
        raise KeyboardInterrupt


@contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """While the dashboard or the demo runs, SIGTERM (``kill``) and SIGHUP (the terminal went away: a
    closed window, ``tmux kill-session``, a dropped SSH connection) end it as ctrl+c does, so the cleanup
    in ``finally`` runs instead of the process dying on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal ignored on purpose (``nohup``) stays ignored.
    taken = [signum for signum in STOP_SIGNALS if signal.getsignal(signum) is not signal.SIG_IGN]
    previous = {signum: signal.signal(signum, _interrupt) for signum in taken}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _wait_for_demo_thread() -> None:
    """The dashboard stops its simulator when it closes; wait for it to finish its last save, so that it
    cannot write into the temporary folder (``mkdir(parents=True)`` would bring it back) once removed."""
    for thread in threading.enumerate():
        if thread.name == DEMO_THREAD and thread is not threading.current_thread():
            thread.join(DEMO_STOP_SECONDS)


def interrupted_code() -> int:
    """The exit status after an interruption: 128 + the signal (130 for ctrl+c, 143 SIGTERM, 129 SIGHUP)."""
    return 128 + (_stopped_by[0] if _stopped_by else signal.SIGINT)


@contextmanager
def _demo_folder(args: argparse.Namespace, outputs: Path, one_shot: bool) -> Iterator[Path]:
    """--demo: the folder the simulator writes into (a temporary one is removed afterwards).

    The dashboard runs the simulator live; a one-shot mode gets a whole simulated run written at once.
    """
    if args.demo is None:
        yield outputs
        return
    folder = Path(args.demo) if args.demo else Path(tempfile.mkdtemp(prefix="trainmon-demo-"))
    try:
        if one_shot:
            from trainmon_tui.simulate import RunConfig, write_run

            config = RunConfig(nan_steps=frozenset({137}))
            saves = range(config.save_steps, config.max_steps + 1, config.save_steps)
            write_run(folder, saves, config).finish()
        yield folder
    finally:
        if not args.demo:
            _wait_for_demo_thread()
            shutil.rmtree(folder, ignore_errors=True)


def _is_terminal(stream: object) -> bool:
    """A stream that is a terminal; not one when closed (``<&-`` leaves ``sys.stdin`` None) or detached."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def _check_terminal() -> None:
    """The dashboard draws with escape codes: without a terminal (``> file``, ``</dev/null``, cron) it would
    write them into a file forever, so say what to use instead (before Textual is imported)."""
    if not (_is_terminal(sys.stdin) and _is_terminal(sys.stdout)):
        raise CliError(
            "the dashboard needs a terminal (stdin and stdout are not both one): "
            "use -u, -p or -s for a one-shot summary, chart or PNG, or run it in a terminal",
            2,
        )


def run(args: argparse.Namespace) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    outputs = explicit or DEFAULT_OUTPUTS
    one_shot = bool(args.summary or args.plot or args.save_plot or args.compare)
    if not one_shot:
        _check_terminal()
    if args.save_plot is not None:
        _check_target(args.save_plot, args.force)
    if not one_shot or args.demo is not None:
        _stopped_by.clear()
        with _stop_signals_interrupt():
            code = _run_modes(args, outputs, one_shot)
        # The dashboard closes quietly when asyncio's handler cancels it: the status still says why.
        return interrupted_code() if _stopped_by else code
    return _run_modes(args, outputs, one_shot)


def _run_modes(args: argparse.Namespace, outputs: Path, one_shot: bool) -> int:
    explicit = args.outputs_opt or args.outputs_pos
    with _demo_folder(args, outputs, one_shot) as outputs:
        checkpoint = checkpoint_path(args.checkpoint, outputs) if args.checkpoint else None
        if not one_shot:
            return open_dashboard(args, outputs, checkpoint)
        state: TrainerState | None = None
        progress: Progress | None = None
        if args.summary or args.plot or (args.save_plot and not args.compare):
            state, progress = (_load_file(checkpoint), None) if checkpoint else load_run(outputs, args.lang)
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
        _check_args(parser, args)
    except SystemExit as exc:  # --help, --version, or a usage error (exit 2)
        return exc.code if isinstance(exc.code, int) else 0
    if sys.stdout is None:  # started with stdout closed (>&-): what it would show goes nowhere, as asked
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the process's life
    _tolerant_stdout()
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
