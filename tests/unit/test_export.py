"""PNG export: valid images, nothing overwritten, quiet about fonts, fast on long runs."""

from __future__ import annotations

import math
import subprocess
import sys
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from trainmon_tui.files.state import load_state
from trainmon_tui.simulate import RunConfig, synthetic_log_history, write_run
from trainmon_tui.views import export, figures, mplstyle
from trainmon_tui.views.export import save_compare_png, save_dashboard_png
from trainmon_tui.views.figures import compare_figure, dashboard_figure
from trainmon_tui.views.runname import export_stem

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def run_state(tmp_path):
    outputs = tmp_path / "my run"
    config = RunConfig(max_steps=60, save_steps=30, eval_steps=20, nan_steps=frozenset({7}))
    config.inf_grad_steps = frozenset({9})
    write_run(outputs, [30, 60], config)
    return load_state(outputs / "checkpoint-60")


def decode_png(path: Path) -> np.ndarray:
    from matplotlib.image import imread

    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000
    return imread(path)


def texts(figure) -> list[str]:
    return [text.get_text() for ax in figure.axes for text in (ax.title, *ax.texts)]


def test_dashboard_png(run_state, tmp_path):
    path = save_dashboard_png(run_state, tmp_path / "out.png")
    assert path == tmp_path / "out.png"
    image = decode_png(path)
    assert image.shape[:2] == (800, 1200)
    assert image.std() > 0.05  # not a blank canvas
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left


def test_dashboard_figure_content(run_state):
    figure = dashboard_figure(run_state, "en")
    loss_ax, lr_ax, grad_ax, hist_ax = figure.axes[:4]
    assert [ax.get_title() for ax in figure.axes[:4]] == [
        "Training loss",
        "Learning rate",
        "Grad norm (log)",
        "Loss histogram",
    ]
    labels = [line.get_label() for line in loss_ax.get_lines()]
    assert labels == ["loss", "moving avg", "eval loss"]
    assert grad_ax.get_yscale() == "log"
    for ax in (loss_ax, lr_ax, grad_ax):
        for line in ax.get_lines():
            assert np.all(np.isfinite(np.asarray(line.get_ydata(), dtype=float)))
    assert np.all(np.asarray(grad_ax.get_lines()[0].get_ydata()) > 0)
    assert len(loss_ax.get_lines()[0].get_xdata()) == 59  # 60 entries, one NaN left out
    assert sum(patch.get_height() for patch in hist_ax.patches) == 59
    assert figure._suptitle.get_text() == "my run  ·  checkpoint-60  ·  Step 60 / 60"


def test_empty_state_says_no_data(tmp_path, helpers):
    state = load_state(helpers.write_state(tmp_path / "run", helpers.trainer_state([], global_step=0)))
    assert texts(dashboard_figure(state, "en")).count("no data") == 4
    assert "no data" in texts(compare_figure([("a", state)], "en"))
    decode_png(save_dashboard_png(state, tmp_path / "empty.png"))


def test_chinese_labels_when_a_cjk_font_exists(run_state, monkeypatch):
    monkeypatch.setattr(mplstyle, "_installed_families", lambda: {"DejaVu Sans", "Noto Sans CJK SC"})
    assert mplstyle.font_families() == ["DejaVu Sans", "Noto Sans CJK SC"]
    figure = dashboard_figure(run_state, "zh")
    assert figure.axes[0].get_title() == "训练损失"


def test_english_labels_when_no_cjk_font(run_state, monkeypatch, tmp_path):
    """No CJK font installed: English labels rather than boxes, and no warning."""
    monkeypatch.setattr(mplstyle, "_installed_families", lambda: {"DejaVu Sans"})
    assert mplstyle.label_lang("zh") == "en"
    assert dashboard_figure(run_state, "zh").axes[0].get_title() == "Training loss"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decode_png(save_dashboard_png(run_state, tmp_path / "zh.png", "zh"))


