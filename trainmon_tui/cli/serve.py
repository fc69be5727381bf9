"""``--serve [HOST:]PORT``: the flags checked (exit 2), the URL printed, the server run until ctrl+c.

Each browser tab runs ``trainmon-tui OUTPUTS`` (the same dashboard, or the workspace of runs) as a process
of its own; with ``--demo`` the one simulator runs here and every tab watches its folder.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from contextlib import suppress
from pathlib import Path

from trainmon_tui.cli.messages import PROG, CliError, say
from trainmon_tui.serve.address import TOKEN_ENV, Bind, BindError, page_url, parse_bind, resolve_token
from trainmon_tui.serve.session import session_argv
from trainmon_tui.views.safetext import printable

DEFAULT_BIND = ""  # --serve alone: 127.0.0.1:8000
DEFAULT_MAX_SESSIONS = 4
MAX_SESSIONS = 64
INSTALL_HINT = "--serve needs textual-serve: pip install 'trainmon-tui[serve]'"


def bind_arg(text: str) -> Bind:
    """argparse's type for --serve: an address, or a hint when it was the outputs folder."""
    try:
        return parse_bind(text)
    except BindError as exc:
        with suppress(OSError):
            if Path(text).is_dir():
                hint = f"give it before --serve ({PROG} {text} --serve) or with -o"
                raise argparse.ArgumentTypeError(f"{text} is a folder, not [HOST:]PORT: {hint}") from None
        raise argparse.ArgumentTypeError(str(exc)) from None


def sessions_arg(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_SESSIONS:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of sessions from 1 to {MAX_SESSIONS}")
    return int(text)


def check_serve_args(p: argparse.ArgumentParser, args: argparse.Namespace, one_shot: bool) -> None:
    """What does not fit with --serve, one usage error each; the token resolved into ``args.token``."""
    if args.serve is None:
        for flag, value in (("--token", args.token), ("--max-sessions", args.max_sessions)):
            if value is not None:
                p.error(f"{flag} only applies to --serve")
        return
    if one_shot:
        p.error("--serve serves the dashboard: not with a one-shot mode (-u, -p, -s, --csv, ...)")
    if args.export_dir is not None:
        p.error("--export-dir does not apply to --serve: in a browser, s downloads the PNG there")
    given = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    try:
        args.token = resolve_token(args.serve, given)
    except BindError as exc:
        p.error(str(exc))
    if args.max_sessions is None:
        args.max_sessions = DEFAULT_MAX_SESSIONS


def serve_dashboard(args: argparse.Namespace, outputs: Path, checkpoint: Path | None) -> int:
    try:
        from trainmon_tui.serve.server import ListenError, ServeConfig, serve
    except ImportError:
        raise CliError(INSTALL_HINT) from None
    bind: Bind = args.serve
    argv = session_argv(outputs, lang=args.lang, poll=args.poll, checkpoint=checkpoint)
    name = printable(Path(outputs).absolute().name or str(outputs))
    config = ServeConfig(argv, bind, args.token, name, args.lang, args.max_sessions)
    stop_demo = threading.Event()
    if args.demo is not None:
        _start_demo(outputs, stop_demo)

    def ready() -> None:
        print(page_url(bind, args.token), flush=True)  # stdout: the one thing a script may want
        say(
            f"{PROG}: serving {Path(outputs).absolute()} on {bind.netloc}, "
            f"at most {args.max_sessions} browser session{'s' if args.max_sessions > 1 else ''} at once; "
            "ctrl+c stops it",
        )
        if bind.loopback:
            say(f"  from another machine: ssh -L {bind.port}:{bind.netloc} HOST, then open the URL above")
        else:
            say("  plain HTTP: the token crosses the network in clear; prefer the SSH forward or HTTPS")
        if args.token is None:
            say("  no token: every user of this machine can open it")

    try:
        import asyncio  # here: the other modes start without it

        asyncio.run(serve(config, ready))
    except ListenError as exc:
        raise CliError(f"cannot listen on {bind.netloc}: {exc}") from None
    finally:
        stop_demo.set()
    sys.stdout.flush()
    return 0


def _start_demo(outputs: Path, stop: threading.Event) -> None:
    from trainmon_tui.cli.dashboard import DEMO_THREAD
    from trainmon_tui.simulate import SimulatedRun, demo_config

    run = SimulatedRun(outputs, demo_config())
    threading.Thread(target=run.run, args=(1.5, stop), daemon=True, name=DEMO_THREAD).start()
