"""The dashboard's keys, described once: the bindings that the footer, the help screen and the command
palette are all built from, in either language, each with the views it works in.

Every binding is the app's; a key whose ``views`` does not hold the view shown is disabled and left out of
the footer and the help (``TrainmonApp.check_action``), so one key (``pagedown``) can scroll the summary in
the overview and turn the page in the metrics view. In the metrics view the chart controls act on the
focused chart; their capital letter (``L``, ``M``, ``X``, ``O``) sets every chart to what the focused one
becomes. ``z`` / ``Z`` zoom the focused chart in and out (the mouse wheel over a chart does the same).
"""

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
    views: tuple[str, ...] = ()  # the views it works in (VIEWS); () = every view


OVERVIEW, METRICS, EVALS = "overview", "metrics", "evals"
VIEWS: tuple[str, ...] = (OVERVIEW, METRICS, EVALS)
_M = (METRICS,)
_MOVE = ("move the focus between charts", "在图表之间移动焦点")


KEYS: tuple[Key, ...] = (
    Key(
        "slash",
        "open_filter",
        ("Filter", "筛选"),
        (
            "filter the charts (substrings or globs, any term; escape clears)",
            "筛选图表 (子串或通配符, 任一项; escape 清除)",
        ),
        display="/",
        # Priority: the app takes "/" before it hands the key to the focused grid, so the keys typed
        # right after it (in the same burst) are handed to the filter (see ViewActions.check_action).
        priority=True,
        views=_M,
    ),
    Key("n,pagedown", "page(1)", ("Page", "翻页"), ("next page", "下一页"), display="n pgdn", views=_M),
    Key("N,pageup", "page(-1)", ("", ""), ("previous page", "上一页"), display="N pgup", views=_M),
    Key("up", "move_focus('up')", ("", ""), _MOVE, display="↑", views=_M),
    Key("down", "move_focus('down')", ("", ""), _MOVE, display="↓", views=_M),
    Key("left", "move_focus('left')", ("", ""), _MOVE, display="←", views=_M),
    Key("right", "move_focus('right')", ("", ""), _MOVE, display="→", views=_M),
    Key("enter", "full_size", ("Full", "放大"), ("the focused chart full size", "放大当前图表"), views=_M),
    Key(
        "escape",
        "metrics_back",
        ("", ""),
        ("back to the grid, or clear the filter", "返回网格, 或清除筛选"),
        display="esc",
        views=_M,
    ),
    Key("l", "log_scale(False)", ("Log", "对数"), ("log scale on / off", "对数刻度 开 / 关"), views=_M),
    Key("L", "log_scale(True)", ("", ""), ("log scale for every chart", "所有图表的对数刻度"), views=_M),
    Key(
        "m",
        "smoothing(False)",
        ("Smooth", "平滑"),
        ("smoothing: off, EMA 0.6, 0.9, 0.99", "平滑: 关, EMA 0.6, 0.9, 0.99"),
        views=_M,
    ),
    Key("M", "smoothing(True)", ("", ""), ("smoothing for every chart", "所有图表的平滑"), views=_M),
    Key(
        "x",
        "x_axis(False)",
        ("X-axis", "横轴"),
        ("x-axis: step, epoch, wall time, tokens seen", "横轴: 步数, 轮次, 时间, 已见词元"),
        views=_M,
    ),
    Key("X", "x_axis(True)", ("", ""), ("x-axis for every chart", "所有图表的横轴"), views=_M),
    Key(
        "z",
        "zoom(1)",
        ("Zoom", "缩放"),
        ("zoom in: the last half of the run (or the mouse wheel)", "放大: 训练的后一半 (或鼠标滚轮)"),
        views=_M,
    ),
    Key("Z", "zoom(-1)", ("", ""), ("zoom out", "缩小"), views=_M),
    Key(
        "o",
        "robust(False)",
        ("", ""),
        ("y-range ignoring outliers (1st-99th percentile) on / off", "忽略离群值的纵轴范围 (1%-99%) 开 / 关"),
        views=_M,
    ),
    Key(
        "O",
        "robust(True)",
        ("", ""),
        ("y-range ignoring outliers for every chart", "所有图表忽略离群值"),
        views=_M,
    ),
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
        views=(OVERVIEW,),
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
        views=(OVERVIEW,),
    ),
    Key(
        "pageup",
        "scroll_summary(-1)",
        ("", ""),
        ("scroll the summary up", "向上滚动摘要"),
        display="pgup",
        priority=True,
        views=(OVERVIEW,),
    ),
    # The views' keys are priority keys, like "/": taken by the app before it routes the next keys of a
    # burst ("2/margins"), and off while the filter has focus (a "2" there is text).
    Key(
        "1",
        "show_view('overview')",
        ("", ""),
        ("overview: summary and four charts", "概览: 摘要和四张图表"),
        priority=True,
    ),
    Key(
        "2",
        "show_view('metrics')",
        ("", ""),
        ("metrics: every series as a chart", "指标: 每个序列一张图表"),
        priority=True,
    ),
    Key(
        "3",
        "show_view('evals')",
        ("", ""),
        ("evaluations: every evaluation as a table", "评估: 所有评估的表格"),
        priority=True,
    ),
)

