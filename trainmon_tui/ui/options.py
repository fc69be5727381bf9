"""What the command line hands to the dashboard (no Textual import: the CLI builds it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trainmon_tui.health.thresholds import DEFAULT, Thresholds
from trainmon_tui.views.i18n import Lang


@dataclass(frozen=True, slots=True)
class DashboardOptions:
    outputs: Path
    checkpoint: Path | None = None  # show this checkpoint (folder or trainer_state.json) instead of following
    lang: Lang = "en"
    poll_interval: float | None = None  # None: inotify where it works, polling elsewhere
    export_dir: Path = Path(".")
    demo: bool = False  # run the simulator into ``outputs`` while the dashboard is open
    deliver_png: bool = False  # served in a browser: ``s`` sends the PNG there; nothing is written here
    system: bool = False  # --system: this host's CPU, memory and GPUs in the side pane
    bell: bool = True  # the terminal bell on an alert of severity warning or above (--no-bell: off)
    on_alert: list[str] | None = None  # --on-alert's command, split into words
    thresholds: Thresholds = field(default=DEFAULT)
    theme: str | None = None  # a Textual theme's name (the configuration file's), None: Textual's default
