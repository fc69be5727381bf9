"""The dashboard's keys as Textual bindings: the footer, the help screen and the command palette are all
built from the one table (:mod:`.keytable`), in either language, each key with the views it works in.

Every binding is the app's; a key whose ``views`` does not hold the view shown is disabled and left out of
the footer and the help (``TrainmonApp.check_action``), so one key (``pagedown``) can scroll the summary in
the overview and turn the page in the metrics view.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType

from trainmon_tui.ui.keytable import EVALS, KEYS, METRICS, OTHER_KEYS, OVERVIEW, VIEWS, Key
from trainmon_tui.views.i18n import Lang

__all__ = [
    "EVALS",
    "KEYS",
    "METRICS",
    "OTHER_KEYS",
    "OVERVIEW",
    "VIEWS",
    "Key",
    "action_name",
    "bindings",
    "commands",
    "in_view",
    "variants",
    "yields_to_text",
]


def action_name(action: str) -> str:
    """``page(1)`` -> ``page``."""
    return action.split("(", 1)[0]


QUIET = "quiet_"


def variants(key: Key) -> list[tuple[str, tuple[str, ...], bool]]:
    """(action, views, shown in the footer) of each binding a key makes: one, or two when it has
    ``footer_views`` (the second under :data:`QUIET` + its action, in its other views, never shown).
    Every key of one action name has the same ``footer_views``: Textual asks by name."""
    shown = bool(key.footer[0])
    if key.footer_views is None:
        return [(key.action, key.views, shown)]
    quiet = tuple(view for view in key.views or VIEWS if view not in key.footer_views)
    return [(key.action, key.footer_views, shown), (QUIET + key.action, quiet, False)]


# The views each action works in (an action missing here works everywhere). Textual asks by the action's
# name, without its arguments: every key of one action name lists the same views (tests/app/test_keys.py).
ACTION_VIEWS: dict[str, tuple[str, ...]] = {
    action_name(action): views for key in KEYS for action, views, _ in variants(key) if views
}


# Priority keys that are characters a text field takes ("/", "1".."3"): the app takes them before the
# focused widget does (so a burst such as "2/margins" is routed after each has acted), and they yield
# while a text field has focus, where they are text.
TYPED_ACTIONS = frozenset(
    action_name(key.action)
    for key in KEYS
    if key.priority and all(len(name) == 1 or name == "slash" for name in key.keys.split(","))
)


# The app's priority keys that are the dashboard's own ("/", "1".."3", the summary's PgDn / PgUp): off
# while a screen such as the help is on top, whose keys they would otherwise take (ctrl+c still quits).
SCREEN_ACTIONS = frozenset(action_name(key.action) for key in KEYS if key.priority) - {"quit"}


def yields_to_text(action: str) -> bool:
    """Whether ``action``'s key is a character that a focused text field takes instead."""
    return action_name(action) in TYPED_ACTIONS


def in_view(action: str, view: str) -> bool:
    views = ACTION_VIEWS.get(action_name(action))
    return views is None or view in views


def bindings(lang: Lang, table: tuple[Key, ...] = KEYS) -> list[BindingType]:
    """The app's bindings: the footer shows ``description``, the help screen ``tooltip``."""
    zh = lang == "zh"
    return [
        Binding(
            key.keys,
            action,
            key.footer[zh] or key.help[zh],
            show=shown,
            key_display=key.display,
            priority=key.priority,
            tooltip=key.help[zh],
        )
        for key in table
        for action, _, shown in variants(key)
    ]


def commands(lang: Lang) -> list[tuple[str, str, str]]:
    """(title, what it does, action) of the keys the command palette offers too."""
    zh = lang == "zh"
    return [(key.command, key.help[zh], key.action) for key in KEYS if key.command]
