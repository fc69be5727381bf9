"""What the command line hands to the workspace (no Textual import: the CLI builds it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from trainmon_tui.views.i18n import Lang


@dataclass(frozen=True, slots=True)
class WorkspaceOptions:
    parent: Path
    runs: tuple[Path, ...] | None = None  # --compare A B C: exactly these runs; None: every run found
    lang: Lang = "en"
    poll_interval: float | None = None  # None: inotify where it works, polling elsewhere
    export_dir: Path = Path(".")
