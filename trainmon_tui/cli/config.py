"""The configuration file: defaults for the options, from ``$XDG_CONFIG_HOME/trainmon-tui/config.toml``
(``~/.config/...`` without it) or ``--config PATH``; the command line's flags win.

Keys, all optional: ``lang`` (``"en"``, ``"zh"``), ``poll`` (seconds, 0.1 to 3600), ``export_dir`` (a
folder, ``~`` expanded), ``theme`` (a Textual theme: ``"nord"``, ``"gruvbox"``, ...), ``bell`` (true or
false), ``on_alert`` (a command line, split like a shell), and a ``[thresholds]`` table whose keys are
``--threshold``'s names. The dashboard-only keys (poll, export_dir, theme, bell) are simply unused by a
one-shot mode. An unknown key, a value of the wrong type or out of range, or a file that is not TOML is
one line naming the file and the key (exit 2); ``--print-config`` prints the settings in effect.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from trainmon_tui.cli.messages import CliError
from trainmon_tui.files.safeopen import read_regular
from trainmon_tui.health.command import split_command
from trainmon_tui.health.thresholds import Thresholds
from trainmon_tui.views.i18n import LANGS

KEYS = ("lang", "poll", "export_dir", "theme", "bell", "on_alert", "thresholds")
MAX_BYTES = 1 << 16


def config_file(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "trainmon-tui" / "config.toml"


def read_config(path: Path, *, required: bool) -> dict[str, Any]:
    """The file's table; {} when the default file does not exist (``--config`` naming none is an error)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the backport (a dependency there)
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data, _ = read_regular(path, margin=0)
    except FileNotFoundError:
        if required:
            raise CliError(f"--config {path}: no such file", 2) from None
        return {}
    except OSError as exc:
        raise CliError(f"{path}: {exc.strerror or exc}", 2) from None
    if len(data) > MAX_BYTES:
        raise CliError(f"{path}: larger than {MAX_BYTES // 1024} KiB, not a configuration file", 2)
    try:
        table: dict[str, Any] = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise CliError(f"{path}: not valid TOML ({exc})", 2) from None
    return table


def _bad(path: Path, key: str, why: str) -> CliError:
    return CliError(f"{path}: {key}: {why}", 2)


def settings(config: dict[str, Any], path: Path) -> dict[str, Any]:
    """The file's values as the parser's destinations (``bell`` becomes ``no_bell``), each checked."""
    out: dict[str, Any] = {}
    for key, value in config.items():
        if key not in KEYS:
            raise _bad(path, key, f"unknown key (known: {', '.join(KEYS)})")
        if key == "lang":
            if value not in LANGS:
                raise _bad(path, key, f"{value!r}: choose {' or '.join(map(repr, LANGS))}")
            out["lang"] = value
        elif key == "poll":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.1 <= value <= 3600:
                raise _bad(path, key, f"{value!r}: a number of seconds from 0.1 to 3600")
            out["poll"] = float(value)
        elif key in ("export_dir", "theme", "on_alert") and not isinstance(value, str):
            raise _bad(path, key, f"{value!r}: expected a string")
        elif key == "export_dir":
            out["export_dir"] = Path(value).expanduser()
        elif key == "theme":
            from textual.theme import BUILTIN_THEMES

            if value not in BUILTIN_THEMES:
                raise _bad(path, key, f"{value!r}: not a theme (known: {', '.join(BUILTIN_THEMES)})")
            out["theme"] = value
        elif key == "bell":
            if not isinstance(value, bool):
                raise _bad(path, key, f"{value!r}: expected true or false")
            out["no_bell"] = not value
        elif key == "on_alert":
            try:
                out["on_alert"] = split_command(value)
            except ValueError as exc:
                raise _bad(path, key, str(exc)) from None
        else:
            out["threshold"] = _thresholds(value, path)
    return out


def _thresholds(table: object, path: Path) -> list[str]:
    if not isinstance(table, dict):
        raise _bad(path, "thresholds", "expected a table ([thresholds])")
    pairs = []
    for name, value in table.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _bad(path, f"thresholds.{name}", f"{value!r}: expected a number")
        pair = f"{name}={value}"
        try:
            Thresholds().with_overrides([pair])
        except ValueError as exc:
            raise _bad(path, f"thresholds.{name}", str(exc)) from None
        pairs.append(pair)
    return pairs


def given_flags(argv: list[str] | None) -> set[str]:
    """The destinations the command line set itself (a flag given equal to its default counts too)."""
    from trainmon_tui.cli.args import build_parser

    parser = build_parser()
    for action in parser._actions:
        action.default = argparse.SUPPRESS  # so only what was given lands in the namespace
    known, _ = parser.parse_known_args(argv)
    return set(vars(known))


def apply_config(args: argparse.Namespace, argv: list[str] | None) -> Path:
    """``args`` with the configuration file's values where the command line gave none; the file read."""
    path = config_file(args.config)
    found = settings(read_config(path, required=args.config is not None), path)
    given = given_flags(argv)
    for dest, value in found.items():
        if dest == "threshold":
            args.threshold = value + args.threshold  # the command line's come last: they win
        elif dest not in given:
            setattr(args, dest, value)
    return path


def print_config(args: argparse.Namespace, path: Path) -> None:
    """The settings in effect, as a configuration file would hold them."""
    import json

    def toml(value: object) -> str:
        return json.dumps(value, ensure_ascii=False) if not isinstance(value, bool) else str(value).lower()

    exists = path.is_file()
    print(f"# {'from' if exists else 'no file at'} {path}; the command line's flags win")
    print(f"lang = {toml(args.lang)}")
    if args.poll is not None:
        print(f"poll = {args.poll:g}")
    print(f"export_dir = {toml(str(args.export_dir or '.'))}")
    if getattr(args, "theme", None):
        print(f"theme = {toml(args.theme)}")
    print(f"bell = {toml(not args.no_bell)}")
    if args.on_alert:
        import shlex

        print(f"on_alert = {toml(shlex.join(args.on_alert))}")
    print("\n[thresholds]")
    limits = Thresholds().with_overrides(args.threshold)
    for name in Thresholds.__dataclass_fields__:
        print(f"{name} = {getattr(limits, name)}")
