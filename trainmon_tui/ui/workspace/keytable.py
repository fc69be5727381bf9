"""The workspace's keys, in the dashboard's key table format (:class:`~trainmon_tui.ui.keytable.Key`).

The workspace of runs is an app of its own with keys of its own (their actions named apart from the
dashboard's, whose views the help screen would look up); a run's dashboard opened from it has one key
more (:data:`BACK_KEYS`). :func:`trainmon_tui.ui.keys.bindings` makes the bindings of either table.
"""

from __future__ import annotations

from trainmon_tui.ui.keytable import OVERVIEW, Key

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
