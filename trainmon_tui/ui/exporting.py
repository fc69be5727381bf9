"""The ``s`` key: the four charts as a PNG, one export at a time, and one toast for a burst of presses.

Every press gives a PNG (never overwriting: each gets a name of its own) of the state shown when its
export starts. Presses while one is being written wait their turn in :class:`ExportQueue`; the event log
gets every file's whole path as it is written, and the screen one toast when the burst is done ("5 PNGs
saved, the last: ..."), so a key held down or pressed five times in a 60x18 pane does not stack five
toasts over the charts. A failure is its own toast at once. Served in a browser, the PNG is delivered
there instead (:mod:`.deliver`).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.message import Message

from trainmon_tui.files.model import TrainerState
from trainmon_tui.ui.deliver import deliver_png
from trainmon_tui.views.i18n import t

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from trainmon_tui.pipeline import Snapshot
    from trainmon_tui.ui.events import EventLog
    from trainmon_tui.ui.options import DashboardOptions
    from trainmon_tui.views.i18n import Lang


class ExportQueue:
    """Which exports run and wait: :meth:`press` says whether to start one now, :meth:`done` whether to
    start the next; :meth:`burst` hands over what was saved since the queue was last empty."""

    def __init__(self) -> None:
        self.running = False
        self.waiting = 0
        self.saved: list[Path] = []

    def press(self) -> bool:
        if self.running:
            self.waiting += 1
            return False
        self.running = True
        return True

    def done(self, saved: Path | None) -> bool:
        if saved is not None:
            self.saved.append(saved)
        if self.waiting:
            self.waiting -= 1
            return True
        self.running = False
        return False

    def burst(self) -> list[Path]:
        saved, self.saved = self.saved, []
        return saved


class PngExported(Message):
    """One export finished: the file written (None when it failed or was delivered to a browser)."""

    def __init__(self, path: Path | None) -> None:
        super().__init__()
        self.path = path


class PngExports(App[int]):
    """The dashboard's ``s``: :meth:`action_save_png`."""

    if TYPE_CHECKING:  # the dashboard app's, beside this class in its bases
        snapshot: Snapshot | None
        options: DashboardOptions
        lang: Lang
        events: EventLog

        def notify(  # the dashboard's: every toast plain text, ``logged`` what the event log keeps
            self,
            message: str,
            *,
            title: str = "",
            severity: SeverityLevel = "information",
            timeout: float | None = None,
            markup: bool = False,
            logged: str | None = None,
        ) -> None: ...

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.exports = ExportQueue()

    def action_save_png(self) -> None:
        if self._shown_state() is None:
            self.notify(t("nothing_to_save", self.lang), severity="warning")
        elif self.exports.press():
            self._export(self._shown_state())

    def _shown_state(self) -> TrainerState | None:
        return self.snapshot.state if self.snapshot else None

    @work(thread=True, group="export", exit_on_error=False)
    def _export(self, state: TrainerState) -> None:
        """Runs in a thread worker: matplotlib is imported here, on first use."""
        from trainmon_tui.views.export import save_dashboard_png_unique

        path = None
        try:
            if self.options.deliver_png:  # in a browser: a download there, nothing written on the server
                deliver_png(self, state)
            else:
                self.options.export_dir.mkdir(parents=True, exist_ok=True)
                path = save_dashboard_png_unique(state, self.options.export_dir, self.lang)
        except Exception as exc:
            self.notify(t("png_not_saved", self.lang, reason=exc), severity="error", timeout=10)
        finally:
            self.post_message(PngExported(path))

    def on_png_exported(self, message: PngExported) -> None:
        if message.path is not None:
            self.events.add(
                time.time(), "information", t("png_saved", self.lang, path=message.path.absolute())
            )
        state = self._shown_state()
        if self.exports.done(message.path) and state is not None:
            self._export(state)
            return
        saved = self.exports.burst()
        if not saved:
            return
        # The folder as given (``--export-dir``, default the current one) and the name: short; every
        # whole path is in the event log.
        if len(saved) == 1:
            text = t("png_saved", self.lang, path=saved[0])
        else:
            text = t("pngs_saved", self.lang, n=len(saved), path=saved[-1])
        self.notify(text, timeout=6, logged="")
