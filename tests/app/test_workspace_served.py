"""The workspace served in a browser writes nothing on the server, and the dashboards it opens get the
command line's options (alerts, --system, the browser's PNG delivery), as a dashboard opened directly."""

from __future__ import annotations

from pathlib import Path

from builders.apps import until
from builders.sweep import write_sweep

from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.workspace import run as run_module
from trainmon_tui.ui.workspace.app import WorkspaceApp
from trainmon_tui.ui.workspace.options import WorkspaceOptions
from trainmon_tui.workspace.model import Workspace

PNG = b"\x89PNG\r\n\x1a\n"


async def test_served_s_delivers_the_overlay_png_and_writes_nothing(tmp_path: Path, monkeypatch) -> None:
    write_sweep(tmp_path / "sweep")
    export_dir = tmp_path / "png"
    app = WorkspaceApp(Workspace(tmp_path / "sweep"), export_dir=export_dir, watch=False, deliver_png=True)
    delivered: list[tuple[str, bytes]] = []

    def deliver(data, *, save_filename=None, mime_type=None, **_: object) -> None:  # textual's signature
        delivered.append((save_filename, data.read()))

    app.deliver_binary = deliver  # type: ignore[method-assign]
    monkeypatch.setattr(WorkspaceApp, "is_web", property(lambda self: True))  # as under textual-serve
    async with app.run_test(size=(120, 40)) as pilot:
        await until(app, lambda: len(app.curves.get("loss", ())) == 4)
        await pilot.press("s")
        await until(app, lambda: bool(delivered), timeout=60)
    ((name, data),) = delivered
    assert name.startswith("trainmon_workspace_") and name.endswith(".png") and data.startswith(PNG)
    assert not export_dir.exists()


def test_a_run_opened_from_the_workspace_gets_the_command_lines_options(monkeypatch, tmp_path: Path) -> None:
    write_sweep(tmp_path / "sweep")
    template = DashboardOptions(Path("."), bell=False, on_alert=["notify"], system=True, deliver_png=True)
    opened: list[DashboardOptions] = []

    class Chooser:
        runs = 0

        def __init__(self, *args: object, **kwargs: object) -> None:
            self.return_code = 0

        def run(self) -> Path | None:
            Chooser.runs += 1
            return tmp_path / "sweep" / "lr-1e-4" if Chooser.runs == 1 else None

    class Dashboard:
        went_back = True
        return_code = 0

    def dashboard(options: DashboardOptions) -> Dashboard:
        opened.append(options)
        return Dashboard()

    monkeypatch.setattr(run_module, "workspace_app", lambda *a, **k: Chooser())
    monkeypatch.setattr(run_module, "run_dashboard", dashboard)
    options = WorkspaceOptions(tmp_path / "sweep", dashboard=template)
    assert run_module.run_workspace(options) == 0
    (got,) = opened
    assert got.outputs == tmp_path / "sweep" / "lr-1e-4"
    assert (got.bell, got.on_alert, got.system, got.deliver_png) == (False, ["notify"], True, True)
