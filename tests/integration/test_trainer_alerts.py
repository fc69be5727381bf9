"""The alerts on a real ``transformers.Trainer`` (CPU, tiny model): the weights turned NaN at a chosen
step; ``TrainmonCallback(stop_on_nan=True)`` saves and stops there, ``--check`` exits 3 naming the step,
and the dashboard (Pilot) says it once."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from builders.apps import make_app, until  # noqa: E402

from trainmon_tui.callback import TrainmonCallback  # noqa: E402
from trainmon_tui.live.follower import read_live_log  # noqa: E402
from trainmon_tui.live.schema import LIVE_LOG_FILE  # noqa: E402

NAN_AT = 6  # the first step whose loss is NaN
MAX_STEPS = 10


class PoisonAt(transformers.TrainerCallback):
    """Before step ``NAN_AT``, every weight of the model becomes NaN: its loss is NaN from then on."""

    def on_step_begin(self, args: Any, state: Any, control: Any, model: Any = None, **kwargs: Any) -> None:
        if state.global_step == NAN_AT - 1 and model is not None:
            with torch.no_grad():
                for parameter in model.parameters():
                    parameter.fill_(math.nan)


@pytest.fixture(scope="module")
def stopped_run(tmp_path_factory: pytest.TempPathFactory, tiny_trainer: Callable[..., Any]) -> Path:
    out = tmp_path_factory.mktemp("nan-run")
    callback = TrainmonCallback(stop_on_nan=True)
    trainer = tiny_trainer(
        out,
        max_steps=MAX_STEPS,
        callbacks=[PoisonAt(), callback],
        report_to="none",
        logging_nan_inf_filter=False,
    )
    with pytest.warns(RuntimeWarning, match=f"at step {NAN_AT}: saving and stopping"):
        trainer.train()
    assert callback.stopped_at == NAN_AT
    return out


def test_stop_on_nan_saves_and_stops_at_the_nan_step(stopped_run: Path) -> None:
    assert (stopped_run / f"checkpoint-{NAN_AT}" / "trainer_state.json").is_file()
    live = read_live_log(stopped_run / LIVE_LOG_FILE)
    losses = [(r.step, r.values["loss"]) for r in live.logs if "loss" in r.values]
    assert losses[-1][0] == NAN_AT and math.isnan(losses[-1][1])
    assert all(step < NAN_AT for step, loss in losses[:-1] if math.isfinite(loss))
    assert live.end is not None  # a clean stop: on_train_end ran


def test_check_exits_3_naming_the_step(stopped_run: Path) -> None:
    script = Path(sys.executable).parent / "trainmon-tui"
    done = subprocess.run(
        [str(script), str(stopped_run), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"Loss is NaN at step {NAN_AT}" in done.stdout


async def test_the_dashboard_tells_it_once(stopped_run: Path) -> None:
    app, notes = make_app(stopped_run, watch=False)
    app.bell = lambda: None  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)):
        await until(app, lambda: any(f"Loss is NaN at step {NAN_AT}" in n for n in notes))
        assert sum(f"Loss is NaN at step {NAN_AT}" in n for n in notes) == 1
