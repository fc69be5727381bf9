"""The summary pane at 80x24: the side pane is 38 columns, and no line of a finished long run is cut."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

from rich.cells import cell_len

from trainmon_tui.ui.widgets.summary import SummaryPane


def finished_long_run(outputs: Path, helpers) -> Path:
    """A run of 8660 steps, finished, with a NaN grad norm and two eval sets (as the real Mistral run)."""
    entries = [
        {"epoch": 4.0, "grad_norm": math.nan, "learning_rate": 0.0, "loss": 0.2892, "step": 8660},
        {"epoch": 4.0, "eval_wiki_loss": 0.31, "eval_wiki_runtime": 9.5, "step": 8660},
        {"epoch": 4.0, "eval_code_loss": 0.42, "eval_code_runtime": 9.5, "step": 8660},
    ]
    state = helpers.trainer_state(entries, global_step=8660, max_steps=8660, epoch=4.0, num_train_epochs=4)
    helpers.write_state(outputs / "checkpoint-8660", state)
    return outputs


async def test_no_summary_line_is_cut_at_80x24(tmp_path, helpers, make_app, wait_for) -> None:
    app, _notes = make_app(finished_long_run(tmp_path / "out", helpers), None)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(SummaryPane)
        await wait_for(pilot, lambda: "8660 /" in pane.content.plain)  # type: ignore[union-attr]
        scroll = app.query_one("#summary-scroll")
        await wait_for(pilot, lambda: laid_out(app) and scroll.show_vertical_scrollbar)  # it overflows
        text = pane.content.plain  # type: ignore[union-attr]
        width = pane.content_region.width
        assert width == 36  # 38 columns less the border and the scrollbar
        assert "8660 / 8660 (100%)" in text and "Eval set code" in text
        too_long = [line for line in text.splitlines() if cell_len(line) > width]
        assert not too_long, too_long


async def test_the_essentials_are_visible_at_80x24(tmp_path, helpers, make_app, wait_for) -> None:
    """Progress, speed/ETA, current/min loss and trend, learning rate, grad norm, the latest eval loss and
    the best checkpoint are on the screen at 80x24 as it opens, with no scrolling (issue 9 item 5)."""
    outputs = tmp_path / "out"
    entries = [
        {"epoch": 0.25, "grad_norm": 0.61, "learning_rate": 2e-5, "loss": 0.95, "step": 50},
        {"epoch": 0.5, "grad_norm": 0.62, "learning_rate": 2e-5, "loss": 0.9, "step": 100},
        {"epoch": 0.5, "eval_loss": 0.777, "step": 100},
    ]
    state = helpers.trainer_state(
        entries, global_step=100, max_steps=200, epoch=0.5, num_train_epochs=1,
        best_metric=0.777, best_model_checkpoint=str(outputs / "checkpoint-100"),
    )  # fmt: skip
    helpers.write_state(outputs / "checkpoint-50", state)
    helpers.write_state(outputs / "checkpoint-100", state)
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(SummaryPane)
        await wait_for(pilot, lambda: "100 /" in pane.content.plain)  # type: ignore[union-attr]
        await wait_for(pilot, lambda: laid_out(app))
        shown = screen_text(app)
        for wanted in ("Step", "ETA", "Current", "Min", "Trend", "Learning rate", "Grad norm", "0.777"):
            assert wanted in shown, (wanted, shown)
        assert "Best" in shown and shown.count("checkpoint-100") >= 3, shown  # info bar, list, best


def laid_out(app) -> bool:
    """The summary's scroll has settled on whether it needs its scrollbar (which narrows the pane)."""
    from textual.containers import VerticalScroll

    scroll = app.query_one("#summary-scroll", VerticalScroll)
    pane = app.query_one(SummaryPane)
    rows = pane.size.height > 1  # the summary's rows (the waiting line is one)
    fits = pane.outer_size.width == scroll.scrollable_content_region.width  # laid out in the scroll as it is
    return rows and fits and scroll.show_vertical_scrollbar == (scroll.max_scroll_y > 0)


def screen_text(app) -> str:
    """The screen as text: the SVG screenshot's text runs."""
    svg = app.export_screenshot()
    runs = re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)
    return html.unescape("\n".join(runs)).replace("\xa0", " ")


async def test_page_keys_scroll_the_summary_without_tab(tmp_path, helpers, make_app, wait_for) -> None:
    from textual.containers import VerticalScroll

    app, _notes = make_app(finished_long_run(tmp_path / "out", helpers), None)
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(SummaryPane)
        await wait_for(pilot, lambda: "8660 /" in pane.content.plain)  # type: ignore[union-attr]
        scroll = app.query_one("#summary-scroll", VerticalScroll)
        await wait_for(pilot, lambda: scroll.max_scroll_y > 0)
        assert scroll.scroll_y == 0 and app.focused is not scroll
        await pilot.press("pagedown")
        await wait_for(pilot, lambda: scroll.scroll_y > 0)
        await pilot.press("pageup")
        await wait_for(pilot, lambda: scroll.scroll_y == 0)
