"""One browser tab's dashboard process: the command the server runs for it, and how it knows it is served.

The command is built from the server's own arguments (never from a request): this Python, ``-m
trainmon_tui``, the folder as an absolute path, and the few flags a session keeps. The environment marks
the process as served (:data:`SESSION_ENV`) and drops the token, which the session never needs.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from trainmon_tui.serve.address import TOKEN_ENV

SESSION_ENV = "TRAINMON_SERVED_SESSION"  # "1" in a dashboard process that textual-serve started


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


def session_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` marked as a served session, without the token."""
    environment = {key: value for key, value in base.items() if key != TOKEN_ENV}
    environment[SESSION_ENV] = "1"
    return environment


def served_session(environ: Mapping[str, str] | None = None) -> bool:
    """This process is a dashboard that textual-serve runs for a browser tab (its terminal is a pipe)."""
    environ = os.environ if environ is None else environ
    return environ.get(SESSION_ENV) == "1" and "web_driver" in environ.get("TEXTUAL_DRIVER", "")
