"""The four charts as a PNG (``--save-plot``, the dashboard's export) and the ``--compare`` overlay.

matplotlib is imported inside the functions only, so that the other commands start fast. A
:class:`~matplotlib.figure.Figure` is drawn by the Agg canvas directly: no pyplot, no global backend switch,
no display needed (works over SSH). DejaVu Sans has no CJK glyphs, so ``font.family`` gets a fallback list
of CJK fonts, limited to those installed (no "findfont" warning); when none is, Chinese labels quietly
become English ones instead of boxes.

Nothing is ever overwritten unless asked: the file is created with ``open(path, "xb")``. Into a folder, the
name is chosen by that exclusive create (``stem.png``, ``stem-2.png``, ...), so exports at the same moment all
keep their own file.
"""

from __future__ import annotations

import errno
import io
import logging
import os
import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trainmon_tui.files.model import STATE_FILE, Series, TrainerState
from trainmon_tui.views.axes import step_ticks
from trainmon_tui.views.charts import ChartData, prepare
from trainmon_tui.views.compare import common_window, moving_average_steps
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable
from trainmon_tui.views.series import downsample_minmax

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

FONT_FAMILIES = (
    "DejaVu Sans",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Arial Unicode MS",
)
CJK_FAMILIES = FONT_FAMILIES[1:]
FORMATS = ("png", "svg", "pdf")
MAX_POINTS = 4000  # per series: plenty for a 1200-pixel-wide chart, fast on runs of millions of steps
FIGSIZE = (12.0, 8.0)
DPI = 100
# Matplotlib's tab10, close to the terminal colours of charts.py.
LOSS_COLOR = "#1f77b4"
EVAL_COLOR = "#d62dbf"
MA_COLOR = "#ff7f0e"
LR_COLOR = "#2ca02c"
GRAD_COLOR = "#d62728"
HIST_COLOR = "#4c72b0"
EVAL_COLORS = (EVAL_COLOR, "#9467bd", "#8c564b")
MAX_NAME_TRIES = 10_000  # stem.png, stem-2.png, ... stem-10000.png; then FileExistsError
# Line styles for the runs' averages, so that they stay apart without colour (printed in grey, colour-blind).
RUN_STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1, 1, 1)), (0, (1, 3)), (0, (8, 2)), (0, (3, 1, 3, 5)))
STEP_AXIS_CELLS = 60  # characters of tick labels across one of the 2x2 charts, for their spacing
RUN_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")


# --- file names ----------------------------------------------------------------------------------


def run_folder(state: TrainerState) -> Path | None:
    """The run's outputs folder: the parent of ``checkpoint-N/`` (or ``last-checkpoint/``), the folder of a
    ``trainer_state.json``, or a folder that holds ``checkpoint-*`` folders. None for a state file that sits
    elsewhere (``fixtures/09_multi_eval.json``): its folder is no run."""
    folder = state.source.parent
    if state.checkpoint is not None:
        return folder.parent
    if state.source.name == STATE_FILE or _holds_checkpoints(folder):
        return folder
    return None


def _holds_checkpoints(folder: Path) -> bool:
    try:
        return any(path.is_dir() for path in folder.glob("checkpoint-*"))
    except OSError:
        return False


def run_name(state: TrainerState) -> str:
    """The run's outputs folder name, or the state file's name (without ``.json``) when it is in no run."""
    folder = run_folder(state)
    if folder is None:
        return state.source.stem or "run"
    return folder.resolve().name or "run"


def export_stem(state: TrainerState, when: datetime | None = None) -> str:
    """``trainmon_<run>_step<N>_<YYYYmmdd-HHMMSS>``, safe as a file name."""
    run = re.sub(r"[^\w.-]+", "_", run_name(state)).strip("._") or "run"
    step = state.global_step if state.global_step is not None else 0
    return f"trainmon_{run}_step{step}_{(when or datetime.now()).strftime('%Y%m%d-%H%M%S')}"


