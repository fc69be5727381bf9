"""How the dashboard looks at every kind of pane (pytest-textual-snapshot; update with --snapshot-update).

The run is the seeded simulator's, with fixed modification times and a relative outputs path, so the
picture does not depend on when or where the test runs.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from builders.apps import make_app, until_shown
from textual.containers import ScrollableContainer
from textual.pilot import Pilot

from trainmon_tui.files.model import STATE_FILE
from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.help import HelpScreen
from trainmon_tui.ui.widgets.summary import SummaryPane
from trainmon_tui.views.chartdata import points_for_width
from trainmon_tui.views.i18n import Lang

FIXED_MTIME = 1_767_225_600  # 2026-01-01 00:00:00 UTC


@pytest.fixture
def run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    outputs = Path("outputs")
    run = SimulatedRun(
        outputs,
        RunConfig(max_steps=500, save_steps=100, eval_steps=50, logging_steps=2, nan_steps=frozenset({124})),
    )
    for step in (100, 200, 300):
        run.save_at(step)
    for folder in outputs.iterdir():
        mtime = FIXED_MTIME + int(folder.name.split("-")[1])  # one step a second
        os.utime(folder / STATE_FILE, (mtime, mtime))
    yield outputs
    time.tzset()


def dashboard(outputs: Path, lang: Lang = "en") -> TrainmonApp:
    """Watching off: the first reload is the only one, so nothing in the picture depends on timing."""
    clock = lambda: FIXED_MTIME + 330.0  # noqa: E731 - 30 s after checkpoint-300 was written
    return make_app(outputs, lang=lang, watch=False, clock=clock).app


async def loaded(pilot: Pilot) -> None:
    """Until the run is shown with charts for the pane's width, and the layout has settled."""
    app = pilot.app
    assert isinstance(app, TrainmonApp)
    await until_shown(app, lambda s: s.state is not None and s.max_points == points_for_width(app.size.width))
    summary = app.query_one(SummaryPane)
    scroll = summary.parent
    assert isinstance(scroll, ScrollableContainer)

    def settled() -> bool:
        laid_out = summary.size.height > 1  # the summary's rows (the waiting line is one)
        return app.reloads.idle and laid_out and scroll.show_vertical_scrollbar == (scroll.max_scroll_y > 0)

    await settle(pilot, settled)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


async def settle(pilot: Pilot, condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Until ``condition()``, one round of the app's messages at a time (layout passes, not a clock).

    Bounded by time, not by a count of rounds: on a loaded machine the reload worker's thread can take
    longer than 100 rounds of an otherwise idle loop (the 40x12 picture failed so, now and then)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause()
    raise AssertionError(f"not settled after {timeout} s")


SIZES = [(80, 24), (160, 48), (60, 18), (50, 50), (40, 12)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_main_screen(snap_compare, run_folder: Path, size: tuple[int, int]) -> None:
    assert snap_compare(dashboard(run_folder), terminal_size=size, run_before=loaded)


def test_help_screen(snap_compare, run_folder: Path) -> None:
    async def open_help(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    assert snap_compare(dashboard(run_folder), terminal_size=(80, 24), run_before=open_help)


def test_side_pane_hidden(snap_compare, run_folder: Path) -> None:
    """``b`` at 60x18: the charts get the whole pane, and are drawn instead of their compact form."""

    async def hide_side(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("b")
        await settle(pilot, lambda: pilot.app.screen.has_class("-side-hidden"))
        await pilot.pause()

    assert snap_compare(dashboard(run_folder), terminal_size=(60, 18), run_before=hide_side)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)], ids=["80x24", "160x48"])
def test_main_screen_in_chinese(snap_compare, run_folder: Path, size: tuple[int, int]) -> None:
    """Labels, footer, info bar and the checkpoint list in Chinese; wide characters keep borders in place."""
    assert snap_compare(dashboard(run_folder, "zh"), terminal_size=size, run_before=loaded)


def test_help_screen_in_chinese(snap_compare, run_folder: Path) -> None:
    async def open_help(pilot: Pilot) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        await pilot.pause()

    assert snap_compare(dashboard(run_folder, "zh"), terminal_size=(80, 24), run_before=open_help)
