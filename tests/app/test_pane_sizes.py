"""The dashboard at every pane size: resizes and odd sizes never take it down, and every size is readable.

Runs shaped like the real ones (losses and grad norms below 1, evaluations) used to end in plotext's
``math domain error`` on the first resize (its build takes the log of the log-scale data in place, so the
second render took it again), and in ``not enough values to unpack`` in tall, narrow panes.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from builders.apps import until_shown
from rich.style import Style
from rich.text import Text

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.views.chartdata import points_for_width

SIZES = [(80, 24), (100, 30), (60, 18), (50, 50), (160, 48), (40, 12), (80, 24), (200, 60), (120, 40)]


def realistic_run(outputs: Path, helpers, steps: int = 120) -> Path:
    """Losses and grad norms below 1 with evaluations, as on most real runs, in two checkpoints."""
    entries: list[dict[str, float | int]] = []
    for step in range(1, steps + 1):
        entries.append(
            {
                "loss": 0.9 * math.exp(-step / 60) + 0.05,
                "grad_norm": 0.05 + 0.8 * abs(math.sin(step / 7)),
                "learning_rate": 2e-5 * (1 - step / steps),
                "epoch": step / steps,
                "step": step,
            }
        )
        if step % 30 == 0:
            entries.append(
                {"eval_loss": 0.5 * math.exp(-step / 80) + 0.1, "epoch": step / steps, "step": step}
            )
    for at in (steps // 2, steps):
        history = [e for e in entries if int(e["step"]) <= at]
        helpers.write_state(
            outputs / f"checkpoint-{at}",
            helpers.trainer_state(history, global_step=at, max_steps=steps, epoch=at / steps),
        )
    return outputs


def painted(app: TrainmonApp) -> bool:
    return app.snapshot is not None and app.snapshot.charts is not None


async def test_resizes_through_every_pane_size_keep_the_app_up(tmp_path, helpers, make_app, wait_for) -> None:
    app, _notes = make_app(realistic_run(tmp_path / "out", helpers), None)
    async with app.run_test(size=SIZES[0]) as pilot:
        await wait_for(pilot, lambda: painted(app))
        for width, height in SIZES[1:]:
            await pilot.resize_terminal(width, height)
            await wait_for(pilot, lambda w=width, h=height: tuple(app.size) == (w, h))
            await until_shown(app, lambda s, w=width: s.max_points == points_for_width(w))  # charts for it
            for pane in app.query(ChartPane):  # what the compositor does on the next frame
                pane.render()
            assert app.is_running
        assert app.snapshot is not None and app.snapshot.state is not None
        assert app.snapshot.state.global_step == 120


@pytest.mark.parametrize("size", [(50, 50), (40, 12), (30, 10), (20, 5), (10, 40)])
async def test_starting_in_a_small_or_narrow_pane_keeps_the_app_up(
    size, tmp_path, helpers, make_app, wait_for
) -> None:
    app, _notes = make_app(realistic_run(tmp_path / "out", helpers), None)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: painted(app))
        for pane in app.query(ChartPane):
            pane.render()
        await pilot.pause()
        assert app.is_running


HOSTILE = "\x1b]0;TITLE\x07\x1b[2J[/oops]"


async def test_text_from_files_is_shown_as_data(tmp_path, helpers, make_app, wait_for) -> None:
    """A folder name and an eval key holding escape sequences and markup: visible, harmless, no crash."""
    outputs = tmp_path / "r[b]\x1b[2J"
    key = f"eval_{HOSTILE}_loss"
    entries = [
        {"loss": 0.5, "step": 1},
        {key: 0.4, "step": 1},
        {"loss": 0.3, "step": 2},
        {key: 0.2, "step": 2},
    ]
    helpers.write_state(outputs / "checkpoint-2", helpers.trainer_state(entries, global_step=2, max_steps=4))
    app, _notes = make_app(outputs, None)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: painted(app))
        info = app.query_one("#info").render()
        assert "r[b]\\x1b[2J" in str(info)
        legend = str(app.query_one("#chart-loss", ChartPane).render())
        assert "\\x1b]0;TITLE\\x07" in legend
        app.notify(f"about {outputs}")
        await pilot.pause()
        for text in (str(info), legend, *(str(n.message) for n in app._notifications)):
            assert "\x1b" not in text and "\x07" not in text
        assert app.is_running


async def test_no_color_draws_every_curve_in_the_foreground(tmp_path, helpers, make_app, wait_for) -> None:
    """With NO_COLOR a chart carries no colour of its own: nothing turns into a grey near the background."""
    app, _notes = make_app(realistic_run(tmp_path / "out", helpers), None)
    app.no_color = True  # what Textual sets from NO_COLOR
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: painted(app))
        for pane in app.query(ChartPane):
            text = pane.render()
            assert isinstance(text, Text) and text.plain.strip()
            assert not [span for span in text.spans if span.style and Style.parse(str(span.style)).color]


def test_a_long_folder_name_gives_way_in_the_info_bar() -> None:
    from trainmon_tui.ui.widgets.info import short_path

    name = "llama-3-8b-instruct-lora-r64-alpha128-lr2e-5-seed42"
    shown = short_path(Path("/data/runs") / name, 16)
    assert len(shown) <= 16 and shown.endswith("seed42")
    assert short_path(Path("runs/bert"), 16) == "runs/bert"


@pytest.mark.parametrize("size", [(60, 18), (40, 12), (80, 23), (100, 31)])
async def test_an_odd_line_goes_to_the_loss_charts_row(tmp_path, helpers, make_app, size) -> None:
    """At 60x18 the charts get 11 lines: Textual gave the sixth to the bottom row, so the grad norm and
    histogram were drawn and the loss chart was only its title and latest value."""
    from trainmon_tui.views.charts import fits

    app, _ = make_app(realistic_run(tmp_path / "outputs", helpers), None)
    async with app.run_test(size=size) as pilot:
        await until_shown(app, lambda s: s.charts is not None)
        await pilot.pause()
        heights = {pane.chart: pane.content_size.height for pane in app.query(ChartPane)}
        assert heights["loss"] == heights["lr"] >= heights["grad_norm"] == heights["hist"]
        assert heights["loss"] - heights["grad_norm"] <= 1
        loss = app.query_one("#chart-loss", ChartPane)
        grad = app.query_one("#chart-grad_norm", ChartPane)
        assert fits(*loss.content_size) or not fits(*grad.content_size)  # never the grad norm alone
