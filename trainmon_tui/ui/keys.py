"""The dashboard's keys, described once: the footer's bindings and the help screen in either language."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from trainmon_tui.views.i18n import Lang


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # Textual's key names, comma-separated
    action: str
    footer: tuple[str, str]  # (en, zh): short, the footer holds them all at 80 columns; "" = not shown
    help: tuple[str, str]  # (en, zh): what the help screen says
    display: str | None = None  # how the help screen writes the key (default: ``keys``)
    priority: bool = False


KEYS: tuple[Key, ...] = (
    Key(
        "s",
        "save_png",
        ("PNG", "PNG"),
        ("save the four charts as a PNG into the export folder", "将四张图表保存为 PNG 到导出文件夹"),
    ),
    Key("r", "reload", ("Reload", "重新加载"), ("reload now", "立即重新加载")),
    Key(
        "f",
        "toggle_follow",
        ("Follow", "跟随"),
        ("follow the latest checkpoint on / off", "开启 / 关闭跟随最新检查点"),
    ),
    Key(
        "b",
        "toggle_side",
        ("Side", "侧栏"),
        ("hide / show the side pane (summary and checkpoints)", "隐藏 / 显示侧栏 (摘要和检查点)"),
    ),
    Key(
        "e",
        "events",
        ("Events", "事件"),
        ("recent events (every notification, with its time)", "最近事件 (每条通知及其时间)"),
    ),
    Key("question_mark", "help", ("Help", "帮助"), ("this help", "本帮助"), display="?"),
    Key("q", "quit", ("Quit", "退出"), ("quit", "退出")),
    Key("ctrl+c", "quit", ("", ""), ("quit", "退出"), priority=True),
    # The summary scrolls from anywhere: the checkpoint list keeps the focus and the arrows.
    Key(
        "pagedown",
        "scroll_summary(1)",
        ("", ""),
        ("scroll the summary down (or the mouse wheel)", "向下滚动摘要 (或鼠标滚轮)"),
        display="pgdn",
        priority=True,
    ),
    Key(
        "pageup",
        "scroll_summary(-1)",
        ("", ""),
        ("scroll the summary up", "向上滚动摘要"),
        display="pgup",
        priority=True,
    ),
)

# Keys that belong to widgets or to Textual, for the help screen only.
OTHER_KEYS: tuple[tuple[str, tuple[str, str]], ...] = (
    ("↑ ↓  j k", ("move in the checkpoint list", "在检查点列表中移动")),
    ("enter", ("show the highlighted checkpoint (or follow latest)", "显示选中的检查点 (或跟随最新)")),
    ("ctrl+p", ("command palette: the same actions, and the theme", "命令面板: 同样的操作, 以及主题")),
)


def bindings(lang: Lang) -> list[Binding]:
    zh = lang == "zh"
    return [
        Binding(
            key.keys,
            key.action,
            key.footer[zh] or key.help[zh],
            show=bool(key.footer[zh]),
            key_display=key.display,
            priority=key.priority,
        )
        for key in KEYS
    ]


def help_rows(lang: Lang) -> list[tuple[str, str]]:
    """(keys as written, what they do): the app's keys, then the widgets' (``q`` and ``ctrl+c`` as one)."""
    zh = lang == "zh"
    rows: dict[str, list[str]] = {}
    for key in KEYS:
        rows.setdefault(key.help[zh], []).append(key.display or key.keys)
    own = [("  ".join(names), what) for what, names in rows.items()]
    return own + [(keys, what[zh]) for keys, what in OTHER_KEYS]
