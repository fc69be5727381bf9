"""The metrics view's filter, grid layout, pages and focus movement."""

from __future__ import annotations

import fnmatch
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trainmon_tui.views.metricgrid import (
    GridLayout,
    filter_keys,
    grid_layout,
    move_focus,
    page_keys,
    page_of,
    parse_filter,
)

KEYS = [
    "loss",
    "eval_loss",
    "rewards/margins",
    "rewards/accuracies",
    "rewards/chosen",
    "reward",
    "kl",
    "eval_g0_accuracy",
    "Eval_G1_Accuracy",
    "grad_norm",
]


def test_terms_match_any_as_substrings() -> None:
    assert filter_keys(KEYS, "margins") == ["rewards/margins"]
    # "/reward margin": the "/" opens the filter, the text is "reward margin"
    assert filter_keys(KEYS, "reward margin") == [
        "rewards/margins",
        "rewards/accuracies",
        "rewards/chosen",
        "reward",
    ]
    assert filter_keys(KEYS, "kl  grad") == ["kl", "grad_norm"]


def test_matching_ignores_case() -> None:
    assert filter_keys(KEYS, "ACCURACY") == ["eval_g0_accuracy", "Eval_G1_Accuracy"]
    assert filter_keys(KEYS, "accura") == ["rewards/accuracies", "eval_g0_accuracy", "Eval_G1_Accuracy"]


def test_a_glob_matches_the_whole_key() -> None:
    assert filter_keys(KEYS, "eval_*") == ["eval_loss", "eval_g0_accuracy", "Eval_G1_Accuracy"]
    assert filter_keys(KEYS, "*loss") == ["loss", "eval_loss"]
    assert filter_keys(KEYS, "re?ard") == ["reward"]
    assert filter_keys(KEYS, "reward*margin") == []  # whole key: it ends in "margins"
    assert filter_keys(KEYS, "reward*margin*") == ["rewards/margins"]  # "all of these", as one term
    assert filter_keys(KEYS, "eval_g[01]_*") == ["eval_g0_accuracy", "Eval_G1_Accuracy"]


def test_broken_globs_are_plain_characters_not_errors() -> None:
    keys = ["a[b", "ab", "x*y", "(x)", "a.b", "a\\b"]
    assert filter_keys(keys, "a[b") == ["a[b"]
    assert filter_keys(keys, "[") == []  # a glob term: the whole key "["
    assert filter_keys(keys, "*[*") == ["a[b"]
    assert filter_keys(keys, "(x)") == ["(x)"]
    assert filter_keys(keys, "a.b") == ["a.b"]  # a dot is no regex wildcard
    assert filter_keys(keys, "a\\b") == ["a\\b"]
    assert filter_keys(keys, "x\\*y") == []  # no escapes in a glob: "\\" is a character


def test_an_empty_filter_keeps_everything() -> None:
    assert filter_keys(KEYS, "") == KEYS
    assert filter_keys(KEYS, "   \t ") == KEYS
    assert parse_filter("a a b").terms == ("a", "b")


def test_keys_with_newlines_and_controls() -> None:
    keys = ["line\nbreak", "tab\tkey", "esc\x1b[31m"]
    assert filter_keys(keys, "break") == ["line\nbreak"]
    assert filter_keys(keys, "line*") == ["line\nbreak"]  # "*" crosses a newline too
    assert filter_keys(keys, "esc*") == ["esc\x1b[31m"]


@given(st.lists(st.text(max_size=12), max_size=8), st.text(max_size=20))
def test_filter_agrees_with_its_definition(keys: list[str], text: str) -> None:
    terms = text.split()

    def expected(key: str) -> bool:
        if not terms:
            return True
        folded = key.casefold()
        for term in terms:
            t = term.casefold()
            if any(c in t for c in "*?["):
                if fnmatch.fnmatchcase(folded, t):
                    return True
            elif t in folded:
                return True
        return False

    assert filter_keys(keys, text) == [k for k in keys if expected(k)]


# --- the grid ------------------------------------------------------------------------------------


def test_a_pane_holds_as_many_charts_as_fit() -> None:
    layout = grid_layout(160, 45, min_width=32, min_height=9)
    assert (layout.cols, layout.rows) == (5, 5)
    assert layout.per_page == 25
    assert (layout.chart_width, layout.chart_height) == (32, 9)
    assert grid_layout(80, 20, min_width=32, min_height=9).per_page == 4


