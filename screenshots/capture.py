"""Regenerate the README's screenshots from ``--demo``: ``python screenshots/capture.py``.

Runs the dashboard headless on the simulator (as ``trainmon-tui --demo`` does), waits until the run is
well under way, and saves SVG screenshots at 80x24 and 160x48, the metrics view at 160x48, plus the PNG
that ``s`` exports; then a workspace of three simulated runs of a learning-rate sweep at 120x36.
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


async def capture(
    size: tuple[int, int], outputs: Path, name: str, until_step: int, keys: tuple[str, ...] = ()
) -> TrainmonApp:
    app = TrainmonApp(DashboardOptions(outputs=outputs, demo=True))
    async with app.run_test(size=size) as pilot:

        def step() -> int:
            state = app.snapshot.state if app.snapshot else None
            return state.global_step or 0 if state else 0

        while step() < until_step:
            await pilot.pause(0.2)
        await pilot.pause(4.0)  # let the "new checkpoint" toasts fade
        if keys:
            await pilot.press(*keys)
            await pilot.pause(2.0)
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        if app.snapshot and app.snapshot.state and not keys:
            target = HERE / "export.png"
            target.unlink(missing_ok=True)
            save_dashboard_png(app.snapshot.state, target)
    return app


async def capture_workspace(parent: Path) -> None:
    """Three runs of a learning-rate sweep, one finished, two under way: the table and the overlays."""
    from trainmon_tui.simulate import RunConfig, write_run
    from trainmon_tui.ui.workspace.app import WorkspaceApp
    from trainmon_tui.workspace.model import Workspace

    for lr, steps in ((1e-4, range(50, 501, 50)), (3e-4, range(50, 351, 50)), (1e-3, range(50, 251, 50))):
        write_run(parent / f"lr-{lr:g}", steps, RunConfig(max_steps=500, learning_rate=lr))
    app = WorkspaceApp(Workspace(parent), watch=False)
    async with app.run_test(size=(120, 36)) as pilot:
        while len(app.curves.get("loss", ())) < 3:
            await pilot.pause(0.2)
        await pilot.pause(1.0)
        app.save_screenshot(filename="workspace-120x36.svg", path=str(HERE))


def main() -> None:
    shots = (
        ((80, 24), "dashboard-80x24", ()),
        ((160, 48), "dashboard-160x48", ()),
        ((160, 48), "metrics-160x48", ("2",)),
    )
    for size, name, keys in shots:
        folder = Path(tempfile.mkdtemp(prefix="trainmon-shot-"))
        try:
            asyncio.run(capture(size, folder / "outputs", name, until_step=250, keys=keys))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix="trainmon-shot-"))
    try:
        asyncio.run(capture_workspace(folder / "sweep"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
