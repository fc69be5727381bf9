"""``--serve`` in a real headless Chromium: the token, the page, the dashboard process, a new checkpoint,
the PNG download, a tab per process, the session cap, ``q`` ending a session, ctrl+c stopping it all.

One server (``--max-sessions 2``) and one browser for the whole story, in the order a person meets it.
Skipped with the reason when Chromium, textual-serve or pyte is missing (``.ci/run`` installs them).
"""

from __future__ import annotations

import signal
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytest.importorskip("textual_serve", reason="the serve extra is not installed")
pytest.importorskip("pyte", reason="pyte (the test extra) reads the page's terminal")

from builders.browser import Browser, NoBrowser, find_chromium, until
from builders.serving import TOKEN, children, serve, wait_gone

from trainmon_tui.simulate import RunConfig, write_run

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium here (apt-get install chromium)")
RUN = "served-run"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def downloaded(folder: Path) -> list[Path]:
    return [path for path in folder.glob("*.png") if path.stat().st_size > len(PNG_MAGIC)]


async def test_dashboard_in_chromium(tmp_path: Path) -> None:
    outputs = tmp_path / RUN
    run = write_run(outputs, [20, 40], RunConfig(max_steps=200, save_steps=20))
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    cwd = tmp_path / "server-cwd"
    cwd.mkdir()
    assert CHROMIUM is not None
    browser = Browser(CHROMIUM, downloads)
    with serve(outputs, cwd, "--token", TOKEN, "--max-sessions", "2") as served:
        assert served.url == f"{served.base}/?token={TOKEN}"
        try:
            await browser.start()
        except NoBrowser as exc:
            await browser.close()
            pytest.skip(str(exc))
        try:
            tab = await browser.new_tab()
            # Without the token: refused, and no session starts.
            await tab.open(served.base + "/")
            await until(lambda: tab.has_text("needs its token"), "the refused page")
            assert tab.statuses == [403]
            assert children(served.process.pid) == []

            # With it: the page, then the dashboard process painting the run into the page's terminal.
            await tab.open(served.url)
            shown = tab.screen_text
            await until(lambda: RUN in shown() and "checkpoint-40" in shown(), "the dashboard", 60)
            assert tab.statuses == [403, 200]
            assert await tab.evaluate("document.title") == f"trainmon-tui · {RUN}"
            assert "-first-byte" in await tab.evaluate("document.body.className")
            sessions = children(served.process.pid)
            assert len(sessions) == 1

            # A checkpoint written after the page opened shows up in it.
            assert "checkpoint-60" not in tab.screen_text()
            run.save_at(60)
            await until(lambda: "checkpoint-60" in tab.screen_text(), "the new checkpoint in the page", 30)

            # s: the PNG arrives in the browser's download folder; nothing is written on the server.
            await tab.focus_terminal()
            await tab.press("s")
            try:
                files = await until(lambda: downloaded(downloads), "the PNG download", 45)
            except AssertionError as exc:  # what the page and the server said, to tell why
                seen = sorted(path.name for path in downloads.iterdir())
                story = "".join(served.stderr)
                raise AssertionError(f"{exc}; downloads: {seen}\n{tab.screen_text()}\n{story}") from None
            assert files[0].read_bytes().startswith(PNG_MAGIC)
            assert files[0].name.startswith(f"trainmon_{RUN}_step60_")
            await until(lambda: "PNG sent to the browser" in tab.screen_text(), "the notification", 30)
            assert list(cwd.iterdir()) == []
            assert list(outputs.rglob("*.png")) == []

            # A second tab: a dashboard process of its own, on the same folder.
            second = await browser.new_tab()
            await second.open(served.url)
            await until(lambda: "checkpoint-60" in second.screen_text(), "the second tab's dashboard", 60)
            sessions = await until(lambda: [p for p in children(served.process.pid) if p not in sessions] and
                                   children(served.process.pid), "the second session")  # fmt: skip
            assert len(sessions) == 2

            # The cap (2): a third tab is told to wait, and so is a plain request...
            third = await browser.new_tab()
            await third.open(served.url)
            await until(lambda: third.has_text("sessions of this server are in use"), "the busy page")
            assert third.statuses[0] == 503
            assert status(served.url) == 503
            assert sorted(children(served.process.pid)) == sorted(sessions)
            # ... and gets in by itself once a tab is closed (its session ends with it).
            await browser.close_tab(second)
            await until(lambda: RUN in third.screen_text(), "the waiting tab's dashboard", 60)
            assert 200 in third.statuses
            sessions = children(served.process.pid)
            assert len(sessions) == 2

            # q quits that tab's dashboard: the page says the session ended, and its process is gone.
            await third.focus_terminal()
            await third.press("q")
            await until(lambda: third.has_text("Session ended."), "the ended session's notice", 30)
            await until(lambda: len(children(served.process.pid)) == 1, "the quit session's end", 30)
            sessions = children(served.process.pid)
        finally:
            await browser.close()

        # ctrl+c stops the server and its session: no orphan left.
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(30) == 0
        assert wait_gone(sessions) == []
