"""Shared by the dashboard tests: every watcher mode, the app with its notifications recorded, and waiting
under Pilot for what the app shows.

Handed out as fixtures (``poll_interval``, ``make_app``, ``wait_for``), as ``tests/conftest.py`` does, rather
than imported from this file.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions

MakeApp = Callable[..., tuple[TrainmonApp, list[str]]]
WaitFor = Callable[..., Awaitable[None]]


@pytest.fixture(params=[None, 0.2], ids=["inotify", "polling"])
def poll_interval(request: pytest.FixtureRequest) -> float | None:
    return request.param


def _make_app(outputs: Path, poll: float | None, **kwargs: object) -> tuple[TrainmonApp, list[str]]:
    options = DashboardOptions(outputs=outputs, poll_interval=poll, export_dir=outputs.parent / "png")
    app = TrainmonApp(options, rescan_seconds=0.5, **kwargs)  # type: ignore[arg-type]
    notes: list[str] = []
    original = app.notify

    def record(message: str, **kw: object) -> None:
        notes.append(message)
        original(message, **kw)  # type: ignore[arg-type]

    app.notify = record  # type: ignore[method-assign]
    return app, notes


async def _wait_for(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    waited = 0.0
    while not condition():
        if waited > timeout:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.05)
        waited += 0.05


@pytest.fixture
def make_app() -> MakeApp:
    """``make_app(outputs, poll, **app_kwargs)``: the dashboard on ``outputs`` (PNGs beside it, in ``png/``)
    and the list its notifications are recorded in."""
    return _make_app


@pytest.fixture
def wait_for() -> WaitFor:
    """``await wait_for(pilot, condition, timeout=10.0)``: pause until ``condition()``, or fail."""
    return _wait_for
