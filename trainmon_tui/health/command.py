"""``--on-alert CMD``: the user's command run when an alert fires, told about it in its environment.

CMD is split as a shell would split it (``shlex.split``) and run without a shell, its stdin, stdout and
stderr on ``/dev/null`` (the dashboard owns the terminal) in a session of its own (so it can neither read
the terminal nor get the dashboard's Ctrl-C). It gets ``TRAINMON_KIND``, ``TRAINMON_SEVERITY``,
``TRAINMON_RUN`` (the outputs folder), ``TRAINMON_STEP`` (empty when unknown) and ``TRAINMON_MESSAGE`` (in
the language of the labels). Each kind runs it at most once per ``every`` seconds (60): a run that keeps
failing does not send a message a second. :meth:`AlertCommand.run` blocks until the command ends (at most
``timeout`` seconds): the dashboard calls it from a thread, ``--check`` directly.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from trainmon_tui.health.alerts import Alert
from trainmon_tui.views.i18n import Lang

EVERY_SECONDS = 60.0
TIMEOUT_SECONDS = 60.0


def split_command(text: str) -> list[str]:
    """CMD as its words; a ValueError for an empty one or unbalanced quotes."""
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ValueError(f"cannot split {text!r}: {exc}") from None
    if not words:
        raise ValueError("give a command to run")
    return words


def alert_environment(alert: Alert, run: Path, lang: Lang, base: Mapping[str, str]) -> dict[str, str]:
    return {
        **base,
        "TRAINMON_KIND": alert.kind,
        "TRAINMON_SEVERITY": alert.severity,
        "TRAINMON_RUN": str(run),
        "TRAINMON_STEP": "" if alert.step is None else str(alert.step),
        "TRAINMON_MESSAGE": alert.message(lang),
    }


class AlertCommand:
    def __init__(
        self,
        argv: list[str],
        run: Path,
        lang: Lang = "en",
        *,
        every: float = EVERY_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.argv = list(argv)
        self.run_folder = run
        self.lang: Lang = lang
        self.every = every
        self.timeout = timeout
        self.clock = clock
        self._last: dict[str, float] = {}  # kind: when it last ran the command
        self._lock = threading.Lock()

    def due(self, alert: Alert) -> bool:
        """Whether ``alert`` runs the command (and if so, its kind waits ``every`` seconds from now)."""
        with self._lock:
            now = self.clock()
            last = self._last.get(alert.kind)
            if last is not None and now - last < self.every:
                return False
            self._last[alert.kind] = now
            return True

    def run(self, alert: Alert) -> str | None:
        """Run the command for ``alert`` and wait for it; None when it succeeded, else why not (one line)."""
        name = self.argv[0]
        try:
            done = subprocess.run(
                self.argv,
                env=alert_environment(alert, self.run_folder, self.lang, os.environ),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=self.timeout,
                start_new_session=True,
                check=False,
            )
        except FileNotFoundError:
            return f"{name}: command not found"
        except subprocess.TimeoutExpired:
            return f"{name}: still running after {self.timeout:g} s, stopped"
        except OSError as exc:
            return f"{name}: {exc.strerror or exc}"
        if done.returncode != 0:
            return f"{name} exited with status {done.returncode}"
        return None
