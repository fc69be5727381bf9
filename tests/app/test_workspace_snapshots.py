"""How the workspace looks at 80x24 and 160x48 (pytest-textual-snapshot; update with --snapshot-update).

The sweep is the simulator's with fixed modification times, a fixed clock and a relative PARENT, so the
picture does not depend on when or where the test runs.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from builders.apps import until
from builders.sweep import FIXED_MTIME, write_sweep
from textual.pilot import Pilot

from trainmon_tui.ui.workspace.app import ChineseWorkspaceApp, WorkspaceApp
from trainmon_tui.workspace.model import Workspace


@pytest.fixture
def sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    write_sweep(Path("sweep"), fixed_times=True)
    yield Path("sweep")
    time.tzset()


def workspace(parent: Path, lang: str = "en") -> WorkspaceApp:
    cls = ChineseWorkspaceApp if lang == "zh" else WorkspaceApp
    app = cls(Workspace(parent), lang=lang, watch=False)  # type: ignore[arg-type]
    app.clock = lambda: FIXED_MTIME + 60.0  # a minute after the last saves
    return app


async def loaded(pilot: Pilot) -> None:
    app = pilot.app
    assert isinstance(app, WorkspaceApp)
    await until(app, lambda: app.reads >= 1 and len(app.curves.get("loss", ())) == 4)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


SIZES = [(80, 24), (160, 48)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_workspace(snap_compare, sweep: Path, size: tuple[int, int]) -> None:
    assert snap_compare(workspace(sweep), terminal_size=size, run_before=loaded)


def test_workspace_in_chinese(snap_compare, sweep: Path) -> None:
    assert snap_compare(workspace(sweep, "zh"), terminal_size=(160, 48), run_before=loaded)
