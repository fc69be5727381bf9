"""The summary pane at 80x24: the side pane is 38 columns, and no line of a finished long run is cut."""

from __future__ import annotations

import math
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
        await pilot.pause(0.2)
        text = pane.content.plain  # type: ignore[union-attr]
        width = pane.content_region.width
        assert width == 36  # 38 columns less the border and the scrollbar
        assert "8660 / 8660 (100%)" in text and "Eval set code" in text
        too_long = [line for line in text.splitlines() if cell_len(line) > width]
        assert not too_long, too_long
