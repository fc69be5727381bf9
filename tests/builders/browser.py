"""A real headless Chromium driven over the DevTools protocol (aiohttp's websocket client, no driver).

:class:`Browser` starts Debian's ``chromium`` with a fresh profile and a download folder; each :class:`Tab`
is a page attached in flat mode. A tab keeps the binary websocket frames its page receives (what
textual-serve's script writes into the page's xterm) and feeds them to a pyte screen of the page's size,
so a test reads the terminal the page shows as text. Every wait is for a positive event, with a deadline.
"""

from __future__ import annotations

import asyncio
import base64
import inspect
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pyte

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class NoBrowser(Exception):
    """Chromium is installed but exited before it opened its DevTools port (the message says how)."""


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        if found := shutil.which(name):
            return found
    return None


async def until(check: Callable[[], Any], what: str, timeout: float = 30.0, every: float = 0.1) -> Any:
    """``check()``'s first truthy value (awaited when it is a coroutine), polled; AssertionError naming
    ``what`` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(every)


class Tab:
    def __init__(self, browser: Browser, session: str, target: str) -> None:
        self.browser = browser
        self.session = session
        self.target = target
        self.frames: list[bytes] = []
        self.statuses: list[int] = []  # the HTTP status of each page (document) loaded
        self.size: tuple[int, int] | None = None
        self._screen: pyte.Screen | None = None
        self._stream: pyte.ByteStream | None = None
        self._fed = 0

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.browser.send(method, params, session=self.session)

    def on_event(self, method: str, params: dict[str, Any]) -> None:
        if method == "Network.webSocketCreated":
            query = parse_qs(urlsplit(params["url"]).query)
            if "width" in query and "height" in query:
                self.size = (int(query["width"][0]), int(query["height"][0]))
                self.frames.clear()
                self._screen = None
        elif method == "Network.responseReceived" and params.get("type") == "Document":
            self.statuses.append(int(params["response"]["status"]))
        elif method == "Network.webSocketFrameReceived":
            response = params["response"]
            if response.get("opcode") == 2:
                self.frames.append(base64.b64decode(response["payloadData"]))

    async def open(self, url: str) -> None:
        await self.send("Page.navigate", url=url)

    async def has_text(self, needle: str) -> bool:
        return needle in await self.text()

    async def text(self) -> str:
        """The page's own text (not the terminal's): ``document.body.innerText``."""
        return str(await self.evaluate("document.body ? document.body.innerText : ''") or "")

    async def evaluate(self, expression: str) -> Any:
        reply = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return reply["result"].get("value")

    async def focus_terminal(self) -> None:
        """Keys go where a person's click would put them: xterm's input element."""
        await self.evaluate("document.querySelector('.xterm-helper-textarea').focus()")

    async def press(self, key: str) -> None:
        """A printable key, as a person types it: keyDown with its text, then keyUp."""
        await self.send("Input.dispatchKeyEvent", type="keyDown", key=key, text=key, unmodifiedText=key)
        await self.send("Input.dispatchKeyEvent", type="keyUp", key=key)

    def screen_text(self) -> str:
        """The page's terminal as text: every binary frame so far, played on a screen of its size."""
        if self.size is None:
            return ""
        if self._screen is None:
            self._screen = pyte.Screen(*self.size)
            self._stream = pyte.ByteStream(self._screen)
            self._fed = 0
        assert self._stream is not None
        for frame in self.frames[self._fed :]:
            self._stream.feed(frame)
        self._fed = len(self.frames)
        return "\n".join(self._screen.display)


class Browser:
    def __init__(self, binary: str, downloads: Path) -> None:
        self.binary = binary
        self.downloads = downloads
        self.profile = Path(tempfile.mkdtemp(prefix="trainmon-chromium-"))
        self.process: subprocess.Popen[bytes] | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._tabs: dict[str, Tab] = {}
        self._reader: asyncio.Task[None] | None = None

    async def start(self, timeout: float = 45.0) -> None:
        self.process = subprocess.Popen(
            [
                self.binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                # The download opens from the PNG's arrival, a moment after the key press; a loaded machine
                # may take longer than the few seconds a key press lets a page open a window.
                "--disable-popup-blocking",
                "--disable-dev-shm-usage", "--window-size=1200,800", "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}", "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        active = self.profile / "DevToolsActivePort"
        process = self.process

        def started() -> bool:
            if process.poll() is not None:
                raise NoBrowser(f"{self.binary} exited with status {process.returncode} before it started")
            return active.is_file() and len(active.read_text().split()) == 2

        await until(started, "Chromium", timeout)
        port, path = active.read_text().split()
        self._http = aiohttp.ClientSession()
        self._ws = await self._http.ws_connect(f"ws://127.0.0.1:{port}{path}", max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.send(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(self.downloads)}
        )

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._pending:
                self._pending.pop(data["id"]).set_result(data)
            elif (tab := self._tabs.get(data.get("sessionId", ""))) is not None:
                tab.on_event(data["method"], data.get("params", {}))

    async def send(self, method: str, params: dict[str, Any], session: str | None = None) -> dict[str, Any]:
        assert self._ws is not None
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[ident] = future
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        await self._ws.send_str(json.dumps(message))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return dict(reply["result"])

    async def new_tab(self) -> Tab:
        target = await self.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True})
        tab = Tab(self, attached["sessionId"], target["targetId"])
        self._tabs[tab.session] = tab
        await tab.send("Network.enable")
        await tab.send("Page.enable")
        return tab

    async def close_tab(self, tab: Tab) -> None:
        await self.send("Target.closeTarget", {"targetId": tab.target})

    async def close(self) -> None:
        if self._reader is not None:
            self._reader.cancel()
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)
