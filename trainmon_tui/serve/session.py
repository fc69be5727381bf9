"""One browser tab's dashboard process: the command the server runs for it, and how it knows it is served.

The command is built from the server's own arguments (never from a request): this Python, ``-m
trainmon_tui``, the folder as an absolute path, and the few flags a session keeps. The environment marks
the process as served (:data:`SESSION_ENV`), names the server (:data:`SERVER_ENV`) and drops the token,
which the session never needs. A session ends with its server even when that is killed outright
(:func:`exit_with_server`).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from trainmon_tui.serve.address import TOKEN_ENV

SESSION_ENV = "TRAINMON_SERVED_SESSION"  # "1" in a dashboard process that textual-serve started
SERVER_ENV = "TRAINMON_SERVER_PID"  # the server's process id, which the session must not outlive
PR_SET_PDEATHSIG = 1


def session_argv(
    outputs: Path,
    *,
    lang: str,
    poll: float | None = None,
    checkpoint: Path | None = None,
    python: str | None = None,
) -> list[str]:
    """``[python, -m, trainmon_tui, /abs/outputs, --lang, en, ...]``: the same command as ``trainmon-tui
    OUTPUTS`` (a workspace when OUTPUTS holds several runs), run without a shell."""
    argv = [python or sys.executable, "-m", "trainmon_tui", str(Path(outputs).absolute()), "--lang", lang]
    if poll is not None:
        argv += ["--poll", repr(float(poll))]
    if checkpoint is not None:
        argv += ["--checkpoint", str(Path(checkpoint).absolute())]
    return argv


def session_environment(base: Mapping[str, str], server: int | None = None) -> dict[str, str]:
    """``base`` marked as a served session of ``server`` (default: this process), without the token."""
    environment = {key: value for key, value in base.items() if key != TOKEN_ENV}
    environment[SESSION_ENV] = "1"
    environment[SERVER_ENV] = str(os.getpid() if server is None else server)
    return environment


def exit_with_server(environ: Mapping[str, str] | None = None) -> bool:
    """In a session on Linux: SIGTERM (which ends the dashboard as ctrl+c does) once the server dies,
    however it dies (``kill -9`` too), so no session is left behind. Whether that is arranged."""
    environ = os.environ if environ is None else environ
    server = environ.get(SERVER_ENV, "")
    if not sys.platform.startswith("linux") or not server.isdigit():
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):
        return False
    if os.getppid() != int(server):  # it died before prctl: the signal will not come
        os.kill(os.getpid(), signal.SIGTERM)
    return True


def served_session(environ: Mapping[str, str] | None = None) -> bool:
    """This process is a dashboard that textual-serve runs for a browser tab (its terminal is a pipe)."""
    environ = os.environ if environ is None else environ
    return environ.get(SESSION_ENV) == "1" and "web_driver" in environ.get("TEXTUAL_DRIVER", "")
