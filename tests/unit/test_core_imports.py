"""The core never imports Textual (the UI lives in trainmon_tui/ui), nor matplotlib until a PNG is written."""

from __future__ import annotations

import subprocess
import sys

CORE = ["cli", "state", "discovery", "stats", "series", "charts", "report", "export", "simulate", "i18n"]


def test_core_modules_import_neither_textual_nor_matplotlib():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE!r}:\n"
        "    importlib.import_module('trainmon_tui.' + name)\n"
        "heavy = {'textual', 'textual_plotext', 'matplotlib'}\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
