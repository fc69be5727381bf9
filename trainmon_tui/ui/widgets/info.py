"""The info bar: the outputs folder, the checkpoint and step shown, the alerts, the live source, the watch
mode.

The folder gives way first: at 80 columns the checkpoint, the step and the watch mode stay visible. The
alerts that hold come right after the step, by severity (``✖ 1 ⚠ 2``; ``ℹ 1`` for information such as a
finished run), so a narrow pane cuts the time and the watch mode before them. The end-to-end tests and the
benchmark's tmux probe read its lowercase ``step N``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.text import Text
from textual.widgets import Static

from trainmon_tui.health.alerts import Severity
from trainmon_tui.live.source import from_event_files
from trainmon_tui.pipeline import Snapshot
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable

_ALERT_MARKS: dict[Severity, tuple[str, str]] = {
    "critical": ("✖", "bold red"),
    "warning": ("⚠", "bold yellow"),
    "info": ("ℹ", "cyan"),
}


class InfoBar(Static):
    def show(
        self,
        outputs: Path,
        snapshot: Snapshot | None,
        *,
        lang: Lang,
        pinned: bool,
        skipped: int,
        watch: str,
        width: int,
        alerts: dict[Severity, int] | None = None,
    ) -> None:
        """``watch``: the watch mode's label, or what is waited for; ``width``: the app's."""
        limit = 24 if width >= 100 else max(8, width // 5)
        info = Text.assemble((printable(short_path(outputs, limit)), "cyan"))
        state = snapshot.state if snapshot else None
        if snapshot is not None and state is not None:
            when = datetime.fromtimestamp(state.mtime).strftime("%H:%M:%S") if state.mtime else "-"
            name = printable(snapshot.checkpoint or state.name)
            step = f"{t('info_step', lang)} {state.global_step}"
            info.append_text(Text.assemble("  ", (name, "bold green"), f"  {step}"))
            for severity, count in (alerts or {}).items():
                symbol, style = _ALERT_MARKS[severity]
                info.append(f"  {symbol} {count}", style=style)
            if snapshot.live is not None and not snapshot.live.empty:
                source = "tensorboard" if from_event_files(snapshot.live) else "live"
                info.append(f"  {source}", style="bold magenta")
            info.append(f"  {when}")
            if pinned:
                info.append(f"  {t('pinned', lang)}", style="yellow")
        elif snapshot is not None and not snapshot.folder_exists:  # what OUTPUTS is, as the CLI says it
            error = snapshot.outputs_error
            what = f"({printable(error.reason)})" if error is not None else t("folder_not_created", lang)
            info.append(f"  {t('file_not_state', lang) if snapshot.outputs_file else what}", style="yellow")
        if skipped:
            info.append(f"  {t('n_skipped', lang, n=skipped)}", style="bold yellow")
        info.append(f"  · {watch}", style="dim")
        self.update(info)


def short_path(path: Path, limit: int = 24) -> str:
    """The outputs folder as typed, or its last parts behind an ellipsis when that is long."""
    text = str(path)
    if len(text) <= limit:
        return text
    parts = path.parts
    tail = parts[-1]
    if len(tail) + 2 > limit:  # one long folder name: its end, which tells runs apart more often
        return "…" + tail[-(limit - 1) :]
    for part in reversed(parts[:-1]):
        if len(part) + len(tail) + 3 > limit:
            break
        tail = f"{part}/{tail}"
    return f"…/{tail}"
