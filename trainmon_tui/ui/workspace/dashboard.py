"""A run's dashboard opened from the workspace: today's dashboard, and escape in its overview goes back.

The same :class:`~trainmon_tui.ui.app.TrainmonApp` with one binding more (:data:`~.keytable.BACK_KEYS`):
escape in the overview exits with ``went_back`` set, and :func:`~.run.run_workspace` opens the
workspace again. In the other views escape keeps its meaning (the metrics view's "back to the grid").
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.binding import BindingType

from trainmon_tui.ui import app as app_module
from trainmon_tui.ui import keys
from trainmon_tui.ui.app import TrainmonApp
from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.ui.workspace.keytable import BACK_KEYS


class FromWorkspace(TrainmonApp):
    CSS_PATH = str(Path(app_module.__file__).with_name("app.tcss"))  # the dashboard's, not one beside this
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("en", BACK_KEYS + keys.KEYS)
    went_back = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back_to_workspace":
            return self.view == keys.OVERVIEW
        return super().check_action(action, parameters)

    def action_back_to_workspace(self) -> None:
        self.went_back = True
        self.exit(0)


class ChineseFromWorkspace(FromWorkspace):
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("zh", BACK_KEYS + keys.KEYS)


def run_dashboard(options: DashboardOptions) -> FromWorkspace:
    """The run's dashboard in the options' language, once it has closed (``went_back`` says how)."""
    app = ChineseFromWorkspace(options) if options.lang == "zh" else FromWorkspace(options)
    app.run()
    return app
