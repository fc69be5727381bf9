"""The workspace's overlays written as an image: the selected runs' four charts in one PNG (or SVG, PDF).

The app's ``s`` and ``-s`` on a PARENT both come here: the curves made by :mod:`.overlay`, drawn by
:func:`~trainmon_tui.views.overlayfigure.overlay_figure`, written by :mod:`~trainmon_tui.views.export`
(a new name in a folder, never overwriting a file unless asked).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.compare import distinct_labels
from trainmon_tui.views.i18n import Lang, t
from trainmon_tui.views.safetext import printable
from trainmon_tui.workspace.overlay import OVERLAYS, Curve, Run, chart_title, overlay_curves

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PNG_POINTS = 4000  # per curve: as the dashboard's PNG


def _title(parent: Path, count: int, lang: Lang) -> str:
    return t("ws_png_title", lang, n=count, path=printable(parent))


def save_overlay_png(
    curves: Mapping[str, Sequence[Curve]],
    target: Path,
    parent: Path,
    count: int,
    lang: Lang = "en",
    *,
    overwrite: bool = False,
) -> Path:
    """Write the overlay charts to ``target`` (a folder: a new ``trainmon_workspace_<time>.png`` in it)."""
    from trainmon_tui.views.export import save_figure, save_figure_unique
    from trainmon_tui.views.overlayfigure import overlay_figure

    charts = {chart: [(c.color, c.label, c.series) for c in drawn] for chart, drawn in curves.items()}

    def build() -> Figure:
        titles = {chart: chart_title(chart, lang) for chart in charts}
        return overlay_figure(charts, titles, lang, _title(parent, count, lang))

    if target.is_dir():
        return save_figure_unique(build, target, f"trainmon_workspace_{datetime.now():%Y%m%d-%H%M%S}")
    return save_figure(build, target, overwrite=overwrite)


def overlay_png(
    curves: Mapping[str, Sequence[Curve]], parent: Path, count: int, lang: Lang = "en"
) -> tuple[str, bytes]:
    """The overlay charts as PNG bytes and the name an export gives them; nothing written (the served
    workspace sends them to the browser)."""
    from trainmon_tui.views.export import figure_png
    from trainmon_tui.views.overlayfigure import overlay_figure

    charts = {chart: [(c.color, c.label, c.series) for c in drawn] for chart, drawn in curves.items()}
    titles = {chart: chart_title(chart, lang) for chart in charts}
    data = figure_png(lambda: overlay_figure(charts, titles, lang, _title(parent, count, lang)))
    return f"trainmon_workspace_{datetime.now():%Y%m%d-%H%M%S}.png", data


def curves_of(
    runs: Sequence[tuple[str, TrainerState]], max_points: int = PNG_POINTS
) -> dict[str, list[Curve]]:
    """Every chart's curves for these runs (name, state), coloured by their order, short names as labels."""
    labels = distinct_labels([name for name, _ in runs]) if len(runs) > 1 else [name for name, _ in runs]
    picked: list[Run] = [
        (index, label, state, None)
        for index, (label, (_, state)) in enumerate(zip(labels, runs, strict=True))
    ]
    return {chart: overlay_curves(picked, chart, max_points) for chart in OVERLAYS}