def candidate_names(stem: str, suffix: str = ".png", tries: int = MAX_NAME_TRIES) -> Iterator[str]:
    """``stem.png``, ``stem-2.png``, ``stem-3.png``, ...: the names a new export may take, in order."""
    yield f"{stem}{suffix}"
    for index in range(2, tries + 1):
        yield f"{stem}-{index}{suffix}"


def format_of(path: Path) -> str:
    """The image format a file name asks for; ValueError for one that is not supported."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: unsupported image format; use one of " + ", ".join(FORMATS))
    return fmt


# --- matplotlib set-up ----------------------------------------------------------------------------


def _installed_families() -> set[str]:
    from matplotlib import font_manager

    return {font.name for font in font_manager.fontManager.ttflist}


def font_families() -> list[str]:
    """The fallback list limited to installed fonts (DejaVu Sans ships with matplotlib)."""
    installed = _installed_families()
    families = [name for name in FONT_FAMILIES if name in installed]
    return families or ["sans-serif"]


def has_cjk_font() -> bool:
    return not _installed_families().isdisjoint(CJK_FAMILIES)


def label_lang(lang: Lang) -> Lang:
    """Chinese labels only when a font can draw them."""
    return "zh" if lang == "zh" and has_cjk_font() else "en"


@contextmanager
def _matplotlib_style() -> Iterator[None]:
    import matplotlib

    rc: dict[str, Any] = {
        "font.family": font_families(),
        "font.size": 10,
        "axes.unicode_minus": False,  # the Unicode minus is missing from most CJK fonts
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "legend.frameon": False,
    }
    # "findfont: Failed to find font weight normal for WenQuanYi Zen Hei" and the like are logged, not warned.
    font_log = logging.getLogger("matplotlib.font_manager")
    level = font_log.level
    font_log.setLevel(logging.ERROR)
    try:
        with matplotlib.rc_context(rc), warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r".*[Gg]lyph .* missing from")
            warnings.filterwarnings("ignore", message=r".*findfont")
            yield
    finally:
        font_log.setLevel(level)


def _new_figure(nrows: int = 1, ncols: int = 1) -> tuple[Figure, Any]:
    from matplotlib.figure import Figure

    figure = Figure(figsize=FIGSIZE, dpi=DPI, layout="constrained")
    return figure, figure.subplots(nrows, ncols, squeeze=False)


def _render(figure: Figure, fmt: str) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _create(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``; FileExistsError if it exists (left alone), nothing half written."""
    with open(path, "xb") as file:
        try:
            file.write(data)
        except BaseException:
            path.unlink(missing_ok=True)
            raise


def _create_unique(folder: Path, stem: str, suffix: str, data: bytes) -> Path:
    """Create ``folder/stem.png``, else ``stem-2.png``, ``stem-3.png``, ...: the exclusive create itself picks
    the name, so exports at the same moment (20 presses of ``s``, two processes) each get their own file."""
    for name in candidate_names(stem, suffix):
        path = Path(folder) / name
        try:
            _create(path, data)
        except FileExistsError:
            continue  # taken, maybe a moment ago by another export: the next name
        return path
    first = Path(folder) / f"{stem}{suffix}"
    raise FileExistsError(errno.EEXIST, f"{MAX_NAME_TRIES} names taken", str(first))


def _write(figure: Figure, path: Path, *, overwrite: bool) -> Path:
    """Render, then create the file: ``open(path, "xb")`` never replaces an existing file."""
    path = Path(path)
    data = _render(figure, format_of(path))
    if overwrite:
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            temp.write_bytes(data)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        return path
    _create(path, data)  # FileExistsError: someone else's file, left alone
    return path


# --- the charts -----------------------------------------------------------------------------------


def _no_data(ax: Axes, lang: Lang) -> None:
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("0.85")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.text(0.5, 0.5, t("no_data", lang), ha="center", va="center", color="0.5", transform=ax.transAxes)


def literal(text: object) -> str:
    """Text from files as matplotlib should draw it: controls made visible, and every ``$`` escaped, so that
    ``eval_$x$`` is not read as mathtext (which draws it as math, or fails on what it cannot parse)."""
    return printable(text).replace("$", r"\$")


