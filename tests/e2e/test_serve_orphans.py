"""A served session never outlives its server: ``kill -9`` on the server (no chance to stop anything)
still ends the dashboard process it started for a tab. Driven with a bare websocket: no browser needed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="the serve extra is not installed")

import aiohttp
from builders.browser import until
from builders.serving import TOKEN, alive, children, serve, wait_gone

from trainmon_tui.simulate import RunConfig, write_run


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
async def test_a_killed_server_leaves_no_session(tmp_path: Path) -> None:
    outputs = tmp_path / "run"
    write_run(outputs, [20], RunConfig(max_steps=40, save_steps=20))
    with serve(outputs, tmp_path, "--token", TOKEN) as served:
        async with aiohttp.ClientSession() as http:
            websocket = await http.ws_connect(
                f"ws://127.0.0.1:{served.port}/ws?token={TOKEN}&width=80&height=24"
            )
            painted = bytearray()

            async def drawn() -> bool:
                message = await websocket.receive(timeout=60)
                if message.type == aiohttp.WSMsgType.BINARY:
                    painted.extend(message.data)
                return b"checkpoint-20" in painted

            await until(drawn, "the session's first screen", 60)
            (session,) = children(served.process.pid)
            served.process.kill()
            served.process.wait(10)
            assert wait_gone([session]) == [], "the session outlived its server"
            assert not alive(session)
            await websocket.close()
