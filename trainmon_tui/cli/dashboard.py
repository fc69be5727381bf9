"""Opening the live dashboard: the terminal it needs, the signals that stop it, the demo run it may watch."""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.cli.check import thresholds_of
from trainmon_tui.cli.messages import CliError
from trainmon_tui.serve.session import exit_with_server, served_session

if TYPE_CHECKING:
    from trainmon_tui.ui.options import DashboardOptions

DEMO_THREAD = "demo"  # the name of the dashboard's simulator thread (trainmon_tui.ui.app)
DEMO_STOP_SECONDS = 5.0
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
STOP_RETRY_SECONDS = 2.0  # a stop signal is sent again this often until the process is gone
_stopped_by: list[int] = []  # the signal that ended the run, when one did


def open_dashboard(args: argparse.Namespace, outputs: Path, checkpoint: Path | None) -> int:
    try:
        from trainmon_tui.ui.app import run_dashboard
    except ImportError as exc:
        raise CliError(
            f"the dashboard is not available ({exc}); use --summary, --plot or --save-plot"
        ) from None
    served = served_session()
    if served:
        exit_with_server()
    code = run_dashboard(dashboard_options(args, outputs, checkpoint, served=served))
    return code if isinstance(code, int) else 0


def dashboard_options(
    args: argparse.Namespace, outputs: Path, checkpoint: Path | None, *, served: bool
) -> DashboardOptions:
    """What the command line asks of a dashboard: also of one the workspace opens (``cli/workspace.py``)."""
    from trainmon_tui.ui.options import DashboardOptions

    demo = args.demo is not None
    export_dir = args.export_dir if args.export_dir is not None else Path(".")
    options = DashboardOptions(
        outputs, checkpoint, args.lang, args.poll, export_dir, demo, deliver_png=served, system=args.system
    )
    alerting = {"bell": not args.no_bell, "on_alert": args.on_alert, "thresholds": thresholds_of(args)}
    theme = getattr(args, "theme", None)  # from the configuration file only
    return dataclasses.replace(options, theme=theme, **alerting)


def interrupt(signum: int, frame: object) -> None:
    """SIGTERM or SIGHUP: do what ctrl+c (SIGINT) does. Inside the dashboard that is asyncio's handler,
    which cancels the app so it restores the terminal and stops the demo; then KeyboardInterrupt unwinds
    every ``finally`` (the demo's temporary folder).

    asyncio's handler only cancels the app's task the first time, and a cancel that lands while the app
    is starting up is swallowed: the dashboard ran on with no terminal. So the signal is sent again every
    :data:`STOP_RETRY_SECONDS` while the dashboard still runs (a daemon thread, ended with
    :func:`stop_signals_interrupt`); the second call raises.
    """
    _stopped_by.append(signum)
    if len(_stopped_by) == 1:
        again = threading.Thread(target=_send_again, args=(signum,), daemon=True, name="stop-again")
        _senders.append(again)
        again.start()
    handler = signal.getsignal(signal.SIGINT)
    if callable(handler):
        handler(signal.SIGINT, frame)  # type: ignore[arg-type]
    else:
        raise KeyboardInterrupt


def _send_again(signum: int) -> None:
    while not _done.wait(STOP_RETRY_SECONDS):
        os.kill(os.getpid(), signum)


_done = threading.Event()  # set when the dashboard is over: no stop signal is sent again
_senders: list[threading.Thread] = []


@contextmanager
def stop_signals_interrupt() -> Iterator[None]:
    """While the dashboard or the demo runs, SIGTERM (``kill``) and SIGHUP (the terminal went away: a
    closed window, ``tmux kill-session``, a dropped SSH connection) end it as ctrl+c does, so the cleanup
    in ``finally`` runs instead of the process dying on the spot."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal ignored on purpose (``nohup``) stays ignored.
    taken = [signum for signum in STOP_SIGNALS if signal.getsignal(signum) is not signal.SIG_IGN]
    _done.clear()
    previous = {signum: signal.signal(signum, interrupt) for signum in taken}
    try:
        yield
    finally:
        _done.set()  # before the handlers go back: a signal sent again then would kill the cleanup
        while _senders:
            _senders.pop().join(1.0)
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
def demo_folder(args: argparse.Namespace, outputs: Path, one_shot: bool) -> Iterator[Path]:
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


def is_terminal(stream: object) -> bool:
    """A stream that is a terminal; not one when closed (``<&-`` leaves ``sys.stdin`` None) or detached."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def check_terminal() -> None:
    """The dashboard draws with escape codes: without a terminal (``> file``, ``</dev/null``, cron) it would
    write them into a file forever, so say what to use instead (before Textual is imported).

    ``TERM=dumb`` (Emacs' shell, some CI consoles) is a terminal that cannot move the cursor: refused the
    same way rather than answered with a summary, so that a script learns it got no dashboard (exit 2) and
    the user picks the one-shot mode they want.
    A tab's session under ``--serve`` has pipes for a terminal: textual-serve's web driver draws there.
    """
    if served_session():
        return
    if not (is_terminal(sys.stdin) and is_terminal(sys.stdout)):
        raise CliError(
            "the dashboard needs a terminal (stdin and stdout are not both one): "
            "use -u, -p or -s for a one-shot summary, chart or PNG, or run it in a terminal",
            2,
        )
    if os.environ.get("TERM") == "dumb":
        raise CliError(
            "the dashboard cannot draw on TERM=dumb: use -u, -p or -s for a one-shot summary, chart or PNG, "
            "or run it in a terminal that can (e.g. TERM=xterm-256color)",
            2,
        )


def stoppable(run: Callable[[], int]) -> int:
    """``run()`` with SIGTERM and SIGHUP taken as ctrl+c; its status, or 128 + the signal that ended it.
    The dashboard closes quietly when asyncio's handler cancels it: the status still says why."""
    _stopped_by.clear()
    with stop_signals_interrupt():
        code = run()
    return interrupted_code() if _stopped_by else code
