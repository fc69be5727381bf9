"""The package's shape, as CONTRIBUTING.md asks: every module says its one idea in its first line, stays
small, and is listed in the README's layout section (so a newcomer finds any behaviour in one place)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "trainmon_tui"
README = PACKAGE.parent / "README.md"
MAX_LINES = 320  # "about 300": a module past it holds more than one idea, or wants splitting

MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_opens_with_its_idea(path: Path) -> None:
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{_name(path)} has no module docstring"
    assert doc.splitlines()[0].strip(), f"{_name(path)}: the docstring's first line is empty"


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_every_module_stays_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_name(path)} has {lines} lines: split it by idea"


def _layout_section() -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Layout\n(.*?)^## ", text, flags=re.S | re.M)
    assert match, "README.md has no Layout section"
    return match.group(1)


def test_the_readme_layout_names_every_module() -> None:
    section = _layout_section()
    listed = {name for name in re.findall(r"`([\w/]+\.py)`", section) if not name.startswith("tests/")}
    wanted = {_name(p) for p in MODULES if p.name != "__init__.py" or p.parent == PACKAGE / "cli"}
    wanted.discard("__init__.py")
    missing = sorted(wanted - listed)
    assert not missing, f"README's Layout section does not name: {', '.join(missing)}"
    gone = sorted(name for name in listed if not (PACKAGE / name).exists())
    assert not gone, f"README's Layout section names modules that do not exist: {', '.join(gone)}"
