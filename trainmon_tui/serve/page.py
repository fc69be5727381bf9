"""The HTML the server sends: the dashboard's page (textual-serve's terminal script), the busy page, the
refusal. Every value is escaped here; no inline script, so the Content-Security-Policy allows none."""

from __future__ import annotations

from html import escape

from trainmon_tui.views.i18n import Lang, t

BUSY_RETRY_SECONDS = 5

_STYLE = """
html, body { margin: 0; height: 100%; background: #0c181f; color: #e8eef2; overflow: hidden; }
body { font: 16px/1.5 "Roboto Mono", Menlo, "DejaVu Sans Mono", monospace; }
.textual-terminal { position: absolute; inset: 0; opacity: 0; }
body.-first-byte .textual-terminal { opacity: 1; transition: opacity 0.3s ease-out; }
.notice { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center;
  text-align: center; padding: 2em; z-index: 10; }
body.-first-byte .starting, .ended { display: none; }
body.-closed .ended { display: flex; background: rgba(12, 24, 31, 0.92); }
.notice p { max-width: 40em; }
a { color: #7fc8ff; }
"""


def _page(title: str, lang: Lang, body: str, head: str = "") -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n{head}'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def page_title(name: str) -> str:
    """``trainmon-tui · bert-base``: the run (or outputs folder) the tab shows."""
    return f"trainmon-tui · {name}"


def dashboard_page(*, name: str, lang: Lang, static_url: str, websocket_url: str, font_size: int) -> str:
    """The page whose script opens ``websocket_url`` and draws the session's terminal in the tab."""
    static = escape(static_url)
    body = (
        f'<div class="notice starting"><p>{escape(t("serve_starting", lang, name=name))}</p></div>\n'
        f'<div class="notice ended"><p>{escape(t("serve_ended", lang))} '
        f'<a href="">{escape(t("serve_reopen", lang))}</a></p></div>\n'
        f'<div id="terminal" class="textual-terminal" data-session-websocket-url="{escape(websocket_url)}" '
        f'data-font-size="{int(font_size)}"></div>\n'
        f'<script src="{static}js/textual.js"></script>\n'
    )
    head = f'<link rel="stylesheet" href="{static}css/xterm.css">\n'
    return _page(page_title(name), lang, body, head)


def busy_text(limit: int, lang: Lang) -> str:
    return t("serve_busy", lang, n=limit, seconds=BUSY_RETRY_SECONDS)


def busy_page(*, name: str, lang: Lang, limit: int) -> str:
    """Every session is taken: say so, and reload by itself every few seconds until one is free."""
    head = f'<meta http-equiv="refresh" content="{BUSY_RETRY_SECONDS}">\n'
    body = f'<div class="notice" id="busy"><p>{escape(busy_text(limit, lang))}</p></div>\n'
    return _page(page_title(name), lang, body, head)


def refused_text(lang: Lang) -> str:
    return t("serve_refused", lang)
