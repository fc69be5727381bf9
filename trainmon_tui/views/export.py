"""Writing the charts to an image file, never overwriting one: ``--save-plot`` and the dashboard's export.

The format follows the suffix (:data:`FORMATS`). Nothing is ever overwritten unless asked: the file is
created with ``open(path, "xb")``. Into a folder, the name is chosen by that exclusive create
(``stem.png``, ``stem-2.png``, ...), so exports at the same moment all keep their own file. The figures are
:mod:`.figures`'; matplotlib is imported only once a figure is drawn.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.figures import DPI, compare_figure, dashboard_figure
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.mplstyle import matplotlib_style
from trainmon_tui.views.runname import export_stem

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FORMATS = ("png", "svg", "pdf")
MAX_NAME_TRIES = 10_000  # stem.png, stem-2.png, ... stem-10000.png; then FileExistsError


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
    with matplotlib_style():
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
    with matplotlib_style():
        return _write(compare_figure(runs, lang, title=title), path, overwrite=overwrite)


def save_dashboard_png_unique(
    state: TrainerState, folder: Path, lang: Lang = "en", *, when: datetime | None = None
) -> Path:
    """Write the four charts of ``state`` as a new PNG in ``folder``, named by :func:`export_stem` (``-2``,
    ``-3``, ... when taken); returns its path. Never overwrites, and never refuses for a name taken at the
    same moment: the dashboard's export key and ``--save-plot DIR``."""
    name, data = dashboard_png(state, lang, when=when)
    return _create_unique(Path(folder), name.removesuffix(".png"), ".png", data)


def dashboard_png(
    state: TrainerState, lang: Lang = "en", *, when: datetime | None = None
) -> tuple[str, bytes]:
    """The four charts of ``state`` as PNG bytes, and the file name an export gives them; nothing written
    (the served dashboard sends them to the browser)."""
    with matplotlib_style():
        data = _render(dashboard_figure(state, lang), "png")
    return f"{export_stem(state, when)}.png", data


def figure_png(build: Callable[[], Figure]) -> bytes:
    """The figure ``build()`` makes, drawn in our style, as PNG bytes (nothing written)."""
    with matplotlib_style():
        return _render(build(), "png")


def save_compare_png_unique(
    runs: Sequence[tuple[str, TrainerState]], folder: Path, stem: str, lang: Lang = "en"
) -> Path:
    """The ``--compare`` chart as a new PNG ``folder/stem.png`` (``-2``, ``-3``, ... when taken)."""
    with matplotlib_style():
        data = _render(compare_figure(runs, lang), "png")
    return _create_unique(Path(folder), stem, ".png", data)


def save_figure(build: Callable[[], Figure], path: Path, *, overwrite: bool = False) -> Path:
    """Write the figure ``build()`` makes (drawn in our style) to ``path``, never overwriting unless asked;
    the format follows the suffix. For figures other than the two above (``-s --metrics``' grid)."""
    path = Path(path)
    format_of(path)
    with matplotlib_style():
        return _write(build(), path, overwrite=overwrite)


def save_figure_unique(build: Callable[[], Figure], folder: Path, stem: str) -> Path:
    """The figure ``build()`` makes as a new PNG ``folder/stem.png`` (``-2``, ``-3``, ... when taken)."""
    with matplotlib_style():
        data = _render(build(), "png")
    return _create_unique(Path(folder), stem, ".png", data)
