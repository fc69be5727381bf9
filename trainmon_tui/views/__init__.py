"""Views of the data: statistics, series, terminal charts, PNG export, the Rich report, i18n.

- the numbers: :mod:`.stats` (the summary, once), :mod:`.numfmt` (how a number is written), :mod:`.evalsets`
- the summary as text: :mod:`.report` (Rich table, compact pane, plain text); labels: :mod:`.i18n`
- chart data: :mod:`.series` (finite values, min/max downsampling), :mod:`.chartdata` (``ChartData``),
  :mod:`.axes` (round ticks), :mod:`.compare` (run labels, one smoothing for all runs)
- terminal charts: :mod:`.charts` (one chart, e.g. the grad norm), :mod:`.plotfigure` (plotext, safely),
  :mod:`.terminal` (``--plot``'s grid, ``--compare``)
- images: :mod:`.figures` (matplotlib), :mod:`.mplstyle` (fonts), :mod:`.export` (files, never overwritten),
  :mod:`.runname` (run and file names)
- text from files made safe to show: :mod:`.safetext`
"""
