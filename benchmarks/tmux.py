"""A real dashboard process in a detached tmux pane of a given size, on a tmux server of our own."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")


def tmux_available() -> bool:
    try:
        return subprocess.run(["tmux", "-V"], capture_output=True, check=False).returncode == 0
    except OSError:
        return False


class TmuxPane:
    """``with TmuxPane(argv) as pane:`` starts ``argv`` in a 160x48 pane; the server is killed on exit.

    The server is started first with an idle session, so that :meth:`start` times the program only.
    """

    def __init__(self, width: int = 160, height: int = 48, env: dict[str, str] | None = None) -> None:
        self.socket = f"trainmon-bench-{os.getpid()}-{time.monotonic_ns()}"
        self.width, self.height = width, height
        self.env = env
        self.started_at = 0.0
        self.socket_path = ""

    def _tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False, env=self.env
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def __enter__(self) -> TmuxPane:
        self._tmux("-f", "/dev/null", "new-session", "-d", "-s", "idle", "-x", "20", "-y", "5", "sleep 3600")
        self.socket_path = self._tmux("display-message", "-p", "#{socket_path}", check=False).strip()
        return self

    def __exit__(self, *exc: object) -> None:
        self._tmux("kill-server", check=False)
        if self.socket_path:  # tmux leaves the socket file behind
            Path(self.socket_path).unlink(missing_ok=True)

    def start(self, argv: Sequence[str], cwd: Path | None = None) -> None:
        command = "exec " + shlex.join(list(argv))
        args = ["new-session", "-d", "-s", "bench", "-x", str(self.width), "-y", str(self.height)]
        if cwd is not None:
            args += ["-c", str(cwd)]
        self.started_at = time.perf_counter()
        self._tmux(*args, command)

    def capture(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "bench", check=False)

    def pid(self) -> int:
        return int(self._tmux("display-message", "-p", "-t", "bench", "#{pane_pid}").strip())

    def wait_for(self, needles: Sequence[str], timeout: float = 60.0, interval: float = 0.005) -> float:
        """Seconds from :meth:`start` until the pane shows every one of ``needles``."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            screen = self.capture()
            if all(n in screen for n in needles):
                return time.perf_counter() - self.started_at
            time.sleep(interval)
        raise TimeoutError(f"pane never showed {needles!r}; it shows:\n{self.capture()}")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (and of its waited-for children), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / CLK_TCK


def peak_rss_mb(pid: int) -> float:
    """VmHWM (the peak resident set size) of a process, from /proc/<pid>/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for pid {pid}")
