"""The overview strip under Pilot: the trainer's headline metrics as sparklines under the four charts, on
tall screens only, following new checkpoints, and hostile keys shown as text."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from builders.apps import make_app, until, until_shown
from builders.fixtures import needs_real, real_run

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.widgets.strip import HeadlineStrip
from trainmon_tui.views.sparkline import GAP

GRPO = "15_trl_grpo_perstep_negzero_loss_ckpt250.json"


def strip_text(app: TrainmonApp) -> str:
    strip = app.query_one(HeadlineStrip)
    return str(strip.render()) if strip.display and strip.region.height else ""


def items(text: str) -> list[tuple[str, str, str]]:
    """``key spark value`` items of the strip's line."""
    return [tuple(item.split(" ")) for item in text.split(" " * GAP)]  # type: ignore[misc]


def dpo_log(steps: int) -> list[dict[str, float]]:
    return [
        {"loss": 0.7 - i / 1000, "rewards/margins": 0.01 * i, "rewards/accuracies": 0.5, "step": i}
        for i in range(1, steps + 1)
    ]


async def test_a_dpo_run_shows_margins_and_accuracies_and_follows(
    helpers: SimpleNamespace, tmp_path: Path
) -> None:
    outputs = tmp_path / "outputs"
    helpers.write_state(outputs / "checkpoint-50", helpers.trainer_state(dpo_log(50), global_step=50))
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)):
        await until_shown(app, lambda s: s.state is not None)
        await until(app, lambda: "rewards/margins" in strip_text(app))
        margins, accuracies = items(strip_text(app))
        assert margins[0] == "rewards/margins" and margins[1][0] == "▁" and margins[1][-1] == "█"  # rising
        assert margins[2] == "0.5"
        assert (
            accuracies[0] == "rewards/accuracies" and set(accuracies[1]) == {"▄"} and accuracies[2] == "0.5"
        )
        helpers.write_state(outputs / "checkpoint-80", helpers.trainer_state(dpo_log(80), global_step=80))
        app.reloads.now(force=True)
        await until(app, lambda: items(strip_text(app))[0][2] == "0.8")
        region = app.query_one(HeadlineStrip).region
        charts = app.query_one("#charts").region
        assert region.y == charts.bottom and region.height == 1  # right under the four charts


async def test_hidden_on_short_screens_and_for_a_plain_run(helpers: SimpleNamespace, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    helpers.write_state(outputs / "checkpoint-50", helpers.trainer_state(dpo_log(50), global_step=50))
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_shown(app, lambda s: s.state is not None)
        strip = app.query_one(HeadlineStrip)
        assert strip.has_class("-filled")  # it has something to show, and the screen is short
        assert strip.region.height == 0
        await pilot.resize_terminal(120, 40)
        await until(app, lambda: "rewards/margins" in strip_text(app))

    plain = tmp_path / "plain"
    log = [{"loss": 1.0 / i, "learning_rate": 1e-5, "step": i} for i in range(1, 30)]
    helpers.write_state(plain / "checkpoint-29", helpers.trainer_state(log, global_step=29))
    app, _ = make_app(plain, watch=False)
    async with app.run_test(size=(160, 48)):
        await until_shown(app, lambda s: s.state is not None)
        assert not app.query_one(HeadlineStrip).has_class("-filled")
        assert app.query_one(HeadlineStrip).region.height == 0
        assert app.query_one("#charts").region.bottom == app.query_one("#chart-area").region.bottom


async def test_a_hostile_key_is_text(helpers: SimpleNamespace, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    key = "eval_[bold]acc\x1b[2J"
    log = [{"loss": 1.0, "step": i} for i in range(1, 10)] + [
        {"eval_loss": 1.0, key: 0.1 * i, "step": i} for i in (3, 6, 9)
    ]
    helpers.write_state(outputs / "checkpoint-9", helpers.trainer_state(log, global_step=9))
    app, _ = make_app(outputs, watch=False)
    async with app.run_test(size=(160, 48)):
        await until_shown(app, lambda s: s.state is not None)
        await until(app, lambda: "eval_[bold]acc" in strip_text(app))
        assert "\x1b" not in strip_text(app) and "\\x1b[2J" in strip_text(app)


@needs_real
async def test_a_real_grpo_run_shows_reward_and_kl(tmp_path: Path) -> None:
    app, _ = make_app(real_run(tmp_path, GRPO), watch=False)
    async with app.run_test(size=(160, 48)):
        await until(app, lambda: "reward" in strip_text(app) and "kl" in strip_text(app))
        assert strip_text(app).index("reward") < strip_text(app).index("kl")
