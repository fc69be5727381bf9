"""The web server: textual-serve's :class:`~textual_serve.server.Server`, with the guard, the session cap, a
dashboard process per browser tab started without a shell, and every session stopped with the server.

What a browser may send is keys, the terminal's size (kept within :data:`COLUMNS` x :data:`ROWS`) and
focus; the command each session runs is the server's own (:mod:`.session`), never a request's.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
import signal
from asyncio.subprocess import PIPE, Process
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, web
from textual_serve import server as server_module
from textual_serve.app_service import AppService
from textual_serve.download_manager import DOWNLOAD_CHUNK_SIZE, DownloadManager
from textual_serve.server import Server

from trainmon_tui.serve.address import Bind
from trainmon_tui.serve.guard import WEBSOCKET_PATH, Guard
from trainmon_tui.serve.page import busy_page, busy_text, dashboard_page, refused_text
from trainmon_tui.serve.session import session_environment
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.safetext import printable

log = logging.getLogger("trainmon-tui.serve")
COLUMNS = (20, 400)
ROWS = (6, 200)
STOP_SECONDS = 5.0  # a session asked to quit gets this long before it is killed
MAX_MESSAGE = 64 * 1024  # keys and sizes are small
CHUNK_SECONDS = 30.0  # how long a download waits for each chunk from its session
STATIC = Path(server_module.__file__).parent / "static"  # textual-serve's script, styles and fonts


def _clamp(text: object, bounds: tuple[int, int], default: int) -> int:
    try:
        value = int(str(text))
    except ValueError:
        return default
    return max(bounds[0], min(bounds[1], value))


class PatientDownloads(DownloadManager):
    """textual-serve's downloads, waiting :data:`CHUNK_SECONDS` for each chunk. Its own 4 s are too short
    on a busy training machine, where a session redrawing its charts holds the GIL (the PNG then arrived
    empty, and the time-out path raised ``task_done() called too many times``)."""

    async def download(self, delivery_key: str) -> AsyncGenerator[bytes, None]:
        download = await self.get_download_metadata(delivery_key)
        request: dict[str, str | int | bool | None] = {"type": "deliver_chunk_request", "key": delivery_key}
        request.update(size=DOWNLOAD_CHUNK_SIZE, name=download.name)
        try:
            while await download.app_service.send_meta(request):
                try:
                    chunk = await asyncio.wait_for(download.incoming_chunks.get(), CHUNK_SECONDS)
                except (TimeoutError, asyncio.TimeoutError):
                    log.warning("download %s: no data from its session in %ss", delivery_key, CHUNK_SECONDS)
                    return
                if not chunk:  # the whole file, or the session cancelled it
                    return
                yield chunk
        finally:
            self._active_downloads.pop(delivery_key, None)


@dataclass(frozen=True, slots=True)
class ServeConfig:
    argv: list[str]  # each session's command (see :func:`~trainmon_tui.serve.session.session_argv`)
    bind: Bind
    token: str | None
    name: str  # the run or folder the page title names
    lang: Lang = "en"
    max_sessions: int = 4


class SessionService(AppService):
    """One tab's dashboard process: exec'd from an argv (no shell), in a session of its own so the
    terminal's ctrl+c reaches only the server, which stops it; killed if it does not quit in time."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv
        self._stderr_task: asyncio.Task[None] | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        return session_environment(super()._build_environment(width=width, height=height))

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=PIPE, stdout=PIPE, stderr=PIPE, env=environment, start_new_session=True
        )
        assert process.stdin is not None and process.stderr is not None
        self._stdin = process.stdin
        # Its stderr is read here, each line made printable onto the server's stderr; textual-serve would
        # write it raw into stdout (the URL's stream). It gets a stream that has ended instead.
        self._stderr_task = asyncio.create_task(self._log_stderr(process.stderr))
        ended = asyncio.StreamReader()
        ended.feed_eof()
        process.stderr = ended
        return process

    async def _log_stderr(self, stream: asyncio.StreamReader) -> None:
        while line := await stream.readline():
            log.warning("session %s: %s", self.pid, printable(line.decode("utf-8", "replace").rstrip("\n")))

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(_clamp(width, COLUMNS, 80), _clamp(height, ROWS, 24))

    async def run(self) -> None:
        """The process's output to the tab; when it ends (quit, or failed to start), the tab is told."""
        await super().run()
        await self.remote_close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def stop(self) -> None:
        """Ask the app to quit; kill it if it has not within :data:`STOP_SECONDS`; reap it either way."""
        try:
            await asyncio.wait_for(super().stop(), STOP_SECONDS)
        except (TimeoutError, asyncio.TimeoutError):
            log.warning("session %s did not quit in %ss: killed", self.pid, STOP_SECONDS)
        finally:
            process = self._process
            if process is not None and process.returncode is None:
                process.kill()
            if process is not None:
                await process.wait()
            if self._stderr_task is not None:
                await self._stderr_task