def _eval_label(key: str, lang: Lang) -> str:
    return t("eval_loss", lang) if key == "eval_loss" else literal(key.removeprefix("eval_"))


def _set_step_axis(ax: Axes, span: tuple[float, float] | None) -> None:
    """Round step ticks (``0  2k  4k``, as in the terminal) from a tick at or before the first step to one
    at or after the last: the charts given the same ``span`` get the same axis."""
    if span is None:
        return
    positions, labels = step_ticks(span[0], span[1], STEP_AXIS_CELLS)
    if positions:
        ax.set_xlim(positions[0], positions[-1])
        ax.set_xticks(positions, labels)


def _draw_loss(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.set_title(t("chart_loss", lang))
    if data.is_empty("loss"):
        _no_data(ax, lang)
        return
    if len(data.loss):
        ax.plot(
            data.loss.steps, data.loss.values, color=LOSS_COLOR, lw=0.8, alpha=0.45, label=t("loss", lang)
        )
        ax.plot(
            data.loss_ma.steps, data.loss_ma.values, color=MA_COLOR, lw=1.8, label=t("moving_average", lang)
        )
    markers = ("o", "s", "^")
    for index, (key, series) in enumerate(data.evals.items()):
        if len(series):
            ax.plot(
                series.steps,
                series.values,
                color=EVAL_COLORS[index % len(EVAL_COLORS)],
                marker=markers[index % len(markers)],
                ms=4,
                lw=1.2,
                label=_eval_label(key, lang),
            )
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())
    ax.legend(loc="best", fontsize=9)


def _draw_lr(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.set_title(t("chart_lr", lang))
    if data.is_empty("lr"):
        _no_data(ax, lang)
        return
    ax.plot(data.lr.steps, data.lr.values, color=LR_COLOR, lw=1.5)
    ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())


def _draw_grad_norm(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.set_title(t("chart_grad_norm", lang))
    if data.is_empty("grad_norm"):
        _no_data(ax, lang)
        return
    ax.plot(data.grad_norm.steps, data.grad_norm.values, color=GRAD_COLOR, lw=0.9)
    ax.set_yscale("log")  # the data is finite and > 0: charts.prepare left the rest out
    low, high = float(data.grad_norm.values.min()), float(data.grad_norm.values.max())
    if high < 1000 * low:  # a few decades: plain numbers (0.5, 2) read better than 5 x 10^-1
        from matplotlib.ticker import LogFormatter

        class PlainLogFormatter(LogFormatter):
            """matplotlib's choice of which log ticks to label, written as 0.4 rather than 4e-01."""

            def _num_to_string(self, x: float, vmin: float, vmax: float) -> str:
                return f"{x:.3g}"

        ax.yaxis.set_major_formatter(PlainLogFormatter(labelOnlyBase=False))
        ax.yaxis.set_minor_formatter(PlainLogFormatter(labelOnlyBase=False, minor_thresholds=(1, 0.4)))
    ax.set_xlabel(t("step", lang))
    _set_step_axis(ax, data.step_range())


def _draw_hist(ax: Axes, data: ChartData, lang: Lang) -> None:
    ax.set_title(t("chart_hist", lang))
    if data.is_empty("hist"):
        _no_data(ax, lang)
        return
    centres, counts = data.hist_centres, data.hist_counts
    width = float(centres[1] - centres[0]) if len(centres) > 1 else 1.0
    ax.bar(centres, counts, width=width * 0.92, color=HIST_COLOR, alpha=0.85)
    ax.set_xlabel(t("loss", lang))
    ax.set_ylabel(t("count", lang))
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))  # counts: no 0.5


def dashboard_title(state: TrainerState, lang: Lang) -> str:
    """``bert  ·  checkpoint-500  ·  Step 500 / 1000``; a state file in no run is named once, by itself."""
    parts = [run_name(state), state.name] if run_folder(state) is not None else [state.name]
    if state.global_step is not None:
        total = f" / {state.max_steps}" if state.max_steps else ""
        parts.append(f"{t('step', lang)} {state.global_step}{total}")
    return "  ·  ".join(parts)


