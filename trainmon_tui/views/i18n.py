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
    "resources": ("Resources", "资源占用"),
    "resources_at": ("Resources @ {step}", "资源占用 @ {step}"),
    "sys_rss": ("RSS", "进程内存"),
    "sys_process": ("Process", "训练进程"),
    "sys_workers": ("Workers", "数据加载进程"),
    "host": ("This host", "本机"),
    "host_mem": ("Mem", "内存"),
    "host_waiting": ("Reading this host…", "正在读取本机…"),
    "no_gpu": ("No GPU ({why})", "无 GPU（{why}）"),
    "no_gpu_short": ("no GPU", "无 GPU"),
    "no_driver": ("no NVIDIA driver", "无 NVIDIA 驱动"),
    "no_nvml": ("nvidia-ml-py not installed", "未安装 nvidia-ml-py"),
    "sys_cpu": ("CPU", "CPU"),
    "sys_util": ("util", "利用率"),
    "sys_memory": ("memory", "显存"),
    "sys_reserved": ("reserved", "已预留"),
    "sys_temp": ("temperature", "温度"),
    "sys_power": ("power", "功率"),
    "sys_peak": (" (peak {value})", "（峰值 {value}）"),
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
    "pngs_saved": ("{n} PNGs saved, the last: {path}", "已保存 {n} 个 PNG, 最后一个: {path}"),
    "png_not_saved": ("PNG not saved: {reason}", "PNG 未保存: {reason}"),
    "png_delivered": ("PNG sent to the browser: {name}", "PNG 已发送到浏览器: {name}"),
    "png_needs_browser": ("PNG not saved: this session is in no browser", "PNG 未保存: 此会话不在浏览器中"),
    "serve_starting": ("Starting the dashboard of {name}…", "正在启动 {name} 的仪表盘…"),
    "serve_ended": ("Session ended.", "会话已结束。"),
    "serve_reopen": ("Open it again", "重新打开"),
    "serve_busy": (
        "All {n} dashboard sessions of this server are in use. Close one of their tabs: "
        "this page tries again every {seconds} seconds.",
        "此服务器的 {n} 个仪表盘会话都在使用中。请关闭其中一个标签页：本页每 {seconds} 秒重试一次。",
    ),
    "serve_refused": (
        "Forbidden: this dashboard needs its token. Open the URL the server printed.",
        "禁止访问：此仪表盘需要令牌。请打开服务器输出的网址。",
    ),
    "nothing_to_save": ("Nothing to save yet: no checkpoint is shown.", "尚无可保存的内容: 没有显示检查点。"),
    "pinned_gone": (
        "{name} was deleted: following the latest checkpoint",
        "{name} 已被删除: 改为跟随最新检查点",
    ),
    "events_title": ("Recent events", "最近事件"),
    "help_title": ("trainmon-tui keys", "trainmon-tui 按键"),
    "help_close": ("escape or ? to close", "按 escape 或 ? 关闭"),
    "follow_latest": ("follow latest", "跟随最新"),
    "info_step": ("step", "步数"),  # the info bar: "checkpoint-500  step 500" (scripts and tests read it)
    "folder_not_created": ("(folder not created yet)", "(文件夹尚未创建)"),
    "file_not_state": ("(a file, not a trainer state)", "(是文件, 不是训练状态)"),
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
    "n_evals": ("{n} {n:evaluation|evaluations}, {k} {k:metric|metrics}", "{n} 次评估, {k} 个指标"),
    "eval_charts_of": ("charts {first}–{last} of {n} (n / N)", "图表 {first}–{last} / {n} (n / N)"),
    "best_value": ("best of its column", "该列最佳"),
    "best_checkpoint_at": ("best checkpoint (step {step})", "最佳检查点 (第 {step} 步)"),
    # Alerts (trainmon_tui/health): one line each, the step where the episode began
    "alert_nan_loss": (
        "Loss is {v} at step {step} ({n} non-finite since)",
        "第 {step} 步损失为 {v} (此后共 {n} 个非有限值)",
    ),
    "alert_nan_grad": (
        "Grad norm is {v} at step {step} ({n} non-finite since)",
        "第 {step} 步梯度范数为 {v} (此后共 {n} 个非有限值)",
    ),
    "alert_spike": (
        "Loss spike at step {step}: {v}, recent median {m}",
        "第 {step} 步损失突增: {v}, 近期中位数 {m}",
    ),
    "alert_grad": (
        "Grad norm exploded at step {step}: {v}, recent median {m}",
        "第 {step} 步梯度范数爆炸: {v}, 近期中位数 {m}",
    ),
    "alert_grad_max": (
        "Grad norm exploded at step {step}: {v}, above {m}",
        "第 {step} 步梯度范数爆炸: {v}, 超过 {m}",
    ),
    "alert_divergence": (
        "Loss diverging at step {step}: the smoothed loss rose {n} logs in a row, {a} → {b}",
        "第 {step} 步损失发散: 平滑损失连续 {n} 次上升, {a} → {b}",
    ),
    "alert_overfitting": (
        "Overfitting at step {step}: eval loss up {n} evaluations in a row ({a} → {b}), training loss down",
        "第 {step} 步过拟合: 验证损失连续 {n} 次上升 ({a} → {b}), 训练损失下降",
    ),
    "alert_lr_zero": (
        "Learning rate is 0 at step {step} with {n} steps left: check the scheduler",
        "第 {step} 步学习率为 0, 还剩 {n} 步: 请检查学习率调度",
    ),
    "alert_zero_loss": (
        "Loss exactly 0 for {n} logs (step {step}): check the labels and the loss",
        "损失连续 {n} 次恰好为 0 (第 {step} 步): 请检查标签和损失函数",
    ),
    "alert_gpu_full": (
        "GPU {gpu} memory {pct}% full since step {since} (step {step}): out of memory soon",
        "GPU {gpu} 显存自第 {since} 步起已用 {pct}% (第 {step} 步): 即将显存不足",
    ),
    "alert_input_bound": (
        "GPUs under {u}% busy since step {since} while steps advance (step {step}): input-bound?",
        "自第 {since} 步起 GPU 利用率低于 {u}% 而训练仍在推进 (第 {step} 步): 可能受数据输入限制",
    ),
    "alert_rss": (
        "Training process memory grew {a} → {b} GiB since step {since} (step {step}): a leak?",
        "训练进程内存自第 {since} 步起从 {a} 增长到 {b} GiB (第 {step} 步): 可能内存泄漏",
    ),
    "alert_stalled": ("No new log for {m} min (step {step})", "已 {m} 分钟没有新日志 (第 {step} 步)"),
    "alert_gone": (
        "The training process (pid {pid}) is gone without finishing (step {step})",
        "训练进程 (pid {pid}) 未完成即已退出 (第 {step} 步)",
    ),
    "alert_finished": ("Training finished at step {step}", "训练已在第 {step} 步完成"),
    "sev_info": ("info", "信息"),
    "sev_warning": ("warning", "警告"),
    "sev_critical": ("critical", "严重"),
    "alerts_title": ("Alerts (newest first)", "警报 (最新在前)"),
    "no_alerts": ("No alert so far.", "目前没有警报。"),
    "alert_cleared": ("cleared", "已解除"),
    "healthy": ("healthy: no alert of severity warning or above", "健康: 没有警告或更严重的警报"),
    "on_alert_failed": ("--on-alert failed: {reason}", "--on-alert 执行失败: {reason}"),
    "on_alert_held": (
        "--on-alert not run for {kind}: it ran for that kind less than a minute ago",
        "--on-alert 未为 {kind} 执行: 该类警报一分钟内已执行过",
    ),
    "alert_over": ("over: {message}", "已解除: {message}"),
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


class _Count(int):
    """A whole-number label argument: ``{n:evaluation|evaluations}`` says the first for 1, the second for
    any other count (English plurals; Chinese labels have none)."""

    def __format__(self, spec: str) -> str:
        if "|" in spec:
            one, many = spec.split("|", 1)
            return one if self == 1 else many
        return super().__format__(spec)


def t(key: str, lang: Lang = "en", **kwargs: object) -> str:
    """The label ``key`` in ``lang``, formatted with ``kwargs`` (integers with plural forms, see
    :class:`_Count`)."""
    en, zh = LABELS[key]
    text = zh if lang == "zh" else en
    counts = {name: _Count(v) if type(v) is int else v for name, v in kwargs.items()}
    return text.format(**counts) if kwargs else text
