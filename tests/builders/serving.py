"""``trainmon-tui OUTPUTS --serve`` started as a person would, for the browser and HTTP tests: a free
loopback port, the URL read from its first line of output, its sessions found in /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a served session each)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie, dead but not reaped, is not)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Served:
    def __init__(self, process: subprocess.Popen[str], url: str, port: int) -> None:
        self.process = process
        self.url = url  # as printed: with the token
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.stderr: list[str] = []


@contextmanager
def serve(outputs: Path, cwd: Path, *flags: str, timeout: float = 60.0) -> Iterator[Served]:
    """The server on a free port, stopped (ctrl+c, then kill) when the block ends."""
    if os.name != "posix":
        pytest.skip("the served sessions are POSIX processes")
    port = free_port()
    argv = [sys.executable, "-m", "trainmon_tui", str(outputs), "--serve", f"127.0.0.1:{port}", *flags]
    process = subprocess.Popen(
        argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    stdout, stderr = process.stdout, process.stderr
    assert stdout is not None and stderr is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)  # the URL is its first line, printed once the port is open
    try:
        if not lines or not lines[0].startswith("http://"):
            process.kill()
            raise AssertionError(f"no URL from the server: {lines} {stderr.read()}")
        served = Served(process, lines[0].strip(), port)
        threading.Thread(target=lambda: served.stderr.extend(stderr), daemon=True).start()
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_gone(pids: list[int], timeout: float = 20.0) -> list[int]:
    """The pids still alive after ``timeout`` (none, once they all ended)."""
    deadline = time.monotonic() + timeout
    while (left := [pid for pid in pids if alive(pid)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