class DashboardServer(Server):
    def __init__(self, config: ServeConfig) -> None:
        super().__init__(shlex.join(config.argv), host=config.bind.host, port=config.bind.port)
        self.config = config
        self.guard = Guard(config.bind, config.token, refused_text(config.lang))
        self.sessions: dict[str, tuple[web.WebSocketResponse, SessionService]] = {}
        self.statics_path = STATIC
        self.download_manager = PatientDownloads()

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.guard.middleware])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get(WEBSOCKET_PATH, self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_response_prepare.append(self.guard.headers)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def full(self) -> bool:
        return len(self.sessions) >= self.config.max_sessions

    async def handle_index(self, request: web.Request) -> web.Response:
        config = self.config
        if self.full():
            text = busy_page(name=config.name, lang=config.lang, limit=config.max_sessions)
            return web.Response(text=text, content_type="text/html", status=503, headers={"Retry-After": "5"})
        scheme = "wss" if request.secure else "ws"
        page = dashboard_page(
            name=config.name,
            lang=config.lang,
            static_url="/static/",
            websocket_url=f"{scheme}://{request.host}{WEBSOCKET_PATH}",
            font_size=_clamp(request.query.get("fontsize", "16"), (8, 40), 16),
        )
        return web.Response(text=page, content_type="text/html")

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        await websocket.prepare(request)
        if self.full():  # the page raced another tab to the last session
            message = busy_text(self.config.max_sessions, self.config.lang)
            await websocket.send_bytes(f"\r\n  {message}\r\n".encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"busy")
            return websocket
        service = SessionService(
            self.config.argv,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.sessions[service.app_service_id] = (websocket, service)  # before any await: the cap holds
        try:
            width = _clamp(request.query.get("width", "80"), COLUMNS, 80)
            height = _clamp(request.query.get("height", "24"), ROWS, 24)
            await service.start(width, height)
            log.info("session %s started (%d open)", service.pid, len(self.sessions))
            await self._process_messages(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("session %s failed", service.pid)
        finally:
            await service.stop()
            self.sessions.pop(service.app_service_id, None)
            await websocket.close()
            log.info("session %s ended", service.pid)
        return websocket

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve's banner is left out: the command line prints the URL."""

    async def on_shutdown(self, app: web.Application) -> None:
        """Every session stopped (quit, else killed) and its websocket closed, before the server goes."""

        async def close(websocket: web.WebSocketResponse, service: SessionService) -> None:
            await service.stop()
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")

        await asyncio.gather(*(close(*pair) for pair in list(self.sessions.values())), return_exceptions=True)


class ListenError(Exception):
    """The port could not be opened (taken, not allowed, no such address); the message says why."""


def _log_to_stderr() -> None:
    """One line per session started or ended, and textual-serve's warnings, on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("trainmon-tui: %(message)s"))
    for name, level in (("trainmon-tui.serve", logging.INFO), ("textual-serve", logging.WARNING)):
        logger = logging.getLogger(name)
        logger.setLevel(level)
        logger.addHandler(handler)
        logger.propagate = False


async def serve(config: ServeConfig, ready: Callable[[], None]) -> None:
    """Listen until SIGINT, SIGTERM or SIGHUP; ``ready()`` once the port is open; ListenError if it cannot."""
    _log_to_stderr()
    server = DashboardServer(config)
    app = await server._make_app()
    runner = web.AppRunner(app, handle_signals=False, access_log=None, shutdown_timeout=STOP_SECONDS)
    await runner.setup()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    try:
        try:
            await web.TCPSite(runner, config.bind.host, config.bind.port).start()
        except OSError as exc:
            raise ListenError(exc.strerror or str(exc)) from None
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, stop.set)
        ready()
        await stop.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.remove_signal_handler(signum)
        await runner.cleanup()
