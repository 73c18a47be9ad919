"""Facts of the appeal flow that the evaluation reports count (服务评价, clause 6).

The appeal listener (``service.follow_instance``) calls ``record`` after every
write of an appeal's flow, so that each fact is recorded once, when it happens:

- on the appeal row: the latest dispatch with its lead department and acceptance
  deadline, the lead department's acceptance, the moment handling finished with
  the deadline then in force (extensions included) and its length in working
  days, and the follow-up call;
- as ``AppealEvent`` rows: each approved extension (延期), hand-back (退回) and
  reopening after dissatisfaction (重办).

The reports read these; nobody keeps a count by hand. Known shortcoming:
appeals that went through the flow before these facts were recorded have none
(no back-fill from the audit trail), so they count as received but neither
dispatched nor completed.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.appeals.models import Appeal
from engine.calendar import default_calendar
from engine.clock import now
from engine.db import Base, UTCDateTime
from engine.models import HumanTask

logger = logging.getLogger(__name__)

# Statuses after the lead department has finished handling.
_FINISHED = {"reviewing", "terminated"}
_RATED = {"published", "following_up"}
FOLLOWING_UP = "following_up"

EXTENSION = "extension"
HAND_BACK = "hand_back"
REOPEN = "reopen"


class AppealEvent(Base):
    """One extension, hand-back or reopening of an appeal, when it happened."""

    __tablename__ = "appeal_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    # The department concerned: who handed back, whose deadline moved.
    department: Mapped[str | None] = mapped_column(String(50))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


def _moment(value: Any) -> datetime | None:
    """A time from the flow's data (ISO text with its offset), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def record(
    session: Session,
    appeal: Appeal,
    old: str,
    new: str,
    data: dict[str, Any],
    moment: datetime,
) -> None:
    """Record what this write of the flow means for the reports.

    ``old`` and ``new`` are the business statuses before and after the write.
    """
    if old != new:
        _transition(session, appeal, old, new, data, moment)
    elif new == "handling":
        due = _moment(data.get("handling_due"))
        previous = appeal.handling_due_at
        if previous is not None and due is not None and due > previous:
            _event(session, appeal, EXTENSION, appeal.lead_department, moment)
    if new == "handling":
        # The deadline in force moves with approved extensions and reopenings;
        # once handling is finished it stays as it was then.
        appeal.handling_due_at = _moment(data.get("handling_due"))
        if appeal.accepted_at is None:
            appeal.accepted_at = _lead_acceptance(session, appeal)


def _transition(
    session: Session,
    appeal: Appeal,
    old: str,
    new: str,
    data: dict[str, Any],
    moment: datetime,
) -> None:
    if new == "handling" and old == "submitted":
        # A (new) dispatch: the previous round's acceptance no longer counts.
        appeal.lead_department = data.get("lead_department") or None
        appeal.dispatched_at = _moment(data.get("dispatched_at")) or moment
        appeal.accept_due_at = _moment(data.get("accept_due"))
        appeal.accepted_at = None
        appeal.finished_at = None
        appeal.handling_days = None
    if new == "submitted" and old == "handling":
        backs = [
            item.get("department")
            for item in data.get("acceptances") or []
            if isinstance(item, dict) and item.get("decision") == "hand_back"
        ]
        for department in backs or [appeal.lead_department]:
            _event(session, appeal, HAND_BACK, department, moment)
    if new == "handling" and old in _RATED:
        _event(session, appeal, REOPEN, appeal.lead_department, moment)
    if new in _FINISHED and old == "handling":
        appeal.finished_at = moment
        appeal.handling_due_at = _moment(data.get("handling_due"))
        if appeal.dispatched_at is not None:
            days = default_calendar().working_days_between(appeal.dispatched_at, moment)
            appeal.handling_days = round(days, 4)
    if old == FOLLOWING_UP:
        appeal.followup_at = moment
        appeal.followup_outcome = data.get("call_outcome") or None
        appeal.followup_rating = data.get("call_rating") or None


def _event(
    session: Session,
    appeal: Appeal,
    kind: str,
    department: str | None,
    moment: datetime,
) -> None:
    event = AppealEvent(
        appeal_id=appeal.id, kind=kind, department=department, at=moment
    )
    session.add(event)
    logger.info("appeal %s: %s (%s)", appeal.number, kind, department)


def _lead_acceptance(session: Session, appeal: Appeal) -> datetime | None:
    """When the lead department accepted the latest dispatch, if it has."""
    if appeal.instance_id is None or appeal.dispatched_at is None:
        return None
    return session.scalar(
        select(HumanTask.completed_at)
        .where(
            HumanTask.instance_id == appeal.instance_id,
            HumanTask.step_id == "accept_appeal",
            HumanTask.candidate_group == appeal.lead_department,
            HumanTask.state == HumanTask.COMPLETED,
            HumanTask.created_at >= appeal.dispatched_at,
        )
        .order_by(HumanTask.completed_at.desc())
        .limit(1)
    )
