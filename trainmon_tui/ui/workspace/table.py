"""The runs table: one row per run, a colour each, the selection marked, sortable and filtered outside.

A Textual :class:`~textual.widgets.DataTable` with a row cursor. :meth:`RunsTable.show` lays out the rows it
is given (already filtered and sorted: :func:`~.view.arrange`): when the same runs come in the same order
under the same columns, only the cells that changed are updated, so a change in one run redraws one row;
otherwise the table is built again with the cursor kept on the same run. Every cell is a Rich ``Text``
(no markup): names and reasons from disk are data.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from rich.text import Text
from textual.widgets import DataTable

from trainmon_tui.views.i18n import Lang
from trainmon_tui.views.terminal import run_color
from trainmon_tui.workspace.cells import STATUS_STYLES, cells, headers
from trainmon_tui.workspace.rows import RunRow

SELECTED, UNSELECTED = "●", "○"


class RunsTable(DataTable[Text]):
    """The table of runs; row keys are the runs' paths (as text)."""

    def __init__(self, lang: Lang = "en", *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.lang: Lang = lang
        self._layout: tuple[tuple[str, ...], tuple[str, ...]] = ((), ())
        self._cells: dict[str, list[Text]] = {}
        self.order: list[Path] = []

    def _row_cells(
        self,
        row: RunRow,
        config_keys: Sequence[str],
        color: int | None,
        selected: bool,
        sort_index: int | None,
    ) -> list[Text]:
        now = getattr(self.app, "clock", time.time)()  # the app's clock: tests fix it
        texts = cells(row, config_keys, self.lang, now, reason=40 if self.app.size.width >= 120 else 16)
        mark = SELECTED if selected else UNSELECTED
        style = run_color(color) if color is not None else ""  # a run never selected has no colour yet
        out = [Text(f"{mark} {texts[0]}", style=style, no_wrap=True, overflow="ellipsis")]
        out.append(Text(texts[1], style=STATUS_STYLES[row.status], no_wrap=True, overflow="ellipsis"))
        out.extend(Text(text, no_wrap=True) for text in texts[2:])
        if sort_index is not None and sort_index < len(out):
            out[sort_index].stylize("bold")
        return out

    def show(
        self,
        rows: Sequence[RunRow],
        config_keys: Sequence[str],
        colors: dict[Path, int],
        selected: set[Path],
        sort_label: tuple[int, bool],
        cursor: Path | None,
    ) -> None:
        """Show ``rows`` in this order; ``sort_label`` is (the sorted column's index, descending): its cells
        are bold. The headers stay as they are while the columns do (a sort rebuilds the rows only: the
        table's header positions, which a click is mapped with, are not laid out again at once)."""
        heads = headers(config_keys, self.lang)
        index, _descending = sort_label
        keys = tuple(str(row.path) for row in rows)
        layout = (tuple(heads), keys)
        new = {
            str(row.path): self._row_cells(
                row, config_keys, colors.get(row.path), row.path in selected, index
            )
            for row in rows
        }
        if layout == self._layout:
            for key, texts in new.items():
                if texts != self._cells.get(key):
                    for column, text in zip(self.columns, texts, strict=False):
                        self.update_cell(key, column, text)
        else:
            if tuple(heads) != self._layout[0]:
                self.clear(columns=True)
                for number, head in enumerate(heads):
                    self.add_column(Text(head, no_wrap=True), key=f"c{number}")
            else:
                self.clear()
            for key, texts in new.items():
                self.add_row(*texts, key=key)
            target = str(cursor) if cursor is not None else None
            if target in new:
                self.move_cursor(row=keys.index(target), animate=False)
        self._layout, self._cells = layout, new
        self.order = [row.path for row in rows]

    def cursor_run(self) -> Path | None:
        """The run under the cursor, if any."""
        if not self.order or not 0 <= self.cursor_row < len(self.order):
            return None
        return self.order[self.cursor_row]
