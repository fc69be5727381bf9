"""The live source of a run folder: ``trainmon_log.jsonl`` when it has records, else TensorBoard's files.

:class:`LiveSource` is what the dashboard and ``--summary`` poll: the JSONL live log when it has records
(the richer source), the event files otherwise, when ``tensorboard`` (an optional extra) is importable.
Each :class:`~.livelog.LiveLog` says which it was read from (its ``kind``). :func:`fill_plan` completes an
event-file log's plan from a checkpoint.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from trainmon_tui.files.model import TrainerState
from trainmon_tui.live.follower import LiveLogFollower
from trainmon_tui.live.livelog import LiveLog, SourceKind
from trainmon_tui.live.schema import LIVE_LOG_FILE
from trainmon_tui.live.tbevents import TensorBoardFollower


class LiveSource:
    """What the dashboard and ``--summary`` follow: ``trainmon_log.jsonl`` when it has records (the richer
    source), otherwise the TensorBoard event files when ``tensorboard`` is importable."""

    def __init__(self, outputs: str | os.PathLike[str], *, tensorboard: bool = True) -> None:
        self.outputs = Path(outputs)
        self.jsonl = LiveLogFollower(self.outputs / LIVE_LOG_FILE)
        self.tensorboard = TensorBoardFollower(self.outputs) if tensorboard else None

    def poll(self) -> LiveLog:
        live = self.jsonl.poll()
        if not live.empty or self.tensorboard is None:
            return live
        events = self.tensorboard.poll()
        return live if events.empty else events


def from_event_files(live: LiveLog) -> bool:
    """Whether ``live`` was read from TensorBoard event files (rather than ``trainmon_log.jsonl``)."""
    return live.kind is SourceKind.TENSORBOARD


def fill_plan(live: LiveLog, state: TrainerState | None) -> LiveLog:
    """An event-file log with the checkpoint's ``max_steps`` where the arguments did not tell it
    (``max_steps=-1``: the Trainer computes it from the epochs), so the ETA is known once a checkpoint is."""
    start = live.start
    if state is None or start is None or start.max_steps is not None or not from_event_files(live):
        return live
    if state.max_steps is None:
        return live
    return replace(live, start=replace(start, max_steps=state.max_steps))
