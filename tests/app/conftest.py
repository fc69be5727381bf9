"""Shared by the dashboard tests: every watcher mode, the app with its notifications recorded, and waiting
under Pilot for what the app shows.

Handed out as fixtures (``poll_interval``, ``make_app``), as ``tests/conftest.py`` does (which also has
``wait_for``), rather than imported from this file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions

MakeApp = Callable[..., tuple[TrainmonApp, list[str]]]


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


@pytest.fixture
def make_app() -> MakeApp:
    """``make_app(outputs, poll, **app_kwargs)``: the dashboard on ``outputs`` (PNGs beside it, in ``png/``)
    and the list its notifications are recorded in."""
    return _make_app
