"""The dashboard (Pilot) on a real ``transformers.Trainer`` training in a thread with ``TrainmonCallback``:
it shows a step logged between two checkpoints while the next checkpoint does not exist yet.

Training is held at step 6 (checkpoints every 4 steps) by a callback that waits until the test has looked.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from trainmon_tui.callback import TrainmonCallback  # noqa: E402
from trainmon_tui.ui.app import TrainmonApp  # noqa: E402
from trainmon_tui.ui.options import DashboardOptions  # noqa: E402

HOLD_AT = 6


class Hold(transformers.TrainerCallback):
    """Blocks the training loop after step ``HOLD_AT`` was logged, until released."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.release = threading.Event()

    def on_log(self, args: Any, state: Any, control: Any, logs: Any = None, **kwargs: Any) -> None:
        if state.global_step == HOLD_AT and "loss" in (logs or {}):
            self.reached.set()
            self.release.wait(120)


async def test_dashboard_shows_a_step_between_checkpoints(tmp_path: Path, tiny_trainer, wait_for) -> None:
    outputs = tmp_path / "out"
    hold = Hold()
    trainer = tiny_trainer(outputs, max_steps=12, callbacks=[TrainmonCallback(), hold], report_to="none")
    failure: list[BaseException] = []

    def train() -> None:
        try:
            trainer.train()
        except BaseException as exc:  # reported by the test, not lost in the thread
            failure.append(exc)
        finally:
            hold.reached.set()

    thread = threading.Thread(target=train, daemon=True)
    app = TrainmonApp(DashboardOptions(outputs=outputs), rescan_seconds=0.5)
    async with app.run_test(size=(100, 32)) as pilot:
        thread.start()
        try:
            await wait_for(pilot, hold.reached.is_set, timeout=120)
            assert not failure, failure
            assert (outputs / "checkpoint-4").is_dir()
            assert not (outputs / "checkpoint-8").exists()

            def at_hold() -> bool:
                state = app.snapshot.state if app.snapshot else None
                return state is not None and state.global_step == HOLD_AT

            await wait_for(pilot, at_hold, timeout=30)
            assert app.snapshot.checkpoint == "checkpoint-4"  # the newest checkpoint on disk...
            assert len(app.snapshot.state.loss) == HOLD_AT  # ...with the steps logged since merged in
            assert not (outputs / "checkpoint-8").exists()  # and the next one not written yet
        finally:
            hold.release.set()
        thread.join(120)
        assert not failure, failure
        await wait_for(pilot, lambda: app.snapshot.state.global_step == 12, timeout=30)
