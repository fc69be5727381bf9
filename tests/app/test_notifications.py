"""Notifications inform without hiding: short, one a burst, all kept in the event log (``e``); the command
palette offers the dashboard's own actions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui import notices
from trainmon_tui.ui.events import EventLogScreen, events_table
from trainmon_tui.ui.help import help_rows

SIZE = (100, 32)


def run_in(outputs: Path) -> SimulatedRun:
    config = RunConfig(max_steps=100, save_steps=10, eval_steps=20, save_total_limit=None)
    return SimulatedRun(outputs, config)


def shown(app) -> str | None:
    return app.snapshot.state.name if app.snapshot and app.snapshot.state else None


async def test_checkpoints_arriving_while_a_toast_is_up_come_as_one(
    tmp_path: Path, make_app, wait_for, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notices, "TOAST_SECONDS", 1.5)
    outputs = tmp_path / "outputs"
    run = run_in(outputs)
    run.save_at(10)
    app, notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        run.save_at(20)
        await wait_for(pilot, lambda: "New checkpoint-20 (step 20)" in notes)
        for step in (30, 40):  # both while the toast for checkpoint-20 is still up
            run.save_at(step)
            await wait_for(pilot, lambda s=step: shown(app) == f"checkpoint-{s}")
        await wait_for(pilot, lambda: "New checkpoints 30–40 (2)" in notes)
        assert not any("checkpoint-30 (step" in n or "checkpoint-40 (step" in n for n in notes)


async def test_the_event_log_keeps_every_notification(tmp_path: Path, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(10)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        app.notify("something \x1b[2J happened")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, EventLogScreen))
        console = Console(width=120, file=io.StringIO(), record=True)
        console.print(events_table(app.screen.events, "en"))  # what the screen's table shows
        text = console.export_text()
        assert "something \\x1b[2J happened" in text and "\x1b" not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, EventLogScreen))


async def test_the_command_palette_offers_the_dashboards_actions(tmp_path: Path, make_app, wait_for) -> None:
    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(10)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for wanted in ("Save PNG", "Reload", "Follow latest", "Side pane", "Events", "Help", "Theme", "Quit"):
            assert wanted in titles
        assert "Screenshot" not in titles  # it wrote into ~/Downloads, which a server seldom has
        save = next(c for c in app.get_system_commands(app.screen) if c.title == "Save PNG")
        save.callback()
        png = tmp_path / "png"
        await wait_for(pilot, lambda: any(png.glob("*.png")), timeout=30)


async def test_the_footer_help_and_list_speak_chinese(tmp_path: Path, wait_for) -> None:
    from trainmon_tui.ui.app import dashboard_app
    from trainmon_tui.ui.help import HelpScreen
    from trainmon_tui.ui.options import DashboardOptions
    from trainmon_tui.ui.widgets.checkpoints import CheckpointList

    outputs = tmp_path / "outputs"
    run_in(outputs).save_at(10)
    app = dashboard_app(DashboardOptions(outputs=outputs, lang="zh", export_dir=tmp_path / "png"))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown(app) == "checkpoint-10")
        footer = {binding.description for _, binding, *_ in app.active_bindings.values() if binding.show}
        assert {"重新加载", "跟随", "退出"} <= footer
        follow = app.query_one(CheckpointList).get_option_at_index(0).prompt
        assert "跟随最新" in str(follow)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = " ".join(f"{key} {what}" for key, what in help_rows(app.BINDINGS, "zh"))
        assert "立即重新加载" in help_text and isinstance(app.screen, HelpScreen) and app.screen.lang == "zh"
