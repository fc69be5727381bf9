"""The dashboard's keys, described once: the bindings that the footer, the help screen and the command
palette are all built from, in either language."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

from trainmon_tui.views.i18n import Lang


@dataclass(frozen=True, slots=True)
class Key:
    keys: str  # Textual's key names, comma-separated
    action: str
    footer: tuple[str, str]  # (en, zh): short, the footer holds them all at 80 columns; "" = not shown
    help: tuple[str, str]  # (en, zh): what the help screen says
    display: str | None = None  # how the help screen writes the key (default: ``keys``)
    priority: bool = False
    command: str = ""  # its title in the command palette (ctrl+p); "" = not offered there


KEYS: tuple[Key, ...] = (
    Key(
        "s",
        "save_png",
        ("PNG", "PNG"),
        ("save the four charts as a PNG into the export folder", "将四张图表保存为 PNG 到导出文件夹"),
        command="Save PNG",
    ),
    Key("r", "reload", ("Reload", "重新加载"), ("reload now", "立即重新加载"), command="Reload"),
    Key(
        "f",
        "toggle_follow",
        ("Follow", "跟随"),
        ("follow the latest checkpoint on / off", "开启 / 关闭跟随最新检查点"),
        command="Follow latest",
    ),
    Key(
        "b",
        "toggle_side",
        ("Side", "侧栏"),
        ("hide / show the side pane (summary and checkpoints)", "隐藏 / 显示侧栏 (摘要和检查点)"),
        command="Side pane",
    ),
    Key(
        "e",
        "events",
        ("Events", "事件"),
        ("recent events (every notification, with its time)", "最近事件 (每条通知及其时间)"),
        command="Events",
    ),
    Key("question_mark", "help", ("Help", "帮助"), ("this help", "本帮助"), display="?", command="Help"),
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


def bindings(lang: Lang) -> list[BindingType]:
    """The app's bindings: the footer shows ``description``, the help screen ``tooltip``."""
    zh = lang == "zh"
    return [
        Binding(
            key.keys,
            key.action,
            key.footer[zh] or key.help[zh],
            show=bool(key.footer[zh]),
            key_display=key.display,
            priority=key.priority,
            tooltip=key.help[zh],
        )
        for key in KEYS
    ]


def commands(lang: Lang) -> list[tuple[str, str, str]]:
    """(title, what it does, action) of the keys the command palette offers too."""
    zh = lang == "zh"
    return [(key.command, key.help[zh], key.action) for key in KEYS if key.command]
