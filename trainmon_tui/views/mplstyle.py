"""matplotlib set up for our figures: fonts with a CJK fallback, one style, no noise about fonts.

DejaVu Sans has no CJK glyphs, so ``font.family`` gets a fallback list of CJK fonts, limited to those
installed (no "findfont" warning); when none is, Chinese labels quietly become English ones instead of
boxes (:func:`label_lang`). matplotlib is imported inside the functions only, so that the commands that
draw nothing start fast.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from trainmon_tui.views.i18n import Lang

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

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


def _installed_families() -> set[str]:
    from matplotlib import font_manager

    return {font.name for font in font_manager.fontManager.ttflist}


def font_families() -> list[str]:
    """The fallback list limited to installed fonts (DejaVu Sans ships with matplotlib)."""
    installed = _installed_families()
    families = [name for name in FONT_FAMILIES if name in installed]
    return families or ["sans-serif"]


def has_cjk_font() -> bool:
    """Whether one of the CJK fallback fonts is installed."""
    return not _installed_families().isdisjoint(CJK_FAMILIES)


def label_lang(lang: Lang) -> Lang:
    """Chinese labels only when a font can draw them."""
    return "zh" if lang == "zh" and has_cjk_font() else "en"


@contextmanager
def matplotlib_style() -> Iterator[None]:
    """Inside: our fonts and style for every figure drawn, and matplotlib quiet about missing glyphs."""
    import matplotlib

    rc: dict[RcKeyType, Any] = {
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
