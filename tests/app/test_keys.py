"""The keys are described once: the footer, the help screen and the command palette all read the bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders.apps import make_app
from textual.binding import Binding

from trainmon_tui.ui import keys as key_table
from trainmon_tui.ui.help import help_rows
from trainmon_tui.ui.keys import KEYS, OVERVIEW


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_footer_help_and_palette_agree_with_the_bindings(tmp_path: Path, lang) -> None:
    app, _ = make_app(tmp_path / "outputs", lang=lang, watch=False)
    async with app.run_test(size=(100, 32)):
        own = [b for b in app.BINDINGS if isinstance(b, Binding)]
        # A key listed in the footer of some of its views is two bindings (keys.variants).
        flat = [
            (key, action, views, shown) for key in KEYS for action, views, shown in key_table.variants(key)
        ]
        assert len(own) == len(flat) > len(KEYS)
        rows = help_rows(app.BINDINGS, lang)
        for binding in own:  # every binding in the help, with what it does
            keys = next(k for k, what in rows if what == binding.tooltip)
            assert (binding.key_display or binding.key) in keys.split("  ")
        active = {key: binding for key, (_, binding, *_rest) in app.active_bindings.items()}
        zh = lang == "zh"
        for (key, action, views, shown), binding in zip(flat, own, strict=True):  # the footer shows it
            assert binding.action == action
            if views and OVERVIEW not in views:  # another view's: out of the overview's footer
                assert all(active.get(k) != binding for k in binding.key.split(","))
                continue
            # (Textual makes one binding per key of "plus,equals_sign": the same action, the same words)
            assert all(active[k].action == binding.action for k in binding.key.split(","))
            assert binding.show == (shown and bool(key.footer[zh]))
            assert binding.description == (key.footer[zh] or key.help[zh])
        assert not active["l"].show and active["l"].action == "quiet_log_scale(False)"
        by_action = {b.action: b for b in own}
        titles = {key.command for key in KEYS if key.command}
        palette = [c for c in app.get_system_commands(app.screen) if c.title in titles]
        assert len(palette) == len(titles)
        for command in palette:  # the palette runs a binding's action and says what the help says
            binding = by_action[command.callback.__name__.removeprefix("action_")]
            assert command.help.lower() == binding.tooltip.lower()


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_help_lists_the_keys_of_the_view_shown(tmp_path: Path, lang) -> None:
    from builders.apps import until

    from trainmon_tui.ui.help import HelpScreen

    app, _ = make_app(tmp_path / "outputs", lang=lang, watch=False)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await until(app, lambda: isinstance(app.screen, HelpScreen))
        overview = dict(app.screen.rows)
        assert "b" in overview and "/" not in overview and "1" in overview
        await pilot.press("escape")
        await until(app, lambda: not isinstance(app.screen, HelpScreen))
        await pilot.click("#tabs", offset=(16, 0))  # "2 Metrics", clicked
        await until(app, lambda: app.view == "metrics")
        await pilot.press("question_mark")
        await until(app, lambda: isinstance(app.screen, HelpScreen))
        metrics = dict(app.screen.rows)
        assert {"/", "n pgdn", "l", "m", "x", "z", "o", "L"} <= set(metrics)
        assert "b" not in metrics and "pgdn" not in metrics


def test_every_key_of_one_action_works_in_the_same_views() -> None:
    """Textual asks ``check_action`` by the action's name only: two keys of one name with other views
    would have the last one's views for both (``z`` in the evaluations view went dead so)."""
    by_name: dict[str, set[tuple[str, ...]]] = {}
    for key in key_table.KEYS:
        for action, views, _ in key_table.variants(key):
            by_name.setdefault(key_table.action_name(action), set()).add(views)
    assert {name: views for name, views in by_name.items() if len(views) > 1} == {}


async def test_on_the_help_screen_the_page_keys_scroll_the_help(tmp_path: Path) -> None:
    """The summary's PgDn is a priority key of the app: it scrolled the summary behind the help."""
    from builders.apps import until
    from textual.containers import VerticalScroll

    from trainmon_tui.simulate import RunConfig, SimulatedRun
    from trainmon_tui.ui.help import HelpScreen

    outputs = tmp_path / "outputs"
    SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=20)).save_at(50)
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(app, lambda: app.snapshot is not None and app.snapshot.state is not None)
        summary = app.query_one("#summary-scroll", VerticalScroll)
        await pilot.press("question_mark")
        await until(app, lambda: isinstance(app.screen, HelpScreen))
        help_scroll = app.screen.query_one("#help", VerticalScroll)
        await pilot.press("pagedown")
        await until(app, lambda: help_scroll.scroll_y > 0)
        assert summary.scroll_y == 0
        await pilot.press("2", "escape")  # a view key on the help does not switch the view behind it
        await until(app, lambda: not isinstance(app.screen, HelpScreen))
        assert app.view == "overview"
