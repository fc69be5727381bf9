"""The metrics view's grid as data: which keys a filter keeps, how many charts fit a pane, and paging.

**Filter.** ``/reward margin``: the text is cut at whitespace into terms and a key is kept when it matches
*any* term (as W&B's terminal UI does). Any, not all, because several terms are how one gathers several
groups (``loss acc`` shows the losses and the accuracies), while "all of these" is still one term away: a
glob (``reward*margin``). A term holding a glob character (``*``, ``?``, ``[``) is a shell glob over the
*whole* key (``eval_*`` starts with ``eval_``, ``*loss`` ends with ``loss``), as ``--metrics PATTERN``
reads it; any other term is a substring. Case does not matter (both sides are case-folded). A ``[`` that
opens no set is a plain character, as :mod:`fnmatch` has it, so no text is an error. An empty or blank
filter keeps every key.

**Grid.** :func:`grid_layout` fits as many charts of at least ``min_width`` x ``min_height`` cells as the
pane holds, and with fewer charts than that, the fewest columns and rows that hold them all, so that a run
with three metrics gets three large charts, not three small ones in a sea of empty cells. :func:`page_of`
cuts the keys into pages (``page i of k``, never zero pages), :func:`move_focus` moves the focused
chart with the arrows across the grid and across pages, and :func:`refocus` keeps the focus on the same
key when the list changes under it (a filter typed, a key that appears mid-run). Everything here is
pure and costs no disk read.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

_GLOB_CHARS = frozenset("*?[")

# A grid chart's smallest readable size: a title row, a few rows of curve and an x-axis; room for
# y labels of six characters and a curve beside them.
MIN_CHART_WIDTH = 32
MIN_CHART_HEIGHT = 9
# A terminal cell is about twice as tall as it is wide: a chart of w x h cells looks square at w = 2h.
_CELL_ASPECT = 2.0


@dataclass(frozen=True, slots=True)
class KeyFilter:
    """A parsed filter; :meth:`matches` a key. ``terms`` as typed, in order, duplicates dropped."""

    terms: tuple[str, ...]
    _substrings: tuple[str, ...]
    _globs: tuple[re.Pattern[str], ...]

    def matches(self, key: str) -> bool:
        if not self.terms:
            return True
        folded = key.casefold()
        return any(term in folded for term in self._substrings) or any(
            glob.fullmatch(folded) for glob in self._globs
        )

    def apply(self, keys: Iterable[str]) -> list[str]:
        """The keys that match, in their order."""
        return [key for key in keys if self.matches(key)]


def parse_filter(text: str) -> KeyFilter:
    """The filter ``text`` spells (see the module's docstring)."""
    terms = tuple(dict.fromkeys(text.split()))
    substrings: list[str] = []
    globs: list[re.Pattern[str]] = []
    for term in terms:
        folded = term.casefold()
        if _GLOB_CHARS.isdisjoint(folded):
            substrings.append(folded)
        else:
            globs.append(re.compile(fnmatch.translate(folded), re.DOTALL))
    return KeyFilter(terms, tuple(substrings), tuple(globs))


def filter_keys(keys: Iterable[str], text: str) -> list[str]:
    """The keys the filter ``text`` keeps, in their order."""
    return parse_filter(text).apply(keys)


@dataclass(frozen=True, slots=True)
class GridLayout:
    """``cols`` x ``rows`` charts per page, each ``chart_width`` x ``chart_height`` cells (the last column
    and row take the remainder of the pane, if the caller lays them out so)."""

    cols: int
    rows: int
    chart_width: int
    chart_height: int

    @property
    def per_page(self) -> int:
        return self.cols * self.rows


def _shape_score(count: int, cols: int, rows: int, width: int, height: int) -> tuple[int, float]:
    """Fewer empty slots first, then charts closest to square on screen."""
    aspect = (width / cols) / max(height / rows, 1e-9) / _CELL_ASPECT
    return (cols * rows - count, abs(math.log(max(aspect, 1e-9))))


def grid_layout(
    width: int,
    height: int,
    count: int | None = None,
    *,
    min_width: int = MIN_CHART_WIDTH,
    min_height: int = MIN_CHART_HEIGHT,
) -> GridLayout:
    """The grid for a pane of ``width`` x ``height`` cells: as many charts of at least ``min_width`` x
    ``min_height`` as fit (always one, however small the pane); with ``count`` charts fewer than that,
    the shape that holds them with the fewest empty slots and charts closest to square."""
    width, height = max(1, int(width)), max(1, int(height))
    max_cols = max(1, width // max(1, int(min_width)))
    max_rows = max(1, height // max(1, int(min_height)))
    cols, rows = max_cols, max_rows
    if count is not None and 0 < count < max_cols * max_rows:
        shapes = [
            (c, math.ceil(count / c)) for c in range(1, min(max_cols, count) + 1) if count / c <= max_rows
        ]
        cols, rows = min(shapes, key=lambda shape: _shape_score(count, shape[0], shape[1], width, height))
    return GridLayout(cols, rows, max(1, width // cols), max(1, height // rows))


@dataclass(frozen=True, slots=True)
class Page:
    """Page ``index`` (from 0) of ``total`` (at least 1): the keys ``start:stop`` of the filtered list."""

    index: int
    total: int
    start: int
    stop: int

    @property
    def label_numbers(self) -> tuple[int, int]:
        """``(i, k)`` for "page i of k", counted from 1."""
        return (self.index + 1, self.total)


def page_count(count: int, per_page: int) -> int:
    return max(1, math.ceil(max(0, count) / max(1, per_page)))


def page_of(count: int, per_page: int, index: int) -> Page:
    """Page ``index`` of ``count`` charts, ``per_page`` a page; an index out of range is clamped to the
    first or last page (the filter may just have shrunk the list)."""
    per_page = max(1, per_page)
    total = page_count(count, per_page)
    index = min(max(0, index), total - 1)
    start = index * per_page
    return Page(index, total, min(start, max(0, count)), min(start + per_page, max(0, count)))


def page_keys(keys: Sequence[str], per_page: int, index: int) -> tuple[Page, list[str]]:
    """The page and the keys on it."""
    page = page_of(len(keys), per_page, index)
    return page, list(keys[page.start : page.stop])


Direction = Literal["left", "right", "up", "down"]


def move_focus(focus: int, direction: Direction, layout: GridLayout, count: int) -> int:
    """The focused chart's index after an arrow key, over the whole filtered list: left and right step
    one chart (on to the next or back to the previous page at a page's edge), up and down one row of the
    grid within the page, staying put at its top and bottom row. Always within ``0 .. count - 1`` (0 for
    no charts)."""
    if count <= 0:
        return 0
    focus = min(max(0, focus), count - 1)
    per_page = layout.per_page
    start = focus - focus % per_page
    stop = min(start + per_page, count)
    if direction == "left":
        return max(0, focus - 1)
    if direction == "right":
        return min(count - 1, focus + 1)
    step = layout.cols if direction == "down" else -layout.cols
    moved = focus + step
    if start <= moved < stop:
        return moved
    if direction == "down" and (focus - start) // layout.cols < (stop - 1 - start) // layout.cols:
        return stop - 1  # a shorter last row: to its last chart
    return focus


def refocus(before: Sequence[str], focus: int, after: Sequence[str]) -> int:
    """The focus in ``after`` (the list once the filter changed or a new key arrived mid-run): the same
    key if it is still there, else the nearest key that was before it, else the first."""
    if not after:
        return 0
    if not before:
        return 0
    focus = min(max(0, focus), len(before) - 1)
    position = {key: i for i, key in enumerate(after)}
    for key in reversed(before[: focus + 1]):
        if key in position:
            return position[key]
    return 0
