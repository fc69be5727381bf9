"""Small helpers: timing with medians, whole-process timing, the Markdown table."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def time_call(fn: Callable[[], object]) -> float:
    """Seconds one call takes (wall clock)."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def interleaved(
    ours: Callable[[], object], naive: Callable[[], object], repeats: int
) -> tuple[list[float], list[float]]:
    """Time both ``repeats`` times, alternating, so that a noisy neighbour hurts both alike."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(repeats):
        a.append(time_call(ours))
        b.append(time_call(naive))
    return a, b


def time_process(argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> float:
    """Seconds a whole process takes, from fork to exit; its output is discarded; fails loudly."""
    start = time.perf_counter()
    done = subprocess.run(
        list(argv), cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, argv))} exited {done.returncode}: {done.stderr.decode()[-800:]}"
        )
    return elapsed


def console_script() -> list[str]:
    """The installed ``trainmon-tui`` next to this interpreter, else ``python -m trainmon_tui``."""
    script = Path(sys.executable).with_name("trainmon-tui")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    found = shutil.which("trainmon-tui")
    return [found] if found else [sys.executable, "-m", "trainmon_tui"]


def clean_env() -> dict[str, str]:
    """The environment for measured processes: no colour forcing, English labels."""
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    env["LANG"] = env.get("LANG") or "C.UTF-8"
    return env


@dataclass(slots=True)
class Row:
    """One line of the results table."""

    key: str  # "1".."8"
    what: str
    target: str
    ours: float  # in ``unit``
    naive: float
    naive_what: str
    unit: str  # "ms", "MB", "%"
    holds: bool | None  # None: no target to check
    note: str = ""

    @property
    def ratio(self) -> float:
        """How many times the naive way's figure is ours (> 1: ours is smaller, i.e. better)."""
        if self.ours <= 0:
            return float("inf") if self.naive > 0 else float("nan")
        return self.naive / self.ours


def fmt(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "nan"
    if unit == "%":
        return f"{value:.2f}"
    if unit == "MB":
        return f"{value:.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| # | what | target | ours | naive way | naive | naive / ours | holds |",
        "|---|---|---|---:|---|---:|---:|---|",
    ]
    for row in rows:
        holds = "—" if row.holds is None else ("yes" if row.holds else "**no**")
        ratio = row.ratio
        ratio_text = "inf" if ratio == float("inf") else f"{ratio:.2f}x"
        lines.append(
            f"| {row.key} | {row.what} | {row.target} | {fmt(row.ours, row.unit)} {row.unit} "
            f"| {row.naive_what} | {fmt(row.naive, row.unit)} {row.unit} | {ratio_text} | {holds} |"
        )
    return "\n".join(lines)


def machine_line() -> str:
    """CPU model, core count, Python and OS, for the table's caption."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f", {int(line.split()[1]) / 1024 / 1024:.1f} GB RAM"
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores{mem}, Python {sys.version.split()[0]}, "
        f"{os.uname().sysname} {os.uname().release}"
    )
