"""The console script on trainer_state.json files from real public training runs.

``../shared/fixtures/real`` (from the project root) is there for developers and CI, not for users: every
test here is skipped when it is absent.
"""

from __future__ import annotations

import json
import math
import subprocess
from pathlib import Path

import pytest

from trainmon_tui.files.decode import decode_json
from trainmon_tui.files.state import load_state
from trainmon_tui.views.stats import summarize

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real"
NEGATIVE = REAL / "_negative" / "not_hf_trading_bot_trainer_state.json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason="no real fixtures (../shared/fixtures/real)")


def trainer_files() -> list[Path]:
    if not REAL.is_dir():
        return []
    return sorted(p for p in REAL.rglob("*.json") if "_negative" not in p.relative_to(REAL).parts)


FILES = trainer_files()
IDS = [str(p.relative_to(REAL)) for p in FILES]


def reference(path: Path) -> dict:
    """The file as Python's own json reads it (bare NaN / Infinity included)."""
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_fixture_set_is_there():
    assert len(FILES) >= 20 and NEGATIVE.is_file()


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_summary_json_and_png(path, run_cli, tmp_path):
    png = tmp_path / "chart.png"
    result = run_cli("--checkpoint", path, "--summary", "--format", "json", "--save-plot", png)
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"saved: {png}"
    data = json.loads(result.stdout)
    raw = reference(path)
    assert data["source"] == str(path)
    assert data["global_step"] == raw["global_step"]
    assert data["max_steps"] == raw.get("max_steps")
    losses = [e["loss"] for e in raw["log_history"] if "loss" in e]
    finite = [x for x in losses if isinstance(x, (int, float)) and math.isfinite(x)]
    assert data["loss"]["count"] == len(finite)
    assert data["loss"]["nonfinite"] == len(losses) - len(finite)
    if finite:
        assert data["loss"]["min"] == min(finite) and data["loss"]["max"] == max(finite)
        assert data["loss"]["current"] == (losses[-1] if losses[-1] in finite else None)
    image = png.read_bytes()
    assert image.startswith(PNG_SIGNATURE) and len(image) > 10_000
    from matplotlib.image import imread

    assert imread(png).shape[:2] == (800, 1200)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_plot_and_summary_table(path, run_cli):
    result = run_cli("-c", path, "--plot", "--summary")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    for text in ("Training progress", "Training loss", "Grad norm (log)", "Loss histogram"):
        assert text in result.stdout


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_parser_agrees_with_the_stdlib(path):
    """Every numeric value of every training entry lands in its series, NaN and Infinity included."""
    state = load_state(path)
    raw = reference(path)
    decode_json(path.read_bytes())  # the fast path never raises on a real file
    for key in ("loss", "grad_norm", "learning_rate", "lr"):
        expected = [e[key] for e in raw["log_history"] if "loss" in e and key in e]
        expected = [float("nan") if v is None or isinstance(v, str) else float(v) for v in expected]
        got = state.get(key).values.tolist()
        assert len(got) == len(expected), key
        for a, b in zip(got, expected, strict=True):
            assert a == b or (math.isnan(a) and math.isnan(b)), key


def test_nan_and_infinity_file():
    state = load_state(REAL / "10_unsloth_fp16_nan_infinity_gradnorm.json")
    grad = state.get("grad_norm").values
    assert math.isnan(grad[4]) and math.isinf(grad[17])
    summary = summarize(state)
    assert summary.loss.nonfinite == 0 and summary.grad_norm is not None


def test_custom_trainer_keys():
    state = load_state(REAL / "18_custom_trainer_keys_1p5MB_2000_entries.json")
    assert state.lr_key == "lr" and "remaining_time" not in state.series
    assert summarize(state).learning_rate is not None


def test_six_eval_sets():
    state = load_state(REAL / "09_new_multi_eval_datasets_prefixed.json")
    assert state.eval_loss_keys == [f"eval_g{i}_loss" for i in range(6)]


@pytest.mark.parametrize(
    ("run", "checkpoint", "step"),
    [
        ("run_bert_cls", "checkpoint-2400", 2400),
        ("run_mistral_translator", None, 8660),  # the root state, with the summary entry
        ("run_whisper_ja_hub", None, 5000),  # last-checkpoint/ is not a checkpoint-N folder
    ],
)
def test_discovery_on_real_runs(run, checkpoint, step, run_cli):
    result = run_cli(REAL / run, "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["checkpoint"], data["global_step"]) == (checkpoint, step)


def test_compare_real_runs(run_cli, tmp_path):
    runs = [
        REAL / "run_bert_cls",
        REAL / "run_mistral_translator" / "checkpoint-500",
        REAL / "17_large_2843_entries_logging1.json",
    ]
    terminal = run_cli("--compare", *runs)
    assert terminal.returncode == 0 and "Training loss by run" in terminal.stdout
    png = run_cli("--compare", *runs, "-s", "cmp.png")
    assert png.returncode == 0 and (tmp_path / "cmp.png").read_bytes().startswith(PNG_SIGNATURE)


@pytest.mark.parametrize(
    "flags", [["--summary"], ["--summary", "--format", "json"], ["--plot"], ["-s", "x.png"]]
)
def test_negative_file_gets_one_clear_line(flags, run_cli, tmp_path, helpers):
    result = run_cli("--checkpoint", NEGATIVE, *flags)
    assert result.returncode == 1 and result.stdout == ""
    line = helpers.one_line(result.stderr)
    assert line == f"trainmon-tui: error: {NEGATIVE}: not a Trainer state: it has no log_history"
    assert not (tmp_path / "x.png").exists()


def test_negative_folder_gets_the_hints(run_cli):
    result = run_cli(REAL / "_negative", "-u")
    assert result.returncode == 1 and "No readable checkpoint" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_is_used(helpers):
    """The tests above run the installed console script when there is one."""
    command = helpers.cli_command()
    result = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("trainmon-tui ")