# The workspace of runs (trainmon-tui PARENT): its own app, its own keys (actions named apart from the
# dashboard's, whose views the help screen would look up). a, c and r are in the help only: the footer
# holds the others at 100 columns.
WORKSPACE = "workspace"
WORKSPACE_KEYS: tuple[Key, ...] = (
    Key(
        "space",
        "toggle_select",
        ("Select", "选择"),
        ("select / unselect the run for the charts", "选择 / 取消选择运行 (用于图表)"),
    ),
    Key(
        "enter",
        "open_run",
        ("Open", "打开"),
        ("open the run's dashboard (escape comes back)", "打开该运行的仪表盘 (escape 返回)"),
        priority=True,  # before the table's own enter, so the footer shows it; text fields keep theirs
    ),
    Key(
        "slash",
        "filter_runs",
        ("Filter", "筛选"),
        ("filter the runs (escape clears)", "筛选运行 (escape 清除)"),
        display="/",
        priority=True,
    ),
    Key("escape", "clear_filter", ("", ""), ("clear the filter", "清除筛选"), display="esc"),
    Key("o", "sort(1)", ("Sort", "排序"), ("sort by the next column", "按下一列排序")),
    Key("O", "sort(-1)", ("", ""), ("reverse the sort", "反向排序")),
    Key(
        "a",
        "select_all",
        ("", ""),
        ("select every run shown, or none", "选择所有显示的运行, 或全不选"),
    ),
    Key(
        "x",
        "runs_x_axis",
        ("X-axis", "横轴"),
        ("the charts' x-axis: step, epoch, wall time, tokens seen", "图表横轴: 步数, 轮次, 时间, 已见词元"),
    ),
    Key(
        "k",
        "next_metric",
        ("Metric", "指标"),
        ("the fourth chart: the next metric the runs logged", "第四张图表: 运行记录的下一个指标"),
    ),
    Key("c", "next_chart", ("", ""), ("the next chart (when one fits)", "下一张图表 (只显示一张时)")),
    Key("s", "save_png", ("PNG", "PNG"), ("save the overlay charts as a PNG", "将叠加图表保存为 PNG")),
    Key("r", "rescan", ("", ""), ("look for runs and read them now", "立即查找并读取运行")),
    Key("question_mark", "help", ("Help", "帮助"), ("this help", "本帮助"), display="?"),
    Key("q", "quit", ("Quit", "退出"), ("quit", "退出")),
    Key("ctrl+c", "quit", ("", ""), ("quit", "退出"), priority=True),
)
# A run's dashboard opened from the workspace has one key more: escape in the overview goes back to it.
BACK_KEYS: tuple[Key, ...] = (
    Key(
        "escape",
        "back_to_workspace",
        ("Runs", "运行"),
        ("back to the workspace of runs", "返回运行列表"),
        display="esc",
        views=(OVERVIEW,),
    ),
)

# Keys that belong to widgets or to Textual, for the help screen only.
OTHER_KEYS: tuple[tuple[str, tuple[str, str], tuple[str, ...]], ...] = (
    ("↑ ↓  j k", ("move in the checkpoint list", "在检查点列表中移动"), (OVERVIEW,)),
    (
        "enter",
        ("show the highlighted checkpoint (or follow latest)", "显示选中的检查点 (或跟随最新)"),
        (OVERVIEW,),
    ),
    ("↑ ↓  pgdn pgup", ("scroll the table", "滚动表格"), (EVALS,)),
    ("ctrl+p", ("command palette: the same actions, and the theme", "命令面板: 同样的操作, 以及主题"), ()),
)


def action_name(action: str) -> str:
    """``page(1)`` -> ``page``."""
    return action.split("(", 1)[0]


# The views each action works in (an action missing here works everywhere).
ACTION_VIEWS: dict[str, tuple[str, ...]] = {action_name(key.action): key.views for key in KEYS if key.views}


# Priority keys that are characters a text field takes ("/", "1".."3"): the app takes them before the
# focused widget does (so a burst such as "2/margins" is routed after each has acted), and they yield
# while a text field has focus, where they are text.
TYPED_ACTIONS = frozenset(
    action_name(key.action)
    for key in KEYS
    if key.priority and all(len(name) == 1 or name == "slash" for name in key.keys.split(","))
)


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
            key.action,
            key.footer[zh] or key.help[zh],
            show=bool(key.footer[zh]),
            key_display=key.display,
            priority=key.priority,
            tooltip=key.help[zh],
        )
        for key in table
    ]


def commands(lang: Lang) -> list[tuple[str, str, str]]:
    """(title, what it does, action) of the keys the command palette offers too."""
    zh = lang == "zh"
    return [(key.command, key.help[zh], key.action) for key in KEYS if key.command]
