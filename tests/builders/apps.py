"""The dashboard app for tests, its notifications recorded, and waiting for the snapshots it applies.

``make_app`` builds the app as the command line does (``dashboard_app``, so ``lang="zh"`` gives the Chinese
footer); ``Applied`` and ``until_shown`` wait on its :class:`~trainmon_tui.ui.messages.SnapshotApplied`
messages (through Textual's ``message_signal``), so that a test waits for a positive event, then asserts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from textual.message import Message

from trainmon_tui.pipeline import Snapshot
from trainmon_tui.ui.app import TrainmonApp, dashboard_app
from trainmon_tui.ui.messages import SnapshotApplied
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.views.i18n import Lang

Condition = Callable[[Snapshot], bool]


class Dashboard(NamedTuple):
    app: TrainmonApp
    notes: list[str]  # every notification's message, in order


def make_app(
    outputs: Path,
    poll: float | None = None,
    *,
    lang: Lang = "en",
    watch: bool = True,
    rescan_seconds: float = 0.5,
    clock: Callable[[], float] | None = None,
    export_dir: Path | None = None,
    **options: Any,
) -> Dashboard:
    """The dashboard on ``outputs`` (PNGs into ``export_dir``, by default ``png/`` beside ``outputs``).

    ``poll``: the watcher's polling interval (None: inotify); ``watch=False``: no watcher and no rescan, for
    pictures that cannot depend on timing; ``clock``: the wall time for "last update" and the ETA;
    ``options``: more :class:`DashboardOptions` (``bell``, ``on_alert``, ...).
    """
    export = export_dir if export_dir is not None else outputs.parent / "png"
    chosen = DashboardOptions(outputs=outputs, lang=lang, poll_interval=poll, export_dir=export, **options)
    app = dashboard_app(chosen, rescan_seconds=rescan_seconds, watch=watch)
    if clock is not None:
        app.clock = clock
    notes: list[str] = []
    original = app.notify

    def record(message: str, **kw: object) -> None:
        notes.append(message)
        original(message, **kw)  # type: ignore[arg-type]

    app.notify = record  # type: ignore[method-assign]
    return Dashboard(app, notes)


def always(_snapshot: Snapshot) -> bool:
    return True


class Applied:
    """The snapshots ``app`` applies from now on (its ``SnapshotApplied`` messages), to wait on.

    Create it (the app running) before the action whose outcome the test waits for.
    """

    def __init__(self, app: TrainmonApp) -> None:
        self.snapshots: list[Snapshot] = []
        self._arrived = asyncio.Event()
        app.message_signal.subscribe(app, self._seen, immediate=True)

    def _seen(self, message: Message) -> None:
        if isinstance(message, SnapshotApplied):
            self.snapshots.append(message.snapshot)
            self._arrived.set()

    async def wait(self, condition: Condition = always, timeout: float = 10.0) -> Snapshot:
        """The first snapshot applied since this was created for which ``condition`` holds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for snapshot in self.snapshots:
                if condition(snapshot):
                    return snapshot
            self._arrived.clear()
            left = deadline - loop.time()
            if left <= 0:
                seen = len(self.snapshots)
                raise AssertionError(f"no fitting snapshot applied in {timeout} s ({seen} were)")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), left)


async def until_shown(app: TrainmonApp, condition: Condition = always, timeout: float = 10.0) -> Snapshot:
    """The snapshot on screen once one for which ``condition`` holds is (it may be already)."""
    applied = Applied(app)  # first listen, then look: nothing applied in between is missed
    if app.snapshot is not None and condition(app.snapshot):
        return app.snapshot
    return await applied.wait(condition, timeout)


async def until(app: TrainmonApp, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Once ``condition()`` holds, checked again after each message the app handles (a view's
    ``MetricsShown`` among them): for what the widgets show rather than which snapshot."""
    arrived = asyncio.Event()

    def seen(_message: Message) -> None:
        arrived.set()

    app.message_signal.subscribe(app, seen, immediate=True)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        arrived.clear()
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"not so after {timeout} s")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(arrived.wait(), min(left, 0.5))
