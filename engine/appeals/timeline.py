"""The timeline of an appeal in plain Chinese, drawn from the audit trail.

The public timeline names steps, departments and decisions but never a person or
the appellant's contact data; staff see the actor and comments as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.appeals.models import RATINGS
from engine.directory import department_names
from engine.models import AuditEntry


@dataclass(frozen=True)
class Event:
    """One line of the timeline."""

    at: datetime
    text: str
    step_id: str | None
    actor: str
    comment: str | None


def _names(codes: list[str], names: dict[str, str]) -> str:
    return "、".join(names.get(code, code) for code in codes)


def _describe(entry: AuditEntry, names: dict[str, str]) -> str | None:
    values: dict[str, Any] = entry.values or {}
    decision = values.get("decision")
    group = names.get(entry.candidate_group or "", entry.candidate_group or "")
    step = entry.step_name or entry.step_id or ""

    if entry.action == "start":
        return "诉求已提交，等待平台研判"
    if entry.action == "import":
        return "历史诉求导入：已答复并办结"
    if entry.action == "urge":
        return f"平台已催办“{step}”"
    if entry.action == "transfer":
        return f"“{step}”已转交 {group} 的其他工作人员办理"
    if entry.action != "complete":
        return None
    if entry.step_id == "triage":
        if decision == "return":
            return f"平台研判后退回诉求：{values.get('reason') or ''}"
        lead_code = values.get("lead_department") or ""
        lead = names.get(lead_code, lead_code)
        co_codes = [c for c in values.get("co_departments") or [] if c != lead_code]
        co = _names(co_codes, names)
        return f"平台已转派：主办 {lead}" + (f"，协办 {co}" if co else "")
    if entry.step_id == "accept_appeal":
        if decision == "hand_back":
            return f"{group} 认为不属本部门职责，退回平台重新研判"
        return f"{group} 已签收"
    if entry.step_id == "contribute":
        return f"{group} 已提交协办意见"
    if entry.step_id == "handle_appeal":
        if decision == "extend":
            return f"{group} 申请延期 {values.get('extension_days')} 个工作日"
        if decision == "terminate":
            return f"{group} 终止办理：{values.get('reason') or ''}"
        return f"{group} 已答复，等待平台审核"
    if entry.step_id == "file_extension":
        return "平台已备案延期申请" if decision == "approve" else "平台不同意延期"
    if entry.step_id == "review_reply":
        return (
            "平台审核通过，答复已发布"
            if decision == "publish"
            else "平台审核退回，部门重新办理"
        )
    if entry.step_id == "rate_result":
        label = RATINGS.get(values.get("rating") or "", "")
        suffix = "，诉求重新办理" if values.get("rating") == "dissatisfied" else ""
        return f"服务对象评价：{label}{suffix}"
    if entry.step_id == "follow_up":
        label = RATINGS.get(values.get("call_rating") or "", "")
        return f"平台已回访：{label}" if label else "平台回访未能联系上服务对象"
    return f"{step} 已完成"


def timeline(session: Session, number: str) -> list[Event]:
    """Every step of appeal ``number`` so far, oldest first."""
    names = department_names(session)
    events = []
    for entry in audit.trail(session, number):
        text = _describe(entry, names)
        if text:
            # A step's own comment field (审核意见, 评价意见) tells the next person
            # why, e.g. why the enterprise was dissatisfied: staff see it.
            comment = entry.comment or (entry.values or {}).get("comment")
            events.append(Event(entry.at, text, entry.step_id, entry.actor, comment))
    return events
