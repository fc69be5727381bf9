"""What the dashboard announces about a new snapshot besides the alerts: new checkpoints, skipped files.

A toast is one line and short-lived so it never hides the charts for long (the event log keeps it all);
while one "new checkpoint" toast is up, further new checkpoints wait and then come as one toast. What will
not change by waiting (a file skipped) is said once per outputs folder. The end of training and a
non-finite loss or grad norm are alerts (:mod:`.alerting`), announced once per episode there.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App
from textual.notifications import SeverityLevel
from textual.timer import Timer

from trainmon_tui.pipeline import Snapshot
from trainmon_tui.views.i18n import Lang, t

TOAST_SECONDS = 3.0


class Notices:
    """The app's announcements of one outputs folder, through ``app.notify`` and its timers."""

    def __init__(self, app: App[Any], outputs: Path, lang: Lang) -> None:
        self.app = app
        self.outputs = outputs
        self.lang: Lang = lang
        self._notified: set[tuple[str, str]] = set()
        self._toast_until = 0.0  # monotonic time the "new checkpoint" toast on screen goes away
        self._held: list[tuple[str, int | None]] = []  # new checkpoints waiting for that
        self._held_timer: Timer | None = None

    def once(self, key: str, message: str, severity: SeverityLevel = "information") -> None:
        """``message``, unless the one with this ``key`` was said already for this outputs folder."""
        if (str(self.outputs), key) in self._notified:
            return
        self._notified.add((str(self.outputs), key))
        self.app.notify(message, severity=severity)

    def announce(self, previous: Snapshot | None, snapshot: Snapshot, following: bool) -> None:
        state = snapshot.state
        if state is None:
            return
        # A new checkpoint (or a rewritten root state), not a new live step: those arrive every few seconds.
        # Newer means a larger step: falling back to an older one (the shown one was deleted) is no news.
        saved = (snapshot.checkpoint, snapshot.checkpoint_step)
        before = previous.checkpoint_step if previous is not None else None
        is_new = (
            previous is not None
            and saved != (previous.checkpoint, before)
            and (before is None or (saved[1] is not None and saved[1] > before))
        )
        if is_new and following and saved[0] is not None:
            self._checkpoint_arrived(saved[0], saved[1])

    def _checkpoint_arrived(self, name: str, step: int | None) -> None:
        """One toast per new checkpoint, or one for all that came while the previous toast was up."""
        self._held.append((name, step))
        wait = self._toast_until - time.monotonic()
        if wait <= 0:
            self._show_held()
        elif self._held_timer is None:
            self._held_timer = self.app.set_timer(wait, self._show_held)

    def _show_held(self) -> None:
        self._held_timer = None
        held, self._held = self._held, []
        if not held:
            return
        if len(held) == 1:
            message = t("new_checkpoint", self.lang, name=held[0][0], step=held[0][1])
        else:
            first, last = held[0][1], held[-1][1]
            message = t("new_checkpoints", self.lang, first=first, last=last, n=len(held))
        self._toast_until = time.monotonic() + TOAST_SECONDS
        self.app.notify(message)
