"""The label table and its users agree: every label is used, every label used exists.

A label is used when code calls ``t("key", ...)`` with it (in the package, the tests, the benchmarks or the
screenshots), or, for the keys reached through a variable (``t(TITLE_KEYS[chart])``, ``t(loss.trend)``,
``t(key)`` over a tuple of keys), when it is a string constant in a module of the package that makes such
a call; the trend words (:data:`~trainmon_tui.views.stats.Trend`, ``t(loss.trend)``) are labels too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

from trainmon_tui.views.i18n import LABELS, LANGS, t
from trainmon_tui.views.stats import Trend

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = ("trainmon_tui", "tests", "benchmarks", "screenshots")


def modules() -> Iterator[tuple[Path, ast.Module]]:
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name != "i18n.py":
                yield path, ast.parse(path.read_text(encoding="utf-8"))


def label_calls(tree: ast.Module) -> Iterator[ast.expr]:
    """The first argument of every ``t(...)`` call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t":
            yield from node.args[:1]


def literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def used_keys() -> tuple[set[str], set[str]]:
    """The keys named in ``t("key")`` calls, and the string constants of the package's modules that call
    ``t`` with a key in a variable."""
    named: set[str] = set()
    indirect: set[str] = set(get_args(Trend))
    for path, tree in modules():
        firsts = list(label_calls(tree))
        named |= {key for key in map(literal, firsts) if key is not None}
        if path.is_relative_to(ROOT / "trainmon_tui") and any(literal(node) is None for node in firsts):
            indirect |= {
                node.value
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant) and isinstance(node.value, str)
            }
    return named, indirect


def test_every_label_is_used():
    named, indirect = used_keys()
    unused = sorted(key for key in LABELS if key not in named and key not in indirect)
    assert unused == []


def test_every_label_used_exists():
    named, _ = used_keys()
    assert sorted(named - LABELS.keys()) == []


def test_every_label_has_every_language():
    for key, texts in LABELS.items():
        assert len(texts) == len(LANGS), key
        assert all(texts), key
        assert t(key, "en") == texts[0] and t(key, "zh") == texts[1]


def test_a_count_of_one_is_singular_in_english():
    from trainmon_tui.views.i18n import t

    assert t("n_evals", "en", n=1, k=1) == "1 evaluation, 1 metric"
    assert t("n_evals", "en", n=2, k=0) == "2 evaluations, 0 metrics"
    assert t("n_evals", "zh", n=1, k=1) == "1 次评估, 1 个指标"  # Chinese has no plural
    assert t("page_of", "en", i=1, k=3) == "page 1 of 3"  # other counts as they were
