"""The one-shot charts: ``--plot`` in the terminal, ``--save-plot``'s image, and ``--compare``."""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from trainmon_tui.cli.loading import load_source
from trainmon_tui.cli.messages import CliError, say
from trainmon_tui.files.model import TrainerState
from trainmon_tui.views.compare import distinct_labels
from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.safetext import printable

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _use_color() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(os.environ.get("FORCE_COLOR")) or sys.stdout.isatty()


def write_chart(text: str) -> None:
    text = text if _use_color() else _ANSI.sub("", text)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def chart_size() -> tuple[int, int]:
    """The terminal's size, one line left for the prompt (plotext never draws larger than the terminal)."""
    columns, lines = shutil.get_terminal_size()
    return max(20, columns), max(10, lines - 1)


def print_plot(state: TrainerState, lang: Lang) -> None:
    from trainmon_tui.views.chartdata import points_for_width, prepare
    from trainmon_tui.views.terminal import render_grid

    width, height = chart_size()
    data = prepare(state, max_points=points_for_width(width // 2))
    write_chart(render_grid(data, width, height, lang, theme="clear"))


def _target_folder(path: Path) -> Path:
    """The folder a --save-plot target writes into: the target itself, or the file's folder."""
    return path if path.is_dir() else path.parent


def check_target(path: Path, force: bool) -> None:
    """Before any work: never overwrite (without --force), the folder must exist and be writable."""
    if not path.is_dir():
        if path.exists() and not force:
            raise CliError(f"{path} already exists; not overwriting it (choose another name, or add --force)")
        if not path.parent.is_dir():
            raise CliError(f"cannot write {path}: folder {path.parent} not found")
    folder = _target_folder(path)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"not writable: {folder}")


@contextmanager
def writing_into(target: Path) -> Iterator[None]:
    """A create refused by permissions (root passes os.access; ACLs, some mounts) is the same one line."""
    try:
        yield
    except PermissionError:
        raise CliError(f"not writable: {_target_folder(target)}") from None


def save_plot(state: TrainerState, target: Path, lang: Lang, force: bool) -> None:
    from trainmon_tui.views.export import save_dashboard_png, save_dashboard_png_unique

    with writing_into(target):
        if target.is_dir():
            path = save_dashboard_png_unique(state, target, lang)
        else:
            path = save_dashboard_png(state, target, lang, overwrite=force)
    say(f"saved: {path}")


def compare(sources: list[Path], target: Path | None, lang: Lang, force: bool) -> None:
    labels = distinct_labels(sources)  # the part of each path that tells it apart: "a", "b"
    runs = [(printable(label), load_source(path, lang)) for label, path in zip(labels, sources, strict=True)]
    if target is None:
        from trainmon_tui.views.terminal import render_compare

        width, height = chart_size()
        write_chart(render_compare(runs, width, height, lang, theme="clear"))
        return
    from trainmon_tui.views.export import save_compare_png, save_compare_png_unique

    with writing_into(target):
        if target.is_dir():
            stem = f"trainmon_compare_{datetime.now():%Y%m%d-%H%M%S}"
            path = save_compare_png_unique(runs, target, stem, lang)
        else:
            path = save_compare_png(runs, target, lang, overwrite=force)
    say(f"saved: {path}")
