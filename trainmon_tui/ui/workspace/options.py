"""What the command line hands to the workspace (no Textual import: the CLI builds it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainmon_tui.ui.options import DashboardOptions
from trainmon_tui.views.i18n import Lang


@dataclass(frozen=True, slots=True)
class WorkspaceOptions:
    parent: Path
    runs: tuple[Path, ...] | None = None  # --compare A B C: exactly these runs; None: every run found
    lang: Lang = "en"
    poll_interval: float | None = None  # None: inotify where it works, polling elsewhere
    export_dir: Path = Path(".")
    # What a run's dashboard opened from here gets besides its folder (the command line's alerts,
    # --system, a served session's PNG delivery); None: the defaults.
    dashboard: DashboardOptions | None = None
    deliver_png: bool = False  # served in a browser: ``s`` sends the PNG there; nothing written here
