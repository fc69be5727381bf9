"""The served dashboard's door (trainmon_tui/serve/guard.py, server.py) in process, with aiohttp's test
client: the token on every route, the cookie, Host and Origin, the headers, the busy answer. No session
process starts here: every websocket below is refused or turned away before one would."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="the serve extra is not installed")

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from trainmon_tui.serve.address import Bind
from trainmon_tui.serve.server import DashboardServer, ServeConfig

TOKEN = "unit-token-0123456789abcdef"
ROUTES = ["/", "/ws", "/static/js/textual.js", "/static/css/xterm.css", "/download/abc", "/nothing"]


def config(token: str | None = TOKEN, max_sessions: int = 2, host: str = "127.0.0.1") -> ServeConfig:
    return ServeConfig(["/bin/false"], Bind(host, 8000), token, "bert <b>&", "en", max_sessions)


SERVERS: dict[int, DashboardServer] = {}  # by the test client's id: the server behind it


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:  # type: ignore[type-arg]
    server = DashboardServer(config())
    async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as test_client:
        SERVERS[id(test_client)] = server
        yield test_client
        SERVERS.pop(id(test_client))


@pytest.mark.parametrize("path", ROUTES)
async def test_every_route_needs_the_token(client: TestClient, path: str) -> None:  # type: ignore[type-arg]
    for query in ("", "?token=", "?token=wrong-token-0123456789", f"?token={TOKEN[:-1]}", f"?TOKEN={TOKEN}"):
        response = await client.get(path + query)
        assert response.status == 403, (path, query)
        assert "needs its token" in await response.text()
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in response.headers


async def test_the_token_lets_in_and_leaves_a_strict_cookie(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get(f"/?token={TOKEN}")
    assert response.status == 200
    page = await response.text()
    assert "<title>trainmon-tui · bert &lt;b&gt;&amp;</title>" in page  # the name is escaped
    assert "<b>" not in page
    cookie = response.headers["Set-Cookie"]
    assert f"trainmon_token_8000={TOKEN}" in cookie and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The script and styles the page loads come with the cookie alone.
    assert (await client.get("/static/js/textual.js")).status == 200
    assert (await client.get("/static/css/xterm.css")).status == 200
    assert (await client.get("/static/")).status in (403, 404)  # no folder listing


async def test_security_headers(client: TestClient) -> None:  # type: ignore[type-arg]
    response = await client.get(f"/?token={TOKEN}")
    headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert (
        "script-src 'self';" in policy
        and "default-src 'none'" in policy
        and "frame-ancestors 'none'" in policy
    )
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cache-Control"] == "no-store"


async def test_a_foreign_host_is_refused_on_loopback(client: TestClient) -> None:  # type: ignore[type-arg]
    """A DNS-rebinding page reaches 127.0.0.1 through its own name: the Host tells."""
    for host in ("evil.example:8000", "evil.example", "[", "10.0.0.1:8000"):
        response = await client.get(f"/?token={TOKEN}", headers={"Host": host})
        assert response.status == 403, host
    for host in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert (await client.get(f"/?token={TOKEN}", headers={"Host": host})).status == 200, host


async def test_the_websocket_needs_the_token_and_the_pages_origin(client: TestClient) -> None:  # type: ignore[type-arg]
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await client.ws_connect("/ws")
    assert refused.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as foreign:
        await client.ws_connect(f"/ws?token={TOKEN}", headers={"Origin": "http://evil.example"})
    assert foreign.value.status == 403
    assert SERVERS[id(client)].sessions == {}


async def test_when_full_a_tab_is_told_to_wait(client: TestClient) -> None:  # type: ignore[type-arg]
    server = SERVERS[id(client)]
    server.sessions.update({"a": object(), "b": object()})  # type: ignore[dict-item]  # two live sessions
    try:
        await _told_to_wait(client, server)
    finally:
        server.sessions.clear()


async def _told_to_wait(client: TestClient, server: DashboardServer) -> None:  # type: ignore[type-arg]
    response = await client.get(f"/?token={TOKEN}")
    assert response.status == 503
    assert response.headers["Retry-After"] == "5"
    page = await response.text()
    assert "All 2 dashboard sessions of this server are in use" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    # A page that raced another tab to the last session: its websocket says so in the terminal, and closes.
    websocket = await client.ws_connect(f"/ws?token={TOKEN}")
    message = await websocket.receive()
    assert message.type == aiohttp.WSMsgType.BINARY and b"are in use" in message.data
    assert (await websocket.receive()).type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert websocket.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
    assert len(server.sessions) == 2


async def test_no_token_on_loopback_lets_anyone_on_the_machine_in() -> None:
    server = DashboardServer(config(token=None))
    async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as test_client:
        assert (await test_client.get("/")).status == 200
        assert (await test_client.get("/", headers={"Host": "evil.example"})).status == 403


def test_the_busy_and_refused_texts_come_in_chinese_too(tmp_path: Path) -> None:
    from trainmon_tui.serve.page import busy_page, refused_text

    assert "会话都在使用中" in busy_page(name="x", lang="zh", limit=3)
    assert "令牌" in refused_text("zh")


async def test_a_session_that_fails_is_logged_printably_and_ends_the_tab(caplog) -> None:
    """Its stderr reaches the server's log with control characters escaped; the tab's websocket closes."""
    import sys

    script = "import sys; sys.stderr.write('boom \\x1b]0;owned\\x07 \\x1b[2J\\n'); sys.exit(3)"
    server = DashboardServer(ServeConfig([sys.executable, "-c", script], Bind("127.0.0.1", 8000), TOKEN, "x"))
    async with TestClient(TestServer(await server._make_app(), host="127.0.0.1")) as test_client:
        websocket = await test_client.ws_connect(f"/ws?token={TOKEN}")
        closed = await websocket.receive(timeout=60)
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
        await websocket.close()
        for _ in range(600):  # the handler's cleanup after the close
            if not server.sessions:
                break
            await asyncio.sleep(0.05)
        assert server.sessions == {}
    logged = [record.getMessage() for record in caplog.records if "boom" in record.getMessage()]
    assert len(logged) == 1 and "\x1b" not in logged[0] and "\x07" not in logged[0]
    assert "\\x1b]0;owned\\x07" in logged[0]
