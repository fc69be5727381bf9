"""Reloading: bursts throttled, never two reloads at once (the cache and the followers are not thread-safe),
a failure said and survived, a pinned checkpoint that reloads when set, and resizes that stay off the disk."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from builders.apps import Applied, until_shown

from trainmon_tui.pipeline import snapshot as pipeline
from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui import following
from trainmon_tui.ui.messages import FolderChanged
from trainmon_tui.ui.reload import ReloadController
from trainmon_tui.views.chartdata import points_for_width

SIZE = (100, 32)


class FakeTimer:
    def __init__(self, callback: Any) -> None:
        self.callback = callback


class Recorder:
    """``start`` and ``set_timer`` for a controller on its own: what it started, what it scheduled."""

    def __init__(self) -> None:
        self.started: list[bool] = []
        self.timers: list[FakeTimer] = []

    def start(self, force: bool) -> None:
        self.started.append(force)

    def set_timer(self, _delay: float, callback: Any) -> Any:
        self.timers.append(FakeTimer(callback))
        return self.timers[-1]


def test_requests_during_a_reload_make_one_more_forced_if_any_was() -> None:
    record = Recorder()
    reloads = ReloadController(record.start, record.set_timer)
    reloads.now()
    for force in (False, True, False):
        reloads.now(force)
    assert record.started == [False]  # one in flight, the others wait
    reloads.finished()
    assert record.started == [False, True]  # one for the three, forced as one of them was
    reloads.finished()
    assert record.started == [False, True] and reloads.idle


def test_a_burst_of_changes_schedules_one_reload() -> None:
    record = Recorder()
    reloads = ReloadController(record.start, record.set_timer)
    for _ in range(5):
        reloads.soon()
    assert len(record.timers) == 1 and record.started == []
    record.timers[0].callback()
    assert record.started == [False]
    reloads.soon()  # the next burst, while that reload runs: scheduled, then queued behind it
    record.timers[1].callback()
    assert record.started == [False]
    reloads.finished()
    assert record.started == [False, False]


def run_in(outputs: Path) -> SimulatedRun:
    return SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=20))


class Overlaps:
    """take_snapshot, slowed a little and watched: how many calls, and how many ran at once at most."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls = 0
        self.inside = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            self.calls += 1
            self.inside += 1
            self.most = max(self.most, self.inside)
        try:
            time.sleep(0.01)  # widens the window another reload would have to overlap this one
            return self.real(*args, **kwargs)
        finally:
            with self._lock:
                self.inside -= 1


async def test_two_reloads_never_overlap(
    tmp_path: Path, make_app, wait_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    watched = Overlaps(following.take_snapshot)
    monkeypatch.setattr(following, "take_snapshot", watched)
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await until_shown(app, lambda s: s.state is not None)
        for round_ in range(12):  # a flood of events, presses of r and a change of pin, again and again
            before = watched.calls
            for _ in range(5):
                app.post_message(FolderChanged(str(outputs)))
                app.action_reload()
            if round_ % 4 == 0:
                app.action_toggle_follow()
            await wait_for(pilot, lambda before=before: watched.calls > before)
        await wait_for(pilot, lambda: app.reloads.idle)
    assert watched.calls >= 12
    assert watched.most == 1
    assert not [n for n in notes if n.startswith("reload failed")]


async def test_a_failing_reload_is_said_and_the_next_one_works(
    tmp_path: Path, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(10)
    real = following.take_snapshot
    failures = [RuntimeError("disk on fire")]

    def sometimes(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(following, "take_snapshot", sometimes)
    app, notes = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        applied = Applied(app)
        await pilot.press("r")
        snapshot = await applied.wait()
        assert snapshot.state is not None and snapshot.state.name == "checkpoint-10"
        assert "reload failed: disk on fire" in notes
        assert app.is_running


async def test_setting_the_pinned_checkpoint_reloads_and_marks_the_info_bar(tmp_path: Path, make_app) -> None:
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    for step in (10, 20):
        run.save_at(step)
    app, _ = make_app(outputs, None, watch=False)
    async with app.run_test(size=SIZE):
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        assert "pinned" not in str(app.query_one("#info").render())
        app.pinned = outputs / "checkpoint-10"
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-10")
        assert "pinned" in str(app.query_one("#info").render())
        app.pinned = None
        await until_shown(app, lambda s: s.checkpoint == "checkpoint-20")
        assert "pinned" not in str(app.query_one("#info").render())


async def test_a_resize_prepares_the_charts_again_without_reading_the_folder(
    tmp_path: Path, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(100)
    watched = Overlaps(following.take_snapshot)
    monkeypatch.setattr(following, "take_snapshot", watched)
    app, _ = make_app(outputs, None, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        first = await until_shown(app, lambda s: s.state is not None)
        assert first.max_points == points_for_width(80)
        calls = watched.calls
        for width, height in ((160, 48), (60, 18), (120, 40)):
            await pilot.resize_terminal(width, height)
            resized = await until_shown(app, lambda s, w=width: s.max_points == points_for_width(w))
            assert resized.state is first.state and resized.charts is not None
            assert len(resized.charts.loss) == 100
        assert watched.calls == calls


async def test_a_chart_bug_found_on_a_resize_is_a_warning_until_it_heals(
    tmp_path: Path, make_app, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The charts prepared again for a new width carry their own warning: shown while preparing fails,
    gone once it works again, never the reload's stale one."""
    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(100)
    app, _ = make_app(outputs, None, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        first = await until_shown(app, lambda s: s.state is not None)
        assert first.warnings == ()
        real = pipeline.prepare

        def broken(*args: object, **kwargs: object) -> None:
            raise ValueError("boom")

        monkeypatch.setattr(pipeline, "prepare", broken)
        await pilot.resize_terminal(120, 40)
        failed = await until_shown(app, lambda s: s.max_points == points_for_width(120))
        assert [str(w) for w in failed.warnings] == ["charts: cannot prepare (ValueError: boom)"]
        assert "cannot prepare" in str(app.query_one("#problems").render())
        monkeypatch.setattr(pipeline, "prepare", real)
        await pilot.resize_terminal(160, 48)
        healed = await until_shown(app, lambda s: s.max_points == points_for_width(160))
        assert healed.warnings == () and healed.charts is not None
        assert not app.query_one("#problems").display
