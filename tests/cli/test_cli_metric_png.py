"""``-s PATH --metrics``: a PNG grid, one panel per picked series, never overwriting; ``--smooth``, ``--x``
and ``--log`` in the panels (read back from an SVG whose text matplotlib keeps as text)."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest
from builders.fixtures import REAL_FIXTURES, needs_real
from builders.reference import reference_series

from trainmon_tui.views.safetext import printable

GRPO = REAL_FIXTURES / "16_trl_grpo_new_tokens_seen.json"
MULTI_EVAL = REAL_FIXTURES / "09_new_multi_eval_datasets_prefixed.json"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.fixture
def svg_env(tmp_path, helpers):
    """matplotlib writing SVG text as <text> elements (MATPLOTLIBRC), so the titles can be read back."""
    rc = tmp_path / "mplrc"
    rc.mkdir()
    (rc / "matplotlibrc").write_text("svg.fonttype: none\n")
    return helpers.cli_env(MATPLOTLIBRC=str(rc))


def svg_texts(path: Path) -> list[str]:
    import html

    return [html.unescape(text) for text in re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text())]


@needs_real
def test_one_panel_per_picked_series_in_pattern_order(tmp_path, run_cli, svg_env):
    target = tmp_path / "m.svg"
    result = run_cli(MULTI_EVAL, "-s", target, "--metrics", "eval_*_loss,loss", "--x", "epoch", env=svg_env)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(target)
    want = sorted(key for key in reference_series(MULTI_EVAL) if re.fullmatch(r"eval_.*_loss", key))
    titles = [text for text in texts if text in {*want, "loss"}]
    assert titles == [*want, "loss"]
    assert texts.count("epoch") == len(titles)  # every panel's x label


@needs_real
def test_smoothing_and_log_in_the_titles(tmp_path, run_cli, svg_env):
    target = tmp_path / "m.svg"
    result = run_cli(GRPO, "-s", target, "--metrics", "kl,reward", "--smooth", "0.9", "--log", env=svg_env)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(target)
    assert "kl  (EMA 0.9, log)" in texts and "reward  (EMA 0.9, log)" in texts


@needs_real
def test_png_grid_grows_with_the_series(tmp_path, run_cli):
    one, many = tmp_path / "one.png", tmp_path / "many.png"
    assert run_cli(GRPO, "-s", one, "--metrics", "kl").returncode == 0
    result = run_cli(GRPO, "-s", many, "--metrics", "*")
    assert result.returncode == 0, result.stderr
    assert png_size(one) == (800, 460)
    width, height = png_size(many)
    assert width == 1600 and height > 1000  # four across, several rows
    assert result.stderr.strip().splitlines()[-1] == f"saved: {many}"


def test_never_overwrites_and_a_folder_gets_a_new_name(tmp_path, outputs, run_cli, helpers):
    taken = tmp_path / "taken.png"
    taken.write_bytes(b"theirs")
    result = run_cli(outputs, "-s", taken, "--metrics", "loss")
    assert result.returncode == 1 and "already exists" in helpers.one_line(result.stderr)
    assert taken.read_bytes() == b"theirs"
    shots = tmp_path / "shots"
    shots.mkdir()
    for _ in range(2):
        assert run_cli(outputs, "-s", shots, "--metrics", "loss").returncode == 0
    names = sorted(path.name for path in shots.iterdir())
    assert len(names) == 2 and all(
        re.fullmatch(r"trainmon_outputs_step2_\d{8}-\d{6}_metrics(-2)?\.png", n) for n in names
    )


def test_an_axis_the_run_cannot_give_is_one_line_exit_1(tmp_path, outputs, run_cli, helpers):
    for axis, missing in (("time", "no wall times"), ("tokens", "no num_input_tokens_seen or num_tokens")):
        result = run_cli(outputs, "-s", tmp_path / "x.png", "--metrics", "loss", "--x", axis)
        assert result.returncode == 1, result.stderr
        line = helpers.one_line(result.stderr)
        assert line.startswith(f"trainmon-tui: error: --x {axis}: ") and missing in line
    assert not (tmp_path / "x.png").exists()


def test_a_key_logged_once_is_no_chart(tmp_path, run_cli, helpers):
    entries = [{"loss": 1.0, "step": 1}, {"loss": 0.5, "step": 2}, {"eval_loss": 0.7, "step": 2}]
    source = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=2))
    result = run_cli(source, "-s", tmp_path / "x.png", "--metrics", "eval_loss")
    assert result.returncode == 1
    assert "'eval_loss' matches no chart, only 'eval_loss' (see --list-metrics)" in helpers.one_line(
        result.stderr
    )


def test_without_metrics_the_four_charts_as_today(tmp_path, outputs, run_cli):
    result = run_cli(outputs, "-s", tmp_path / "four.png")
    assert result.returncode == 0, result.stderr
    assert png_size(tmp_path / "four.png") == (1200, 800)


def test_hostile_keys_in_the_titles(tmp_path, run_cli, helpers, svg_env):
    keys = ["$x^2$", "\x1b[2J[red]k", "a\nb"]
    entries = [{"loss": 1.0, **{key: float(s) for key in keys}, "step": s} for s in (1, 2)]
    source = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=2))
    result = run_cli(source, "-s", tmp_path / "h.svg", "--metrics", "$*,?[[]2J*,a?b", env=svg_env)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(tmp_path / "h.svg")
    for key in keys:
        assert printable(key) in texts, (key, texts)


def test_time_axis_from_the_live_log(tmp_path, run_cli, svg_env):
    import time

    from builders import livelog as records

    outputs = tmp_path / "outputs"
    t0 = time.time() - 100
    recs = [records.start(0, time=t0, max_steps=10)]
    recs += [records.log(s, time=t0 + 10 * s, values={"loss": 1.0 / s, "step": s}) for s in range(1, 6)]
    records.write(outputs, *recs)
    result = run_cli(outputs, "-s", tmp_path / "t.svg", "--metrics", "loss", "--x", "time", env=svg_env)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(tmp_path / "t.svg")
    assert "wall time (s)" in texts
    assert {"10", "40"} <= set(texts)  # steps 1..5 at 10 s apart: 0 to 40 s from the first record


def test_log_ticks_are_plain_numbers(tmp_path, run_cli, helpers, svg_env):
    entries = [{"loss": 1.0, "kl": 2.0 * s, "step": s} for s in range(1, 30)]
    source = helpers.write_state(tmp_path / "run", helpers.trainer_state(entries, global_step=29))
    result = run_cli(source, "-s", tmp_path / "l.svg", "--metrics", "kl", "--log", env=svg_env)
    assert result.returncode == 0, result.stderr
    texts = svg_texts(tmp_path / "l.svg")
    # y ticks as numbers (2 to 58: 10, 20, 40, 60 and a few minor ones), not mathtext's 2 x 10^1, which
    # an SVG holds as paths: the x ticks stop at 30
    assert {"2", "40", "60"} <= set(texts), texts
