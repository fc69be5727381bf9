"""The export when served (``deliver_png``): to the browser through ``deliver_binary``, never to a file;
and outside a browser, refused rather than written into ~/Downloads."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any

import pytest

from trainmon_tui.simulate import RunConfig, SimulatedRun

SIZE = (100, 32)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def served_app(make_app: Any, tmp_path: Path, lang: str = "en") -> Any:
    outputs = tmp_path / "myrun"
    SimulatedRun(outputs, RunConfig(max_steps=40, save_steps=20)).save_at(20)
    app, notes = make_app(outputs, None, lang=lang)
    app.options = dataclasses.replace(app.options, deliver_png=True)
    return app, notes


async def test_served_s_delivers_the_png_to_the_browser(tmp_path, make_app, wait_for, monkeypatch) -> None:
    app, notes = served_app(make_app, tmp_path)
    delivered: list[dict[str, Any]] = []

    def deliver_binary(file: io.BytesIO, **kwargs: Any) -> str:
        delivered.append({"data": file.read(), **kwargs})
        return "key"

    monkeypatch.setattr(type(app), "is_web", property(lambda self: True))
    app.deliver_binary = deliver_binary
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state is not None)
        await pilot.press("s")
        await wait_for(pilot, lambda: any(n.startswith("PNG sent to the browser") for n in notes), timeout=30)
    (sent,) = delivered
    assert sent["data"].startswith(PNG_SIGNATURE)
    assert sent["mime_type"] == "image/png"
    assert sent["save_filename"].startswith("trainmon_myrun_step20_") and sent["save_filename"].endswith(
        ".png"
    )
    assert f"PNG sent to the browser: {sent['save_filename']}" in notes
    assert list(tmp_path.rglob("*.png")) == []  # nothing written: not the export folder, not the run


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_served_but_not_in_a_browser_writes_nothing(tmp_path, make_app, wait_for, lang) -> None:
    app, notes = served_app(make_app, tmp_path, lang)
    expected = {"en": "PNG not saved: this session is in no browser", "zh": "PNG 未保存: 此会话不在浏览器中"}[
        lang
    ]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and app.snapshot.state is not None)
        await pilot.press("s")
        await wait_for(pilot, lambda: expected in notes, timeout=30)
    assert list(tmp_path.rglob("*.png")) == []
