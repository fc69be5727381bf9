"""The benchmark suite runs: every row at the smallest size, tiny repeats. No timing is asserted here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROWS = sorted(str(n) for n in range(1, 19))  # "1", "10", "11", ...: as sorted() gives the keys


@pytest.mark.skipif(shutil.which("tmux") is None, reason="rows 5 to 7 run the dashboard in tmux")
def test_benchmark_runs_at_the_smallest_size(tmp_path: Path) -> None:
    out = tmp_path / "results.md"
    env = dict(os.environ, TRAINMON_BENCH_DATA=str(tmp_path / "data"))
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--sizes", "1k", "--repeats", "1", "--idle-seconds", "2",
         "--out", str(out), "--quiet"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    assert text.strip() in done.stdout
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 8 and cells[0] in ROWS:
            rows[cells[0]] = cells
    assert sorted(rows) == ROWS, text
    number = re.compile(r"^\d+(\.\d+)? (ms|µs|MB|%)$")
    for key, cells in rows.items():
        assert number.match(cells[3]), (key, cells[3])  # ours
        assert number.match(cells[5]), (key, cells[5])  # naive
        assert re.match(r"^(\d+(\.\d+)?x|inf)$", cells[6]), (key, cells[6])  # ratio
        assert cells[7] in {"yes", "**no**"}, (key, cells[7])
    assert "1,000" in rows["1"][1]
