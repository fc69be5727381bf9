"""The workspace of runs: every run under PARENT in one table, the selected ones overlaid in charts."""
