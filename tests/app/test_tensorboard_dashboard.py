"""The dashboard following the Trainer's TensorBoard event files when there is no trainmon_log.jsonl: steps
logged after the last checkpoint show before the next one exists. Runs with inotify and with polling."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from trainmon_tui.simulate import RunConfig, SimulatedRun
from trainmon_tui.ui.widgets.chart import ChartPane
from trainmon_tui.ui.widgets.summary import SummaryPane

pytest.importorskip("tensorboard")

SIZE = (100, 32)


class Writer:
    """Event files as the Trainer's TensorBoardCallback writes them: one scalar per logged value, tagged
    ``train/<key>`` (``eval/<key>`` for eval_ keys), at the global step, flushed after each log."""

    def __init__(self, logdir: Path) -> None:
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        self.writer = EventFileWriter(str(logdir))

    def log(self, step: int, entry: dict[str, Any], wall_time: float) -> None:
        from tensorboard.compat.proto import event_pb2, summary_pb2

        for key, value in entry.items():
            if key == "step":
                continue
            tag = "eval/" + key[5:] if key.startswith("eval_") else "train/" + key
            value_pb = summary_pb2.Summary.Value(tag=tag, simple_value=value)
            summary = summary_pb2.Summary(value=[value_pb])
            self.writer.add_event(event_pb2.Event(wall_time=wall_time, step=step, summary=summary))
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


async def test_event_files_move_the_dashboard_between_checkpoints(
    tmp_path: Path, poll_interval, make_app, wait_for
) -> None:
    outputs = tmp_path / "outputs"
    run = SimulatedRun(outputs, RunConfig(max_steps=100, save_steps=10, eval_steps=20, save_total_limit=3))
    run.save_at(10)
    start = time.time() - 2
    writer = Writer(outputs / "runs" / "Jan01_12-00-00_host")
    for entry in run.log_history:
        writer.log(entry["step"], entry, start + 0.1 * entry["step"])
    writer.log(11, run.train_entry(11), start + 1.1)  # one step past the checkpoint, from the events alone
    app, _ = make_app(outputs, poll_interval)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state is not None)
        snapshot = app.snapshot
        assert snapshot is not None and snapshot.state is not None
        assert snapshot.state.global_step == 11 and snapshot.checkpoint == "checkpoint-10"
        assert snapshot.live is not None and snapshot.live.path.parent.name == "runs"
        for step in range(12, 16):  # steps 12..15: logged, not yet saved
            writer.log(step, run.train_entry(step), time.time())
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state.global_step == 15)
        assert not (outputs / "checkpoint-20").exists()
        assert app.snapshot.checkpoint == "checkpoint-10"
        assert len(app.query_one("#chart-loss", ChartPane).data.loss) == 15
        assert "15 / 100" in app.query_one(SummaryPane).content.plain  # type: ignore[union-attr]
        assert "tensorboard" in str(app.query_one("#info").render())
    writer.close()
