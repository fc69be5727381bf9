"""Views of the data: statistics, series, terminal charts, PNG export, the Rich report, i18n."""
