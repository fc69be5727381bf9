"""The workspace's overlays as one matplotlib figure (``-s`` on a PARENT): four charts, every run in each.

The charts are given as curves already made (:mod:`trainmon_tui.workspace.overlay`): per chart, a list of
(colour index, label, series). Each run keeps its colour and line style in every chart, and the legend
(the runs' short names) is drawn once, on the first chart with data. Written by
:func:`~.export.save_figure` / :func:`~.export.save_figure_unique` like every other figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from trainmon_tui.files.model import Series
from trainmon_tui.views.figures import RUN_COLORS, RUN_STYLES, _new_figure, _no_data, _set_step_axis, literal
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.mplstyle import label_lang

if TYPE_CHECKING:
    from matplotlib.figure import Figure

Curves = Sequence[tuple[int, str, Series]]


def overlay_figure(charts: Mapping[str, Curves], titles: Mapping[str, str], lang: Lang, title: str) -> Figure:
    """Up to four overlay charts (2x2), in the order of ``charts``; ``titles`` their titles."""
    lang = label_lang(lang)
    figure, axes = _new_figure(2, 2)
    legend_drawn = False
    for ax, (chart, curves) in zip(axes.flat, charts.items(), strict=False):
        ax.set_title(literal(titles[chart]))
        if not curves:
            _no_data(ax, lang)
            continue
        for color, label, series in curves:
            ax.plot(
                series.steps,
                series.values,
                color=RUN_COLORS[color % len(RUN_COLORS)],
                ls=RUN_STYLES[color % len(RUN_STYLES)],
                lw=1.4,
                label=literal(label),
            )
        if chart in ("grad_norm", "learning_rate") and all((s.values > 0).all() for _, _, s in curves):
            ax.set_yscale("log" if chart == "grad_norm" else "linear")
        low = min(float(s.steps.min()) for _, _, s in curves)
        _set_step_axis(ax, (low, max(float(s.steps.max()) for _, _, s in curves)))
        ax.set_xlabel(t("step", lang))
        if not legend_drawn:
            ax.legend(loc="best", fontsize=8)
            legend_drawn = True
    figure.suptitle(literal(title), fontsize=13)
    return figure