def test_few_charts_get_larger_cells() -> None:
    assert grid_layout(160, 45, 1) == GridLayout(1, 1, 160, 45)
    two = grid_layout(160, 45, 2)
    assert two.per_page == 2
    three = grid_layout(160, 45, 3)
    assert three.per_page == 3  # no empty slot when a shape without one fits
    six = grid_layout(160, 45, 6)
    assert six.per_page == 6
    assert six.cols >= six.rows  # wide cells: a terminal cell is tall


def test_a_tiny_or_hostile_pane_still_has_one_chart() -> None:
    for width, height in [(0, 0), (-5, 10), (10, -1), (1, 1), (31, 8)]:
        layout = grid_layout(width, height, 10)
        assert layout.per_page == 1 and layout.chart_width >= 1 and layout.chart_height >= 1
    assert grid_layout(100, 30, 0).per_page == grid_layout(100, 30).per_page
    assert grid_layout(100, 30, min_width=0, min_height=0).per_page == 3000


@given(st.integers(-5, 400), st.integers(-5, 200), st.integers(0, 500))
def test_the_grid_never_has_more_slots_than_fit_nor_fewer_than_needed(
    width: int, height: int, count: int
) -> None:
    full = grid_layout(width, height)
    layout = grid_layout(width, height, count)
    assert 1 <= layout.per_page <= full.per_page
    assert layout.cols <= full.cols and layout.rows <= full.rows
    if 1 <= count <= full.per_page:
        assert layout.per_page >= count
        assert layout.per_page - count < max(layout.cols, layout.rows)


def test_pages() -> None:
    page = page_of(53, 25, 0)
    assert (page.index, page.total, page.start, page.stop) == (0, 3, 0, 25)
    assert page.label_numbers == (1, 3)
    last = page_of(53, 25, 2)
    assert (last.start, last.stop) == (50, 53)
    assert page_of(53, 25, 9).index == 2  # clamped: the filter just shrank the list
    assert page_of(53, 25, -3).index == 0
    empty = page_of(0, 25, 4)
    assert (empty.index, empty.total, empty.start, empty.stop) == (0, 1, 0, 0)
    assert page_of(5, 0, 0).total == 5  # a nonsense page size counts as one chart a page
    page, keys = page_keys(["a", "b", "c"], 2, 1)
    assert keys == ["c"] and page.label_numbers == (2, 2)


@given(st.integers(0, 1000), st.integers(1, 50), st.integers(-10, 100))
def test_pages_cover_the_list_exactly_once(count: int, per_page: int, index: int) -> None:
    total = page_of(count, per_page, 0).total
    assert total == max(1, math.ceil(count / per_page))
    pages = [page_of(count, per_page, p) for p in range(total)]
    covered = [i for page in pages for i in range(page.start, page.stop)]
    assert covered == list(range(count))
    page = page_of(count, per_page, index)
    assert 0 <= page.index < page.total


def test_focus_moves_across_the_grid_and_pages() -> None:
    layout = GridLayout(3, 2, 30, 10)  # 6 a page
    assert move_focus(0, "right", layout, 10) == 1
    assert move_focus(5, "right", layout, 10) == 6  # on to the next page
    assert move_focus(6, "left", layout, 10) == 5  # back to the previous one
    assert move_focus(0, "left", layout, 10) == 0
    assert move_focus(9, "right", layout, 10) == 9
    assert move_focus(1, "down", layout, 10) == 4
    assert move_focus(4, "down", layout, 10) == 4  # bottom row of the page
    assert move_focus(4, "up", layout, 10) == 1
    assert move_focus(1, "up", layout, 10) == 1
    # page 2 holds 6..9: rows [6, 7, 8] and [9]; down from 8 goes to the short row's last chart
    assert move_focus(8, "down", layout, 10) == 9
    assert move_focus(6, "down", layout, 10) == 9
    assert move_focus(9, "down", layout, 10) == 9
    assert move_focus(3, "left", layout, 0) == 0
    assert move_focus(50, "up", layout, 10) == 6  # clamped to the last chart (9), then up a row


@pytest.mark.parametrize("direction", ["left", "right", "up", "down"])
@given(st.integers(-5, 60), st.integers(0, 40))
def test_focus_stays_in_range(direction: str, focus: int, count: int) -> None:
    moved = move_focus(focus, direction, GridLayout(4, 3, 10, 10), count)  # type: ignore[arg-type]
    assert 0 <= moved <= max(0, count - 1)
