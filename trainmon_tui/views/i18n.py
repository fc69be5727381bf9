"""Labels in English and in Chinese (the language of the original ``monitor_training_progress.py``)."""

from __future__ import annotations

import os
from typing import Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

LABELS: dict[str, tuple[str, str]] = {
    # key: (en, zh)
    "title": ("Training summary", "训练摘要"),
    "progress": ("Training progress", "训练进度"),
    "epoch": ("Epoch", "轮次"),
    "step": ("Step", "步数"),
    "loss_info": ("Loss", "损失信息"),
    "current": ("Current", "当前损失"),
    "min": ("Min", "最小损失"),
    "max": ("Max", "最大损失"),
    "mean": ("Mean", "平均损失"),
    "trend": ("Trend", "趋势"),
    "nonfinite": ("Non-finite", "非有限值"),
    "grad_nonfinite": ("Grad non-finite", "梯度非有限值"),
    "params": ("Training parameters", "训练参数"),
    "learning_rate": ("Learning rate", "学习率"),
    "grad_norm": ("Grad norm", "梯度范数"),
    "total_steps": ("Total steps", "总步数"),
    "total_epochs": ("Epochs", "总轮次"),
    "time": ("Time", "时间信息"),
    "checkpoint_time": ("Checkpoint time", "检查点时间"),
    "eval": ("Latest evaluation", "最新评估"),
    "eval_set": ("Eval set {name}", "评估集 {name}"),
    "final": ("Training result", "训练结果"),
    "train_loss": ("Mean loss", "平均损失"),
    "train_runtime": ("Runtime", "训练用时"),
    "total_flos": ("Total FLOs", "总浮点运算"),
    "best": ("Best checkpoint", "最佳检查点"),
    "best_short": ("Best", "最佳"),
    "eval_loss_at": ("Eval loss @{step}", "验证损失 @{step}"),
    "details": ("Details", "详细信息"),
    "best_metric": ("Best metric", "最佳指标"),
    "best_model_checkpoint": ("Best model", "最佳模型"),
    "down": ("↓ down", "↓ 下降"),
    "up": ("↑ up", "↑ 上升"),
    "flat": ("→ flat", "→ 持平"),
    "chart_loss": ("Training loss", "训练损失"),
    "chart_lr": ("Learning rate", "学习率"),
    "chart_lr_short": ("LR", "学习率"),
    "chart_grad_norm": ("Grad norm (log)", "梯度范数 (对数)"),
    "chart_hist": ("Loss histogram", "损失分布"),
    "chart_compare": ("Training loss by run", "训练损失对比"),
    "loss": ("loss", "损失"),
    "moving_average": ("moving avg", "移动平均"),
    "eval_loss": ("eval loss", "验证损失"),
    "legend_avg": ("avg", "均值"),
    "legend_eval": ("eval", "验证"),
    "count": ("count", "次数"),
    "no_data": ("no data", "无数据"),
    "no_checkpoint": ("No readable checkpoint in {path}.", "在 {path} 中没有找到可读的检查点。"),
    "hint_ran": (
        "Check that training has run and saved at least one checkpoint.",
        "请确认训练已经运行并至少保存了一个检查点。",
    ),
    "hint_path": ("Check that the path is right.", "请确认路径是否正确。"),
    "hint_file": (
        "Check that the folder holds checkpoint-N/trainer_state.json (or trainer_state.json).",
        "请确认该文件夹包含 checkpoint-N/trainer_state.json (或 trainer_state.json)。",
    ),
    "skipped": ("skipped", "已跳过"),
    "waiting": ("Waiting for the first checkpoint in {path} ...", "正在等待 {path} 中的第一个检查点……"),
    "finished": ("Training finished", "训练完成"),
    "speed": ("Speed", "速度"),
    "steps_per_second": ("Steps/s", "步/秒"),
    "tokens_per_second": ("Tokens/s", "词元/秒"),
    "samples_per_second": ("Samples/s", "样本/秒"),
    "elapsed": ("Elapsed", "已用时间"),
    "eta": ("ETA", "剩余时间"),
    "status": ("Status", "状态"),
    "stalled": ("STALLED", "已停滞"),
    "last_update": ("Last update", "上次更新"),
    "ago": ("{duration} ago", "{duration} 前"),
    "next_checkpoint": ("Next checkpoint", "下一个检查点"),
    # The dashboard's messages
    "new_checkpoint": ("New {name} (step {step})", "新检查点 {name} (第 {step} 步)"),
    "new_checkpoints": ("New checkpoints {first}–{last} ({n})", "新检查点 {first}–{last} (共 {n} 个)"),
    "png_saved": ("PNG saved: {path}", "PNG 已保存: {path}"),
    "png_not_saved": ("PNG not saved: {reason}", "PNG 未保存: {reason}"),
    "nothing_to_save": ("Nothing to save yet: no checkpoint is shown.", "尚无可保存的内容: 没有显示检查点。"),
    "pinned_gone": (
        "{name} was deleted: following the latest checkpoint",
        "{name} 已被删除: 改为跟随最新检查点",
    ),
    "nonfinite_newest": (
        "{name}: the newest {what} is not finite (NaN/inf)",
        "{name}: 最新的 {what} 不是有限值 (NaN/inf)",
    ),
    "and": (" and ", "和"),
    "events_title": ("Recent events", "最近事件"),
    "help_title": ("trainmon-tui keys", "trainmon-tui 按键"),
    "help_close": ("escape or ? to close", "按 escape 或 ? 关闭"),
    "follow_latest": ("follow latest", "跟随最新"),
    "info_step": ("step", "步数"),  # the info bar: "checkpoint-500  step 500" (scripts and tests read it)
    "folder_not_created": ("(folder not created yet)", "(文件夹尚未创建)"),
    "waiting_for_folder": ("waiting for folder", "等待文件夹"),
    "pinned": ("[pinned]", "[已固定]"),
    "n_skipped": ("⚠ {n} skipped", "⚠ 已跳过 {n} 个"),
    "no_events": ("Nothing has happened yet.", "尚无事件。"),
    "close_hint": ("escape to close", "按 escape 关闭"),
    # The views (tabs) and what the metrics and evaluations views say
    "view_overview": ("Overview", "概览"),
    "view_metrics": ("Metrics", "指标"),
    "view_evals": ("Evaluations", "评估"),
    "page_of": ("page {i} of {k}", "第 {i} / {k} 页"),
    "n_charts": ("{n} of {total} charts", "{n} / {total} 张图表"),
    "filter_is": ("filter: ", "筛选: "),
    "filter_hint": (
        "filter: substrings or globs, any term (escape clears)",
        "筛选: 子串或通配符, 任一项 (escape 清除)",
    ),
    "no_match": ("no chart matches the filter", "没有图表匹配筛选"),
    "no_metrics": ("no series logged at two steps yet", "尚无记录了两个以上步数的序列"),
    "preparing": ("preparing ...", "准备中……"),
    "no_evals": ("No evaluation logged yet.", "尚无评估记录。"),
    "n_evals": ("{n} evaluations, {k} metrics", "{n} 次评估, {k} 个指标"),
    "best_value": ("best of its column", "该列最佳"),
    "best_checkpoint_at": ("best checkpoint (step {step})", "最佳检查点 (第 {step} 步)"),
    # the workspace of runs (trainmon-tui PARENT)
    "ws_col_run": ("run", "运行"),
    "ws_col_status": ("status", "状态"),
    "ws_col_step": ("step", "步数"),
    "ws_col_pct": ("%", "%"),
    "ws_col_loss": ("loss", "损失"),
    "ws_col_best_loss": ("best loss", "最佳损失"),
    "ws_col_best_eval": ("best eval", "最佳评估"),
    "ws_col_eta": ("ETA", "剩余时间"),
    "ws_col_updated": ("updated", "更新"),
    "ws_running": ("running", "运行中"),
    "ws_finished": ("finished", "已完成"),
    "ws_stalled": ("stalled", "停滞"),
    "ws_waiting": ("waiting", "等待中"),
    "ws_unreadable": ("unreadable", "无法读取"),
    "ws_gone": ("gone", "已删除"),
    "ws_ago": ("{time} ago", "{time} 前"),
    "ws_nan": ("{n} NaN", "{n} 个 NaN"),
    "ws_chart_loss": ("Training loss (smoothed)", "训练损失 (平滑)"),
    "ws_chart_eval": ("Eval loss", "评估损失"),
    "ws_chart_lr": ("Learning rate", "学习率"),
    "ws_chart_grad": ("Grad norm", "梯度范数"),
    "ws_title": ("{n} runs in {path}", "{path} 中的 {n} 个运行"),
    "ws_status_line": (
        "{shown} of {n} runs shown, {selected} selected, sorted by {column}",
        "显示 {n} 个运行中的 {shown} 个, 已选 {selected} 个, 按 {column} 排序",
    ),
    "ws_filter": (
        "filter runs: name, status or a value (escape clears)",
        "筛选运行: 名称、状态或数值 (escape 清除)",
    ),
    "ws_none_selected": ("select runs with space to overlay them", "按空格选择运行以叠加显示"),
    "ws_no_runs": ("No runs found under {path}", "{path} 下未找到运行"),
    "ws_looking": ("Looking for runs under {path} ...", "正在查找 {path} 下的运行……"),
    "ws_png_title": ("{n} runs in {path}", "{path} 中的 {n} 个运行"),
    "ws_saved": ("saved: {path}", "已保存: {path}"),
    "ws_gone_run": ("{name} is gone", "{name} 已被删除"),
    "ws_new_run": ("new run: {name}", "新运行: {name}"),
    # --list-metrics' columns
    "list_key": ("key", "指标"),
    "list_count": ("points", "点数"),
    "list_nonfinite": ("nan/inf", "非有限"),
    "list_steps": ("steps", "步"),
    "list_last": ("last", "最新"),
    "list_min": ("min", "最小"),
    "list_max": ("max", "最大"),
}


def default_lang() -> Lang:
    """Chinese when the locale says so (``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with zh)."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def t(key: str, lang: Lang = "en", **kwargs: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``kwargs``."""
    en, zh = LABELS[key]
    text = zh if lang == "zh" else en
    return text.format(**kwargs) if kwargs else text
