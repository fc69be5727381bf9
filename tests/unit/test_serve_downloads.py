"""The served PNG's download (trainmon_tui/serve/server.py PatientDownloads): chunks until the empty one,
and a session that goes quiet ends the download cleanly instead of raising."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("textual_serve", reason="the serve extra is not installed")

from trainmon_tui.serve import server


class FakeSession:
    """Answers each chunk request from ``chunks`` (none left: stays quiet)."""

    app_service_id = "fake"

    def __init__(self, manager: server.PatientDownloads, chunks: list[bytes]) -> None:
        self.manager = manager
        self.chunks = chunks
        self.requests: list[dict[str, Any]] = []

    async def send_meta(self, data: dict[str, Any]) -> bool:
        self.requests.append(data)
        if self.chunks:
            await self.manager.chunk_received(str(data["key"]), self.chunks.pop(0))
        return True


async def start(chunks: list[bytes]) -> tuple[server.PatientDownloads, FakeSession]:
    manager = server.PatientDownloads()
    session = FakeSession(manager, chunks)
    await manager.create_download(
        app_service=session,  # type: ignore[arg-type]
        delivery_key="k",
        file_name="a.png",
        open_method="download",
        mime_type="image/png",
    )
    return manager, session


async def test_chunks_until_the_empty_one() -> None:
    manager, session = await start([b"\x89PNG", b"rest", b""])
    assert [chunk async for chunk in manager.download("k")] == [b"\x89PNG", b"rest"]
    assert [request["type"] for request in session.requests] == ["deliver_chunk_request"] * 3
    with pytest.raises(KeyError):
        await manager.get_download_metadata("k")  # done: the key is gone


async def test_a_quiet_session_ends_the_download(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "CHUNK_SECONDS", 0.05)
    manager, _session = await start([b"part"])
    assert [chunk async for chunk in manager.download("k")] == [b"part"]
    with pytest.raises(KeyError):
        await manager.get_download_metadata("k")
