"""The overview's resources lines (in the summary pane): shown when the live log records ``sys``, else not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from builders import livelog as records
from builders.apps import make_app, until_shown
from rich.cells import cell_len

from trainmon_tui.ui.widgets.summary import SummaryPane

T0 = 1_700_000_000.0
GIB = 1 << 30


def run_with(outputs: Path, sys: bool) -> Path:
    logs = []
    for step in range(1, 6):
        extra: dict[str, Any] = {}
        if sys:
            gpu = {
                "index": 0,
                "util": 87,
                "mem_used": 21.3 * GIB,
                "mem_total": 24 * GIB,
                "mem_alloc": 18 * GIB,
            }
            extra["sys"] = {"pid": 9, "rss": 3.4 * GIB, "cpu_time": 1.3 * step, "gpus": [gpu]}
        values = {"loss": 1.0 / step, "learning_rate": 1e-4, "grad_norm": 0.5}
        logs.append(records.log(step, time=T0 + step, epoch=step / 10, values=values, **extra))
    records.write(outputs, records.start(time=T0, max_steps=50), *logs)
    return outputs


async def test_resources_show_at_80x24_when_the_live_log_has_them(tmp_path: Path) -> None:
    app, _ = make_app(run_with(tmp_path / "out", sys=True), watch=False)
    async with app.run_test(size=(80, 24)):
        await until_shown(app, lambda s: s.state is not None and s.state.global_step == 5)
        pane = app.query_one(SummaryPane)
        text = pane.content.plain  # type: ignore[union-attr]
        lines = text.splitlines()
        at = lines.index("Resources")
        assert lines[at + 1].split() == ["GPU0", "87%", "21.3", "/", "24", "GiB"]
        assert lines[at + 2].split() == ["Process", "3.4", "GiB", "·", "CPU", "130%"]
        assert lines[at + 3] == "Details"  # the details follow, as before
        assert all(cell_len(line) <= 36 for line in lines[at : at + 3])  # no resources line is cut


async def test_no_resources_without_sys_figures(tmp_path: Path) -> None:
    app, _ = make_app(run_with(tmp_path / "out", sys=False), watch=False)
    async with app.run_test(size=(80, 24)):
        await until_shown(app, lambda s: s.state is not None and s.state.global_step == 5)
        text = app.query_one(SummaryPane).content.plain  # type: ignore[union-attr]
        assert "Current" in text and "Resources" not in text and "GPU" not in text