def dashboard_figure(state: TrainerState, lang: Lang = "en", *, title: str | None = None) -> Figure:
    """The four charts of ``state`` on a 2x2 :class:`~matplotlib.figure.Figure` (not yet rendered)."""
    lang = label_lang(lang)
    data = prepare(state, max_points=MAX_POINTS, bins=40)
    figure, axes = _new_figure(2, 2)
    _draw_loss(axes[0][0], data, lang)
    _draw_lr(axes[0][1], data, lang)
    _draw_grad_norm(axes[1][0], data, lang)
    _draw_hist(axes[1][1], data, lang)
    figure.suptitle(literal(title if title is not None else dashboard_title(state, lang)), fontsize=13)
    return figure


def compare_figure(
    runs: Sequence[tuple[str, TrainerState]], lang: Lang = "en", *, title: str | None = None
) -> Figure:
    """The training loss of several runs on one chart: each raw (faint) and its moving average."""
    lang = label_lang(lang)
    figure, axes = _new_figure(1, 1)
    ax = axes[0][0]
    ax.set_title(literal(title if title is not None else t("chart_compare", lang)))
    losses = [state.loss.finite() for _, state in runs]
    window = common_window(losses)  # in steps, the same for every run
    drawn: list[Series] = []
    for index, ((label, _), loss) in enumerate(zip(runs, losses, strict=True)):
        if not len(loss):
            continue
        color, style = RUN_COLORS[index % len(RUN_COLORS)], RUN_STYLES[index % len(RUN_STYLES)]
        raw = downsample_minmax(loss, MAX_POINTS)
        ma = downsample_minmax(moving_average_steps(loss, window), MAX_POINTS)
        ax.plot(raw.steps, raw.values, color=color, lw=0.7, alpha=0.3)
        ax.plot(ma.steps, ma.values, color=color, lw=1.8, ls=style, label=literal(label))
        drawn.append(loss)
    if drawn:
        ax.set_xlabel(t("step", lang))
        ax.set_ylabel(t("loss", lang))
        low = min(float(loss.steps.min()) for loss in drawn)
        _set_step_axis(ax, (low, max(float(loss.steps.max()) for loss in drawn)))
        ax.legend(loc="best")
    else:
        _no_data(ax, lang)
    return figure


def save_dashboard_png(
    state: TrainerState,
    path: Path,
    lang: Lang = "en",
    *,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the four charts (2x2) of ``state`` to ``path``; FileExistsError if it exists (unless
    ``overwrite``). The format follows the suffix: .png, .svg or .pdf."""
    path = Path(path)
    format_of(path)  # fail before drawing
    with _matplotlib_style():
        return _write(dashboard_figure(state, lang, title=title), path, overwrite=overwrite)


def save_compare_png(
    runs: Sequence[tuple[str, TrainerState]],
    path: Path,
    lang: Lang = "en",
    *,
    title: str | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the ``--compare`` chart (see :func:`compare_figure`) to ``path``, never overwriting."""
    path = Path(path)
    format_of(path)
    with _matplotlib_style():
        return _write(compare_figure(runs, lang, title=title), path, overwrite=overwrite)


def save_dashboard_png_unique(
    state: TrainerState, folder: Path, lang: Lang = "en", *, when: datetime | None = None
) -> Path:
    """Write the four charts of ``state`` as a new PNG in ``folder``, named by :func:`export_stem` (``-2``,
    ``-3``, ... when taken); returns its path. Never overwrites, and never refuses for a name taken at the
    same moment: the dashboard's export key and ``--save-plot DIR``."""
    with _matplotlib_style():
        data = _render(dashboard_figure(state, lang), "png")
    return _create_unique(Path(folder), export_stem(state, when), ".png", data)


def save_compare_png_unique(
    runs: Sequence[tuple[str, TrainerState]], folder: Path, stem: str, lang: Lang = "en"
) -> Path:
    """The ``--compare`` chart as a new PNG ``folder/stem.png`` (``-2``, ``-3``, ... when taken)."""
    with _matplotlib_style():
        data = _render(compare_figure(runs, lang), "png")
    return _create_unique(Path(folder), stem, ".png", data)
