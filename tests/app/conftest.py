"""Shared by the dashboard tests: every watcher mode, and the app with its notifications recorded.

Handed out as fixtures (``poll_interval``, ``make_app``), as ``tests/conftest.py`` does (which also has
``wait_for``); the app itself comes from ``builders.apps``, as everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from builders.apps import Dashboard
from builders.apps import make_app as build_app


@pytest.fixture(params=[None, 0.2], ids=["inotify", "polling"])
def poll_interval(request: pytest.FixtureRequest) -> float | None:
    return request.param


@pytest.fixture
def make_app() -> Callable[..., Dashboard]:
    """``app, notes = make_app(outputs, poll, **options)``: :func:`builders.apps.make_app`."""
    return build_app
