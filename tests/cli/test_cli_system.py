"""The live log's ``sys`` figures through the installed command: ``--list-metrics``, ``--metrics``,
``--csv``, ``-u --format json`` and ``-p``, with no flag of their own."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from builders import livelog as records

T0 = 1_767_225_600.0
GIB = 1 << 30


@pytest.fixture
def run(tmp_path: Path) -> Path:
    logs = []
    for step in range(1, 21):
        gpu = {
            "index": 0,
            "util": 50 + step,
            "mem_used": 20 * GIB,
            "mem_total": 24 * GIB,
            "mem_alloc": 16 * GIB,
        }
        figures = {"pid": 3, "rss": 2 * GIB + step * 2**20, "cpu_time": 2.0 * step, "gpus": [gpu]}
        values = {"loss": 1.0 / step, "learning_rate": 1e-4}
        logs.append(records.log(step, time=T0 + step, epoch=step / 20, values=values, sys=figures))
    records.write(tmp_path / "out", records.start(time=T0, max_steps=20), *logs)
    return tmp_path / "out"


def test_list_metrics_puts_them_after_the_training_keys(run: Path, run_cli) -> None:
    result = run_cli(run, "--list-metrics", "--format", "json")
    assert result.returncode == 0, result.stderr
    keys = [m["key"] for m in json.loads(result.stdout)["metrics"]]
    assert keys[:2] == ["loss", "learning_rate"]
    assert keys[2:] == [
        "sys/rss",
        "sys/cpu",
        "sys/gpu0/util",
        "sys/gpu0/mem_used",
        "sys/gpu0/mem_total",
        "sys/gpu0/mem_alloc",
    ]
    text = run_cli(run, "--list-metrics", "--metrics", "sys/gpu*").stdout
    assert [line.split()[0] for line in text.splitlines()[2:]] == keys[4:]


def test_csv_has_a_column_per_figure(run: Path, run_cli, tmp_path: Path) -> None:
    result = run_cli(run, "--csv", tmp_path / "r.csv", "--metrics", "loss,sys/*")
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader((tmp_path / "r.csv").open()))
    assert rows[0][:4] == ["step", "loss", "sys/rss", "sys/cpu"]
    assert rows[1][3] == "" and float(rows[2][3]) == pytest.approx(200.0)  # 2 s of CPU a second: 200%
    assert float(rows[-1][2]) == pytest.approx(2 + 20 / 1024)  # GiB


def test_summary_json_and_text(run: Path, run_cli) -> None:
    data = json.loads(run_cli(run, "-u", "--format", "json").stdout)
    assert data["system"]["step"] == 20
    assert (
        data["system"]["metrics"]["sys/gpu0/util"] == 70
        and data["system"]["metrics"]["sys/gpu0/mem_total"] == 24
    )
    text = run_cli(run, "-u").stdout
    assert "Resources @ 20" in text and "GPU0 memory" in text and "20 / 24 GiB" in text


def test_their_charts_in_the_terminal(run: Path, run_cli) -> None:
    result = run_cli(run, "-p", "--metrics", "sys/rss,sys/gpu0/util")
    assert result.returncode == 0, result.stderr
    assert "sys/rss" in result.stdout and "sys/gpu0/util" in result.stdout
