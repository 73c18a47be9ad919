"""Every indicator of the evaluation reports, named and defined once (指标口径).

The report page, the exports, the API and the documentation all show these
definitions; ``indicators`` computes exactly what they say.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    """One figure of the reports."""

    key: str
    name: str
    definition: str
    # "count", "rate" (a share between 0 and 1) or "days" (working days).
    kind: str = "count"
    # Whether the figure lists the appeals behind it (drill-down).
    drillable: bool = True


_ITEMS = [
    Indicator(
        "received",
        "受理诉求数",
        "统计期内提交的诉求件数（按提交时间，北京时间），含退回和未转派的诉求。",
    ),
    Indicator("dispatched", "转派件数", "受理诉求中已转派至主办部门的件数。"),
    Indicator(
        "completed",
        "办结数",
        "转派件中主办部门已答复且答复已发布（含已评价、回访中、已办结），"
        "或依法终止办理的件数。",
    ),
    Indicator(
        "completion_rate",
        "办结率",
        "办结数 ÷ 转派件数。",
        kind="rate",
        drillable=False,
    ),
    Indicator(
        "accepted_in_time",
        "1个工作日内签收数",
        "主办部门在最近一次转派后的签收期限（1个工作日，至当日24:00）内签收的件数。",
    ),
    Indicator(
        "on_time",
        "按时办结数",
        "办结件中，主办部门答复（送审）或终止的时间不晚于当时有效的办理期限的件数；"
        "期限按3个工作日（有协办部门5个），经备案同意的延期计入期限。",
    ),
    Indicator(
        "on_time_rate",
        "按时办结率",
        "按时办结数 ÷ 办结数。",
        kind="rate",
        drillable=False,
    ),
    Indicator(
        "overdue",
        "超期件数",
        "办结晚于办理期限的件数，加上尚在办理且已过办理期限的件数。",
    ),
    Indicator(
        "avg_days",
        "平均办理时长（工作日）",
        "办结件从最近一次转派到主办部门答复或终止所经过的工作日时长的平均值，"
        "只计工作日（含调休上班日）内的时间。",
        kind="days",
        drillable=False,
    ),
    Indicator(
        "p90_days",
        "办理时长90分位（工作日）",
        "同上时长的第90百分位数（最近秩法）：九成办结件的办理时长不超过此值。",
        kind="days",
        drillable=False,
    ),
    Indicator(
        "extensions",
        "延期次数",
        "经平台备案同意的延期申请次数（一件诉求可多次延期）。",
    ),
    Indicator(
        "hand_backs",
        "部门退回次数",
        "部门以非本部门职责退回平台的次数，计入诉求最终的主办部门。",
    ),
    Indicator("terminated", "终止件数", "主办部门依法终止办理的件数。"),
    Indicator(
        "rated",
        "评价件数",
        "有满意度评价的件数：服务对象自评，未自评的以回访评价为准。",
    ),
    Indicator("satisfied", "满意", "评价为“满意”的件数。"),
    Indicator("basically_satisfied", "基本满意", "评价为“基本满意”的件数。"),
    Indicator("dissatisfied", "不满意", "评价为“不满意”的件数。"),
    Indicator(
        "satisfaction_rate",
        "满意率",
        "（满意 + 基本满意）÷ 评价件数。",
        kind="rate",
        drillable=False,
    ),
    Indicator(
        "reopened",
        "不满意重办件数",
        "因服务对象评价或回访评价为“不满意”而重新办理过的件数。",
    ),
    Indicator(
        "published",
        "答复发布件数",
        "答复已发布的件数（回访率的分母）。",
    ),
    Indicator(
        "followed_up",
        "回访件数",
        "已完成回访的件数：发布后5个工作日未评价的全部回访，已评价的按每10件抽1件回访。",
    ),
    Indicator(
        "followup_rate",
        "回访率",
        "回访件数 ÷ 答复发布件数。",
        kind="rate",
        drillable=False,
    ),
]

INDICATORS: dict[str, Indicator] = {item.key: item for item in _ITEMS}

# What each rate divides, for the figures that are shares.
RATES = {
    "completion_rate": ("completed", "dispatched"),
    "on_time_rate": ("on_time", "completed"),
    "satisfaction_rate": ("satisfied_or_basic", "rated"),
    "followup_rate": ("followed_up", "published"),
}

# The kinds of scored evaluation by people outside the flow (clause 6.1).
ASSESSMENT_KINDS = {"third_party": "第三方评价", "expert": "专家评议"}
