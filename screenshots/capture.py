"""Regenerate the README's screenshots from ``--demo``: ``python screenshots/capture.py``.

Runs the dashboard headless on the simulator (as ``trainmon-tui --demo`` does), waits until the run is
well under way, and saves SVG screenshots at 80x24 and 160x48 plus the PNG that ``s`` exports.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path

from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.views.export import save_dashboard_png

HERE = Path(__file__).parent


async def capture(size: tuple[int, int], outputs: Path, name: str, until_step: int) -> TrainmonApp:
    app = TrainmonApp(DashboardOptions(outputs=outputs, demo=True))
    async with app.run_test(size=size) as pilot:

        def step() -> int:
            state = app.snapshot.state if app.snapshot else None
            return state.global_step or 0 if state else 0

        while step() < until_step:
            await pilot.pause(0.2)
        await pilot.pause(4.0)  # let the "new checkpoint" toasts fade
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        if app.snapshot and app.snapshot.state:
            target = HERE / "export.png"
            target.unlink(missing_ok=True)
            save_dashboard_png(app.snapshot.state, target)
    return app


def main() -> None:
    for size, name in (((80, 24), "dashboard-80x24"), ((160, 48), "dashboard-160x48")):
        folder = Path(tempfile.mkdtemp(prefix="trainmon-shot-"))
        try:
            asyncio.run(capture(size, folder / "outputs", name, until_step=250))
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
