"""``--system``'s pane as text: this host's CPU, memory and GPUs, bars and figures for the width given.

:func:`host_text` draws a :class:`~trainmon_tui.live.hostprobe.HostSample`: a line for the CPU (% of all
cores, the core count, the load average), one for the memory, then a line per GPU (utilisation bar, %,
memory, and with room its temperature and power), or, without one, a single line that says why
(``No GPU (no NVIDIA driver)``). ``compact`` (a stacked pane) puts it all on one line, with its heading;
otherwise the heading is the pane's border title. NVML's messages come from the driver: they pass through
:func:`~.safetext.printable`.
"""

from __future__ import annotations

import math

from rich.cells import cell_len
from rich.text import Text

from trainmon_tui.live.hostprobe import NO_DRIVER, NO_NVML, HostGpu, HostSample
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.numfmt import DASH
from trainmon_tui.views.safetext import printable

GIB = float(1 << 30)
_EIGHTHS = " ▏▎▍▌▋▊▉"
_LABEL = 5  # "CPU  ", "GPU0 "
_FIGURES = 15  # " 98% 40.1/80.0G": the bars end in one column


def bar(fraction: float | None, width: int) -> str:
    """A bar ``width`` cells wide, filled to ``fraction`` in eighths of a cell."""
    if width <= 0:
        return ""
    if fraction is None or not math.isfinite(fraction):
        return "·" * width
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_EIGHTHS[part] if part and full < width else "")
    return text + "·" * (width - len(text))


def _pct(value: float | None) -> str:
    return DASH if value is None or not math.isfinite(value) else f"{value:.0f}%"


def _gib(used: float | None, total: float | None) -> str:
    if used is None:
        return DASH
    if total is None:
        return f"{used / GIB:.1f}G"
    return f"{used / GIB:.1f}/{total / GIB:.1f}G"


def _style(fraction: float | None) -> str:
    if fraction is None or not math.isfinite(fraction):
        return "dim"
    return "red" if fraction >= 0.9 else "yellow" if fraction >= 0.7 else "green"


def _line(text: Text, label: str, fraction: float | None, figures: str, width: int) -> None:
    """``CPU  ████····  45% ×2 · 1.2``: the bar takes what the figures leave (4 cells at least, 20 at
    most), the same on every line."""
    room = width - _LABEL - 1 - _FIGURES
    text.append(label + " " * max(1, _LABEL - cell_len(label)), style="bold")
    if room >= 4:
        text.append(bar(fraction, min(room, 20)), style=_style(fraction))
        text.append(" ")
    text.append(figures)


def _gpu_figures(gpu: HostGpu, wide: bool) -> tuple[float | None, str]:
    util = None if gpu.util is None else gpu.util / 100
    figures = f"{_pct(gpu.util):>4} {_gib(gpu.mem_used, gpu.mem_total)}"
    if wide:
        if gpu.temp is not None:
            figures += f" {gpu.temp:.0f}°C"
        if gpu.power is not None:
            figures += f" {gpu.power:.0f}W"
    return util, figures


def _why(note: str | None, lang: Lang) -> str:
    """Why there is no GPU figure: the two usual reasons in the labels' language, NVML's own words else."""
    if note == NO_DRIVER:
        return t("no_driver", lang)
    if note == NO_NVML:
        return t("no_nvml", lang)
    return printable(note or "")


def host_text(sample: HostSample | None, lang: Lang, width: int, *, compact: bool = False) -> Text:
    """The pane's text for ``width`` columns: a line each for the CPU, the memory and every GPU (or the
    one that says there is none); one line in all when ``compact``."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if sample is None:
        text.append(t("host_waiting", lang), style="italic")
        return text
    cpu = None if sample.cpu_percent is None else sample.cpu_percent / 100
    memory = None if not sample.mem_total or sample.mem_used is None else sample.mem_used / sample.mem_total
    load = f" · {sample.load[0]:.1f}" if sample.load else ""
    cpu_figures = f"{_pct(sample.cpu_percent):>4} ×{sample.cores}{load}"
    mem_figures = _gib(sample.mem_used, sample.mem_total)
    if compact:
        text.append(t("host", lang) + " ", style="bold underline cyan")
        text.append(f"CPU {_pct(sample.cpu_percent)} · {t('host_mem', lang)} {mem_figures}")
        for gpu in sample.gpus:
            text.append(f" · GPU{gpu.index} {_pct(gpu.util)} {_gib(gpu.mem_used, gpu.mem_total)}")
        if not sample.gpus:
            text.append(" · " + t("no_gpu_short", lang), style="dim")
        return text
    _line(text, "CPU", cpu, cpu_figures, width)
    text.append("\n")
    _line(text, t("host_mem", lang), memory, mem_figures, width)
    for gpu in sample.gpus:
        text.append("\n")
        util, figures = _gpu_figures(gpu, wide=width >= 44)
        _line(text, f"GPU{gpu.index}", util, figures, width)
    if not sample.gpus:
        text.append("\n")
        text.append(t("no_gpu", lang, why=_why(sample.gpu_note, lang)), style="dim")
    return text
