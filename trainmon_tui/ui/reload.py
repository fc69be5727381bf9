"""The reload controller: bursts of changes throttled into one reload, and never two reloads in flight.

The reload runs in a thread worker (the app's ``@work`` method) and ends with a message, ``SnapshotTaken`` or
``ReloadFailed``; the app tells the controller with :meth:`ReloadController.finished`. The state cache and
the live followers the reload uses are not thread-safe, so a request made while one is in flight is kept
(one, however many come; forced when any of them was) and started when it ends. Textual's ``exclusive``
workers would not do: cancelling a worker does not stop its thread, and threads waiting on a lock would
fill the small executor that every thread worker shares.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.timer import Timer

# A save is a burst of events (folder, marker, state file, then rotation's deletions), and a live log may be
# appended many times a second: the first event of a burst schedules one reload this much later, and the
# events until then ride along. A throttle, not a resetting debounce, so a steady stream cannot starve it.
COALESCE_SECONDS = 0.05


class ReloadController:
    """Decides when ``start(force)`` runs; all of it on the app's thread (no locks).

    ``force`` asks for a snapshot even when the folder's fingerprint has not changed (a new width, the
    user's ``r``, a retry of a half-written file).
    """

    def __init__(
        self,
        start: Callable[[bool], object],
        set_timer: Callable[[float, Callable[[], None]], Timer],
        coalesce_seconds: float = COALESCE_SECONDS,
    ) -> None:
        self._start = start
        self._set_timer = set_timer
        self._coalesce_seconds = coalesce_seconds
        self._in_flight = False
        self._queued: bool | None = None  # the request waiting for the one in flight: its force
        self._timer: Timer | None = None

    @property
    def idle(self) -> bool:
        """No reload in flight, queued or scheduled."""
        return not self._in_flight and self._queued is None and self._timer is None

    def now(self, force: bool = False) -> None:
        """Start a reload, or queue one behind the reload in flight."""
        if self._in_flight:
            self._queued = force or bool(self._queued)
            return
        self._in_flight = True
        self._start(force)

    def soon(self) -> None:
        """A change on disk: a reload a moment from now, unless one is scheduled already."""
        if self._timer is None:
            self._timer = self._set_timer(self._coalesce_seconds, self._due)

    def finished(self) -> None:
        """The reload in flight has ended (its message arrived): start the queued one, if any."""
        self._in_flight = False
        if self._queued is not None:
            force, self._queued = self._queued, None
            self.now(force)

    def _due(self) -> None:
        self._timer = None
        self.now()
