"""The workspace's loop: the table, a run's dashboard on ``enter``, and the table again after escape.

One :class:`~trainmon_tui.workspace.model.Workspace` (every run's cache and snapshot) and one
:class:`~.view.WorkspaceView` (selection, sort, filter, colours) live for the whole loop, so the workspace
reopens at once, as it was left, and only the runs that changed meanwhile are read again. The run's
dashboard is today's (:class:`~.dashboard.FromWorkspace`): quitting it (``q``) ends the program, escape in
its overview comes back.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.workspace.app import ChineseWorkspaceApp, WorkspaceApp
from trainmon_tui.ui.workspace.dashboard import run_dashboard
from trainmon_tui.ui.workspace.options import WorkspaceOptions
from trainmon_tui.ui.workspace.view import WorkspaceView
from trainmon_tui.workspace.model import Workspace


def workspace_app(workspace: Workspace, view: WorkspaceView, options: WorkspaceOptions) -> WorkspaceApp:
    cls = ChineseWorkspaceApp if options.lang == "zh" else WorkspaceApp
    return cls(
        workspace,
        view,
        lang=options.lang,
        poll_interval=options.poll_interval,
        export_dir=options.export_dir,
        deliver_png=options.deliver_png,
    )


def run_workspace(options: WorkspaceOptions) -> int:
    """The workspace until it is quit, with the dashboards of the runs opened from it."""
    workspace = Workspace(options.parent, options.runs)
    view = WorkspaceView()
    while True:
        app = workspace_app(workspace, view, options)
        chosen = app.run()
        if chosen is None:
            return app.return_code or 0
        dashboard = run_dashboard(dashboard_options(options, chosen))
        if not dashboard.went_back:
            return dashboard.return_code or 0


def dashboard_options(options: WorkspaceOptions, run: Path) -> DashboardOptions:
    """The options of ``run``'s dashboard: the command line's (``options.dashboard``), on that run."""
    if options.dashboard is None:
        return DashboardOptions(
            run, lang=options.lang, poll_interval=options.poll_interval, export_dir=options.export_dir
        )
    return dataclasses.replace(options.dashboard, outputs=run, checkpoint=None, demo=False)