def test_chinese_png_without_warnings(run_state, tmp_path, caplog):
    """With whatever fonts this machine has: no missing-glyph warning and no findfont log noise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decode_png(save_dashboard_png(run_state, tmp_path / "zh.png", "zh"))
        decode_png(save_compare_png([("运行", run_state)], tmp_path / "cmp.png", "zh"))
    assert not [r for r in caplog.records if "findfont" in r.getMessage()]


def test_never_overwrites(run_state, tmp_path):
    target = tmp_path / "taken.png"
    target.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        save_dashboard_png(run_state, target)
    with pytest.raises(FileExistsError):
        save_compare_png([("a", run_state)], target)
    assert target.read_bytes() == b"precious"


def test_overwrite_when_asked(run_state, tmp_path):
    target = tmp_path / "again.png"
    target.write_bytes(b"old")
    save_dashboard_png(run_state, target, overwrite=True)
    decode_png(target)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix) == ["again.png"]  # no temp file


def test_svg_and_pdf_and_unsupported(run_state, tmp_path):
    assert save_dashboard_png(run_state, tmp_path / "a.svg").read_text().lstrip().startswith("<?xml")
    assert save_dashboard_png(run_state, tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match="unsupported"):
        save_dashboard_png(run_state, tmp_path / "a.txt")
    assert not (tmp_path / "a.txt").exists()


def test_missing_folder_raises_oserror(run_state, tmp_path):
    with pytest.raises(FileNotFoundError):
        save_dashboard_png(run_state, tmp_path / "no" / "such" / "x.png")


def test_candidate_names():
    assert list(export.candidate_names("a", ".png", tries=3)) == ["a.png", "a-2.png", "a-3.png"]


def test_export_stem(run_state, tmp_path, helpers):
    when = datetime(2024, 5, 6, 7, 8, 9)
    assert export_stem(run_state, when) == "trainmon_my_run_step60_20240506-070809"
    root = load_state(helpers.write_state(tmp_path / "ö:x", helpers.trainer_state([], global_step=3)))
    assert export_stem(root, when) == "trainmon_ö_x_step3_20240506-070809"


def test_compare_figure(run_state, tmp_path, helpers):
    other = load_state(helpers.write_state(tmp_path / "b", helpers.trainer_state([{"loss": 1.0, "step": 1}])))
    figure = compare_figure([("first", run_state), ("second", other)], "en")
    ax = figure.axes[0]
    assert ax.get_title() == "Training loss by run"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["first", "second"]
    decode_png(save_compare_png([("first", run_state), ("second", other)], tmp_path / "c.png"))


def test_large_run_draws_at_most_max_points_per_series(tmp_path, helpers):
    """100,000 logged steps: the PNG draws at most MAX_POINTS per series, so it stays quick (how quick is
    the benchmark suite's row 8, not a timed assertion here)."""
    history = synthetic_log_history(100_000, eval_every=5000, nan_every=997)
    path = helpers.write_state(tmp_path / "big", helpers.trainer_state(history, global_step=100_000))
    state = load_state(path)
    save_dashboard_png(state, tmp_path / "big.png")
    decode_png(tmp_path / "big.png")
    lines = dashboard_figure(state).axes[0].get_lines()
    assert lines and all(len(line.get_xdata()) <= figures.MAX_POINTS for line in lines)


def test_importing_export_does_not_import_matplotlib():
    probe = "print(any(m.startswith('matplotlib') for m in sys.modules))"
    code = f"import sys, trainmon_tui.views.export; {probe}"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_nonfinite_everywhere_still_draws(tmp_path, helpers):
    entries = [
        {"loss": math.nan, "grad_norm": math.inf, "learning_rate": -math.inf, "step": i} for i in range(5)
    ]
    state = load_state(helpers.write_state(tmp_path / "r", helpers.trainer_state(entries, global_step=5)))
    assert texts(dashboard_figure(state)).count("no data") == 4
    decode_png(save_dashboard_png(state, tmp_path / "n.png"))


def test_grad_norm_ticks_are_plain_numbers(run_state):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = dashboard_figure(run_state)
    FigureCanvasAgg(figure).draw()
    grad_ax = figure.axes[2]
    labels = [t.get_text() for t in grad_ax.get_yticklabels(minor=True) + grad_ax.get_yticklabels()]
    labels = [label for label in labels if label]
    assert labels and all("e" not in label and "10^" not in label for label in labels), labels


def test_concurrent_exports_into_one_folder_keep_every_file(run_state, tmp_path):
    """20 exports at the same moment with the same name: 20 files, none overwritten, none refused."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    when = datetime(2024, 5, 6, 7, 8, 9)  # one second for all: every export wants the same name
    start = threading.Barrier(20)
    shots = tmp_path / "shots"
    shots.mkdir()

    def one() -> Path:
        start.wait()
        return export.save_dashboard_png_unique(run_state, shots, "en", when=when)

    with ThreadPoolExecutor(20) as pool:
        paths = list(pool.map(lambda _: one(), range(20)))
    assert len(set(paths)) == 20
    assert sorted(p.name for p in shots.iterdir()) == sorted(p.name for p in paths)
    stem = export_stem(run_state, when)
    assert {p.name for p in paths} == {f"{stem}.png"} | {f"{stem}-{n}.png" for n in range(2, 21)}
    for path in paths:
        assert path.parent == shots
        assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_unique_save_skips_taken_names_and_leaves_them_alone(run_state, tmp_path):
    when = datetime(2024, 5, 6, 7, 8, 9)
    stem = export_stem(run_state, when)
    for name in (f"{stem}.png", f"{stem}-2.png"):
        (tmp_path / name).write_bytes(b"mine")
    path = export.save_dashboard_png_unique(run_state, tmp_path, when=when)
    assert path == tmp_path / f"{stem}-3.png"
    decode_png(path)
    assert (tmp_path / f"{stem}.png").read_bytes() == (tmp_path / f"{stem}-2.png").read_bytes() == b"mine"
    cmp = export.save_compare_png_unique([("a", run_state)], tmp_path, "cmp")
    assert cmp == tmp_path / "cmp.png"
    decode_png(cmp)
    assert export.save_compare_png_unique([("a", run_state)], tmp_path, "cmp") == tmp_path / "cmp-2.png"


def test_unique_save_into_a_missing_folder_raises_and_leaves_nothing(run_state, tmp_path):
    with pytest.raises(FileNotFoundError):
        export.save_dashboard_png_unique(run_state, tmp_path / "no")
    assert not (tmp_path / "no").exists()


# --- axes a person can read --------------------------------------------------------------------------


def tick_texts(ax, axis: str = "x") -> list[str]:
    ax.figure.canvas.draw()
    ticks = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [text.get_text() for text in ticks if text.get_text()]


def test_png_step_charts_share_their_x_range_and_ticks(tmp_path, helpers):
    """The grad norm logged from step 20 on only (as by an older Trainer on resume): same axis anyway."""
    history = [
        {"loss": 2.0 / step, "learning_rate": 1e-4 * (1 - step / 60), "step": step} for step in range(1, 61)
    ]
    for entry in history[19:]:
        entry["grad_norm"] = 0.5
    state = load_state(helpers.write_state(tmp_path / "run", helpers.trainer_state(history, global_step=60)))
    figure = dashboard_figure(state, "en")
    loss_ax, lr_ax, grad_ax, _ = figure.axes[:4]
    assert loss_ax.get_xlim() == lr_ax.get_xlim() == grad_ax.get_xlim()
    low, high = loss_ax.get_xlim()
    assert 0 <= low <= 1 and high >= 60  # the first and the last step inside, no negative steps
    assert tick_texts(loss_ax) == tick_texts(lr_ax) == tick_texts(grad_ax)


def test_png_step_ticks_are_short(tmp_path, helpers):
    history = [{"loss": 1.0 / step, "learning_rate": 1e-4, "grad_norm": 1.0, "step": step}
               for step in range(100, 25_001, 100)]  # fmt: skip
    state = load_state(
        helpers.write_state(tmp_path / "run", helpers.trainer_state(history, global_step=25_000))
    )
    labels = tick_texts(dashboard_figure(state, "en").axes[0])
    assert labels[:3] == ["0", "5k", "10k"], labels


def test_png_histogram_counts_are_whole_numbers(tmp_path, helpers):
    history = [{"loss": value, "step": step} for step, value in enumerate([0.5, 0.6, 0.6, 0.9, 1.2], 1)]
    state = load_state(helpers.write_state(tmp_path / "run", helpers.trainer_state(history, global_step=5)))
    hist_ax = dashboard_figure(state, "en").axes[3]
    values = [float(text.replace("−", "-")) for text in tick_texts(hist_ax, "y")]
    assert values and all(value.is_integer() for value in values), values


def test_png_a_learning_rate_of_zero_reads_0(run_state):
    lr_ax = dashboard_figure(run_state, "en").axes[1]
    assert min(lr_ax.get_ylim()) <= 0
    assert "0" in tick_texts(lr_ax, "y"), tick_texts(lr_ax, "y")
