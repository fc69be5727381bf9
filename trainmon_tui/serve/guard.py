"""Who may come in, checked on every request before any handler: the token, the Host, the Origin; and the
security headers on every response (textual-serve's own routes included).

The token comes in the URL's ``?token=`` once; the page then sets an HttpOnly, SameSite=Strict cookie, so
the script, the websocket and the downloads it opens carry it without the token in any other URL. Bound to
loopback, the Host must be a loopback name (a DNS-rebinding page cannot reach the server through its own
name); the websocket's Origin must be the page's own (no other site can drive a session).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from trainmon_tui.serve.address import Bind, is_loopback, token_matches

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WEBSOCKET_PATH = "/ws"


class Guard:
    def __init__(self, bind: Bind, token: str | None, refused: str) -> None:
        self.bind = bind
        self.token = token
        self.refused = refused  # the 403's text
        self.cookie = f"trainmon_token_{bind.port}"  # cookies are per host, not per port

    def allows(self, request: web.Request) -> bool:
        """The Host, the token (URL or cookie) and, for the websocket, the Origin are right."""
        if self.bind.loopback and not is_loopback(_hostname(request.host)):
            return False
        offered = request.query.get("token") or request.cookies.get(self.cookie)
        if not token_matches(self.token, offered):
            return False
        return request.path != WEBSOCKET_PATH or _same_origin(request)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not self.allows(request):
            return web.Response(status=403, text=self.refused + "\n", charset="utf-8")
        response = await handler(request)
        if self.token is not None and request.query.get("token") and not response.prepared:
            response.set_cookie(self.cookie, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def headers(self, request: web.Request, response: web.StreamResponse) -> None:
        """on_response_prepare: set just before any response's headers go out."""
        host = request.host
        response.headers.update(
            {
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
                "Cross-Origin-Opener-Policy": "same-origin",
                "Cross-Origin-Resource-Policy": "same-origin",
                "Content-Security-Policy": (
                    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                    "font-src 'self'; img-src 'self' data: blob:; "
                    f"connect-src 'self' ws://{host} wss://{host}; "
                    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
                ),
            }
        )
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"


def _hostname(host: str) -> str:
    try:
        return urlsplit(f"//{host}").hostname or ""
    except ValueError:  # "[" without "]": no host at all
        return ""


def _same_origin(request: web.Request) -> bool:
    """No Origin (not a browser: the token still had to be right), or the page's own scheme-less host."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    try:
        return urlsplit(origin).netloc.lower() == request.host.lower()
    except ValueError:
        return False
