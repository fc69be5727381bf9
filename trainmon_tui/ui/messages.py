"""The messages between the watcher thread, the worker threads and the app, and the one others listen for.

``FolderChanged`` comes from the observer thread; ``SnapshotTaken`` and ``ReloadFailed`` from the reload
worker (one of the two ends every reload); ``ChartsPrepared`` from the worker that prepares the chart data
again for a new width; ``MetricsPrepared`` from the worker that prepares the metric charts on screen, and
``MetricsShown`` once a view has put them on its panes (tests wait on it). ``SnapshotApplied`` is posted by
the app once a snapshot is on the widgets (after its ``batch_update``): tests and the benchmark probe wait
on it, through ``app.message_signal``.
"""

from __future__ import annotations

from textual.message import Message

from trainmon_tui.files.model import TrainerState
from trainmon_tui.pipeline import Snapshot
from trainmon_tui.views.chartdata import ChartData
from trainmon_tui.views.controls import Controls
from trainmon_tui.views.metricchart import MetricChart

# What a metric chart was prepared for: key, controls, points (see ui/metricwork.py).
ChartRequest = tuple[str, object, int]


class FolderChanged(Message):
    """Something relevant changed on disk (posted from the observer thread)."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def can_replace(self, message: Message) -> bool:
        # A save writes a dozen files and rotation deletes whole folders: one pending change is enough.
        return isinstance(message, FolderChanged)


class SnapshotTaken(Message):
    """A reload ended: the new picture of the run, or None when nothing shown has changed."""

    def __init__(self, snapshot: Snapshot | None) -> None:
        super().__init__()
        self.snapshot = snapshot


class ReloadFailed(Message):
    """A reload ended in an exception (a bug: files that cannot be read are part of a snapshot)."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error


class ChartsPrepared(Message):
    """The chart data of ``state`` downsampled for ``max_points`` with the overview's ``controls`` (after a
    resize or a control key), or why it could not be."""

    def __init__(
        self,
        state: TrainerState,
        max_points: int,
        charts: ChartData | None,
        error: str | None,
        controls: Controls,
    ) -> None:
        super().__init__()
        self.state = state
        self.max_points = max_points
        self.charts = charts
        self.error = error
        self.controls = controls


class SnapshotApplied(Message):
    """``snapshot`` is what the widgets show now (posted after the update, before the next repaint)."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class MetricsPrepared(Message):
    """The metric charts of ``state`` a view asked for, by request (``None``: the series is gone)."""

    def __init__(self, state: TrainerState, charts: dict[ChartRequest, MetricChart | None]) -> None:
        super().__init__()
        self.state = state
        self.charts = charts


class MetricsShown(Message):
    """The view ``view`` shows the charts it asked for (posted to the app: what tests wait on)."""

    def __init__(self, view: str) -> None:
        super().__init__()
        self.view = view
