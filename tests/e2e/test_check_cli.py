"""End to end: the installed ``trainmon-tui --check``: exit codes 0 and 3, the alerts as text and JSON,
``--on-alert`` running a script that writes its environment to a file, and the usage errors (exit 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders.fixtures import REAL_FIXTURES, needs_real, real_run

from trainmon_tui.simulate import RunConfig, write_run


def _run(console_script: str, *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "120"}
    return subprocess.run(
        [console_script, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
        check=False,
    )


def test_a_healthy_run_exits_0(tmp_path, console_script):
    outputs = tmp_path / "ok"
    write_run(outputs, [20, 40], RunConfig(max_steps=100))
    done = _run(console_script, outputs, "--check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("healthy: no alert of severity warning or above")
    data = json.loads(_run(console_script, outputs, "--check", "--format", "json").stdout)
    assert data["healthy"] is True and data["alerts"] == [] and data["past"] == []


def test_a_nan_run_exits_3_with_the_alert_in_text_and_json(tmp_path, console_script):
    outputs = tmp_path / "nan"
    write_run(outputs, [20, 40], RunConfig(max_steps=100, nan_steps=frozenset(range(35, 41))))
    done = _run(console_script, outputs, "--check")
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split()[:3] == ["critical", "nan_loss", "35"]
    assert "Loss is NaN at step 35 (6 non-finite since)" in lines[0]
    data = json.loads(_run(console_script, outputs, "--check", "--format", "json").stdout)
    assert data["healthy"] is False
    assert [(a["kind"], a["step"], a["count"]) for a in data["alerts"]] == [
        ("nan_loss", 35, 6),
        ("nan_grad_norm", 35, 6),
    ]
    summary = json.loads(_run(console_script, outputs, "-u", "--format", "json").stdout)
    assert [a["kind"] for a in summary["alerts"]] == ["nan_loss", "nan_grad_norm"]
    relaxed = _run(console_script, outputs, "--check", "--threshold", "nonfinite_clear_logs=1")
    assert relaxed.returncode == 3  # still NaN at the newest step: it holds whatever the threshold


@needs_real
def test_real_fixture_10_check_lists_the_past_episodes(tmp_path, console_script):
    outputs = real_run(tmp_path, "10_unsloth_fp16_nan_infinity_gradnorm.json")
    done = _run(console_script, outputs, "--check")
    assert done.returncode == 0, done.stderr  # finished, its NaN grad norm and spike long over
    assert "cleared   nan_grad_norm" in done.stdout and "cleared   loss_spike" in done.stdout
    assert _run(console_script, REAL_FIXTURES / "run_bert_cls", "--check").returncode == 0


def test_on_alert_runs_the_command_with_the_alert_in_its_environment(tmp_path, console_script):
    outputs = tmp_path / "nan"
    write_run(outputs, [20, 40], RunConfig(max_steps=100, nan_steps=frozenset({40})))
    seen = tmp_path / "seen"
    seen.mkdir()
    script = tmp_path / "hook.py"
    script.write_text(
        "import json, os, sys\n"
        "keys = [k for k in os.environ if k.startswith('TRAINMON_')]\n"
        "path = os.path.join(sys.argv[1], os.environ['TRAINMON_KIND'] + '.json')\n"
        "json.dump({k: os.environ[k] for k in keys}, open(path, 'w'))\n"
        "print('this goes nowhere')\n"
    )
    command = f"{sys.executable} {script} '{seen}'"
    done = _run(console_script, outputs, "--check", "--on-alert", command)
    assert done.returncode == 3 and "this goes nowhere" not in done.stdout + done.stderr
    env = json.loads((seen / "nan_loss.json").read_text())
    assert env["TRAINMON_SEVERITY"] == "critical" and env["TRAINMON_STEP"] == "40"
    assert env["TRAINMON_RUN"] == str(outputs.absolute())
    assert env["TRAINMON_MESSAGE"].startswith("Loss is NaN at step 40")
    assert sorted(p.name for p in seen.iterdir()) == ["nan_grad_norm.json", "nan_loss.json"]


def test_a_failing_on_alert_command_is_one_line_on_stderr(tmp_path, console_script):
    outputs = tmp_path / "nan"
    write_run(outputs, [20], RunConfig(max_steps=100, nan_steps=frozenset({20})))
    done = _run(console_script, outputs, "--check", "--on-alert", "no-such-command-here --flag")
    assert done.returncode == 3
    assert "--on-alert failed: no-such-command-here: command not found" in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--check", "-u"], "--check is a mode of its own"),
        (["--check", "--threshold", "spike_factor=x"], "threshold spike_factor: 'x' is not a number"),
        (["--check", "--on-alert", "'unbalanced"], "cannot split"),
        (["-u", "--on-alert", "true"], "--on-alert runs with the dashboard or --check"),
        (["-u", "--no-bell"], "--no-bell only applies to the dashboard"),
    ],
)
def test_usage_errors_exit_2(tmp_path, console_script, args, says):
    done = _run(console_script, tmp_path, *args)
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_no_checkpoint_is_exit_1(tmp_path, console_script):
    done = _run(console_script, tmp_path, "--check")
    assert done.returncode == 1 and "No readable checkpoint" in done.stderr
