"""The dashboard's export when served in a browser: the PNG delivered there as a download (Textual's
``deliver_binary``), rendered in memory, never written on the server (nor in its ~/Downloads)."""

from __future__ import annotations

import io

from textual.app import App

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.i18n import Lang, t


def deliver_png(app: App[int], state: TrainerState) -> None:
    """Called in the export's thread worker; says what happened in a notification."""
    from trainmon_tui.views.export import dashboard_png

    lang: Lang = getattr(app, "lang", "en")
    if not app.is_web:  # deliver_binary would write to ~/Downloads: served sessions write nothing
        app.notify(t("png_needs_browser", lang), severity="error", timeout=10)
        return
    try:
        name, data = dashboard_png(state, lang)
        app.call_from_thread(app.deliver_binary, io.BytesIO(data), save_filename=name, mime_type="image/png")
    except Exception as exc:
        app.notify(t("png_not_saved", lang, reason=exc), severity="error", timeout=10)
    else:
        app.notify(t("png_delivered", lang, name=name), timeout=6)
