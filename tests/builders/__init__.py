"""Builders shared by the tests: live-log records, trainer states, apps.

Import as ``from builders.X import ...`` (``tests`` is on the path, see pyproject.toml)."""
