"""The table of the dashboard's keys: each key once, with what it does in English and Chinese, its
footer label, and the views it works in. :mod:`.keys` makes the bindings, the footer, the help and the
command palette from it, so they cannot disagree.

The chart controls work in every view: in the metrics view on the focused chart, their capital letter
(``L``, ``M``, ``X``, ``O``) setting every chart to what the focused one becomes, ``z`` / ``Z`` zooming the
focused chart in and out (the mouse wheel over a chart does the same) and ``+`` / ``-`` every chart; in
the evaluations view on all its charts (its table has the focus); in the overview on its step charts
together. Only the metrics view's footer lists them.
"""

from __future__ import annotations

from dataclasses import dataclass


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
    # The views whose footer shows it, when not all of ``views``: in the others it works unlisted, under
    # the action ``quiet_<action>`` (Textual enables a binding by its action's name, not by view).
    footer_views: tuple[str, ...] | None = None


OVERVIEW, METRICS, EVALS = "overview", "metrics", "evals"
VIEWS: tuple[str, ...] = (OVERVIEW, METRICS, EVALS)
_M = (METRICS,)
_C = (OVERVIEW, METRICS, EVALS)  # the views with chart controls (listed in the metrics view's footer only)
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
    # The evaluations view's table keeps PgDn / PgUp: n / N turn its row of charts.
    Key("n", "chart_page(1)", ("", ""), ("the next eval charts", "下一组评估图表"), views=(EVALS,)),
    Key("N", "chart_page(-1)", ("", ""), ("the previous eval charts", "上一组评估图表"), views=(EVALS,)),
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
    Key(
        "l",
        "log_scale(False)",
        ("Log", "对数"),
        ("log scale on / off", "对数刻度 开 / 关"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "L",
        "log_scale(True)",
        ("", ""),
        ("log scale for every chart", "所有图表的对数刻度"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "m",
        "smoothing(False)",
        ("Smooth", "平滑"),
        ("smoothing: off, EMA 0.6, 0.9, 0.99", "平滑: 关, EMA 0.6, 0.9, 0.99"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "M",
        "smoothing(True)",
        ("", ""),
        ("smoothing for every chart", "所有图表的平滑"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "x",
        "x_axis(False)",
        ("X-axis", "横轴"),
        ("x-axis: step, epoch, wall time, tokens seen", "横轴: 步数, 轮次, 时间, 已见词元"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "X", "x_axis(True)", ("", ""), ("x-axis for every chart", "所有图表的横轴"), views=_C, footer_views=_M
    ),
    Key(
        "z",
        "zoom(1)",
        ("Zoom", "缩放"),
        ("zoom in: the last half of the run (or the mouse wheel)", "放大: 训练的后一半 (或鼠标滚轮)"),
        views=_C,
        footer_views=_M,
    ),
    Key("Z", "zoom(-1)", ("", ""), ("zoom out", "缩小"), views=_C, footer_views=_M),
    Key(
        "plus,equals_sign",
        "zoom_every(1)",
        ("", ""),
        ("zoom every chart in", "放大所有图表"),
        display="+",
        views=_C,
        footer_views=_M,
    ),
    Key(
        "minus",
        "zoom_every(-1)",
        ("", ""),
        ("zoom every chart out", "缩小所有图表"),
        display="-",
        views=_C,
        footer_views=_M,
    ),
    Key(
        "o",
        "robust(False)",
        ("", ""),
        ("y-range ignoring outliers (1st-99th percentile) on / off", "忽略离群值的纵轴范围 (1%-99%) 开 / 关"),
        views=_C,
        footer_views=_M,
    ),
    Key(
        "O",
        "robust(True)",
        ("", ""),
        ("y-range ignoring outliers for every chart", "所有图表忽略离群值"),
        views=_C,
        footer_views=_M,
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
    Key(
        "a",
        "alerts",
        ("", ""),  # the footer is full at 80 columns: the info bar's counts, the help and the palette say it
        ("the alerts, newest first, with step and time", "警报 (最新在前, 含步数和时间)"),
        command="Alerts",
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
