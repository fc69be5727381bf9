"""The core never imports Textual (the UI lives in trainmon_tui/ui), nor matplotlib until a PNG is written.

Every module of the core packages is imported, found by walking them, so a module added later is covered.
"""

from __future__ import annotations

import subprocess
import sys

CORE_PACKAGES = ["files", "live", "views"]
CORE_MODULES = ["cli", "pipeline", "simulate", "callback"]


def test_core_modules_import_neither_textual_nor_matplotlib():
    code = (
        "import importlib, pkgutil, sys\n"
        "names = []\n"
        f"for package in {CORE_PACKAGES!r}:\n"
        "    module = importlib.import_module('trainmon_tui.' + package)\n"
        "    names += [info.name for info in pkgutil.iter_modules(module.__path__, module.__name__ + '.')]\n"
        f"names += ['trainmon_tui.' + name for name in {CORE_MODULES!r}]\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
        "heavy = {'textual', 'textual_plotext', 'matplotlib'}\n"
        "print(len(names), sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    count, heavy = result.stdout.strip().split(" ", 1)
    assert int(count) > 25
    assert heavy == "[]"
