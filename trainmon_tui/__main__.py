from trainmon_tui.cli import main

raise SystemExit(main())
