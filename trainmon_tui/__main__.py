"""``python -m trainmon_tui``: the same command line as ``trainmon-tui``."""

from trainmon_tui.cli import main

raise SystemExit(main())
