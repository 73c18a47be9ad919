"""The timeline of an appeal in plain Chinese, drawn from the audit trail.

The public timeline names steps, departments and decisions but never a person or
the appellant's contact data; staff see the actor and comments as well. The same
trail gives every result the platform published (答复发布), round by round, with
the rating it got: an appeal sent back by a dissatisfied rating or call (重办)
keeps its earlier results for the appellant to read.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
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


@dataclass(frozen=True)
class PublishedResult:
    """One result the platform published (第N轮办理结果) and how it was rated."""

    round: int
    text: str
    published_at: datetime
    # The appellant's rating (满意度评价) and the follow-up call's (回访评价).
    rating: str | None = None
    call_rating: str | None = None


@dataclass(frozen=True)
class History:
    """An appeal's timeline and its published results, from one read of the trail."""

    events: list[Event]
    results: list[PublishedResult]


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


def migration_text(entry: AuditEntry) -> str:
    """A migration of the flow to a newer version (流程迁移), in plain Chinese."""
    values: dict[str, Any] = entry.values or {}
    old, new = values.get("from_version"), values.get("to_version")
    return f"流程由第 {old} 版迁移到第 {new} 版（{entry.actor}）"


def timeline(session: Session, number: str, *, staff: bool = False) -> list[Event]:
    """Every step of appeal ``number`` so far, oldest first.

    Staff also see the platform's own work on the flow (migrations); the
    appellant's timeline shows only what was done about the appeal.
    """
    entries = audit.trail(session, number)
    return _events(entries, department_names(session), staff=staff)


def history(session: Session, number: str) -> History:
    """The timeline and the published results of appeal ``number``, oldest first."""
    entries = audit.trail(session, number)
    names = department_names(session)
    return History(_events(entries, names), published_results(entries))


def migrations(session: Session, instance_id: int) -> list[Event]:
    """Every migration of one process instance, oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.instance_id == instance_id, AuditEntry.action == "migrate")
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return [
        Event(entry.at, migration_text(entry), None, entry.actor, None)
        for entry in session.scalars(query)
    ]


def _events(
    entries: list[AuditEntry], names: dict[str, str], *, staff: bool = False
) -> list[Event]:
    events = []
    for entry in entries:
        if entry.action == "migrate":
            text = migration_text(entry) if staff else None
        else:
            text = _describe(entry, names)
        if text:
            # A step's own comment field (审核意见, 评价意见) tells the next person
            # why, e.g. why the enterprise was dissatisfied: staff see it.
            comment = entry.comment or (entry.values or {}).get("comment")
            events.append(Event(entry.at, text, entry.step_id, entry.actor, comment))
    return events


def published_results(entries: list[AuditEntry]) -> list[PublishedResult]:
    """Each result published in this trail, with the ratings that followed it.

    The flow publishes the lead department's latest reply (``result = reply`` in
    ``workflows/appeal.bpmn``) when the reviewer approves it; a rating or a
    follow-up call belongs to the result published before it. Imported appeals
    have no such steps: their result is only on the appeal row. Known
    shortcoming: the steps and fields are read by their ids in that file, so a
    process version that renames ``handle_appeal``, ``review_reply`` or their
    ``reply``/``decision`` fields, or publishes something other than the reply,
    shows no earlier results (or the reply instead of what was published) to
    the appellant; the result in force, from the appeal row, is still right.
    """
    results: list[PublishedResult] = []
    reply: str | None = None
    for entry in entries:
        if entry.action != "complete":
            continue
        values: dict[str, Any] = entry.values or {}
        if entry.step_id == "handle_appeal" and values.get("decision") == "reply":
            reply = values.get("reply") or None
        elif entry.step_id == "review_reply" and values.get("decision") == "publish":
            round_ = len(results) + 1
            results.append(PublishedResult(round_, reply or "", entry.at))
        elif entry.step_id == "rate_result" and results:
            rating = values.get("rating") or None
            results[-1] = replace(results[-1], rating=rating)
        elif entry.step_id == "follow_up" and results:
            call = values.get("call_rating") or None
            results[-1] = replace(results[-1], call_rating=call)
    return results
