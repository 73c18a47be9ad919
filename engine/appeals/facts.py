"""Facts of the appeal flow that the evaluation reports count (服务评价, clause 6).

The appeal listener (``service.follow_instance``) calls these after every write of
an appeal's flow, so that each fact is recorded once, when it happens: the latest
dispatch with its lead department and deadlines, the lead department's acceptance,
the moment handling finished with the deadline then in force (extensions
included), and the follow-up call. The reports read these columns and the audit
trail; nobody keeps a count by hand.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.appeals.models import Appeal
from engine.models import HumanTask

logger = logging.getLogger(__name__)

# Statuses after the lead department has finished handling.
_FINISHED = {"reviewing", "terminated"}
FOLLOWING_UP = "following_up"


def _moment(value: Any) -> datetime | None:
    """A time from the flow's data (ISO text with its offset), or None."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def record_transition(
    session: Session,
    appeal: Appeal,
    old: str,
    new: str,
    data: dict[str, Any],
    moment: datetime,
) -> None:
    """Record what a change of business status means for the reports."""
    if new == "handling" and old == "submitted":
        # A (new) dispatch: the previous round's acceptance no longer counts.
        appeal.lead_department = data.get("lead_department") or None
        appeal.dispatched_at = _moment(data.get("dispatched_at")) or moment
        appeal.accept_due_at = _moment(data.get("accept_due"))
        appeal.accepted_at = None
        appeal.finished_at = None
        logger.info(
            "appeal %s: dispatched to %s", appeal.number, appeal.lead_department
        )
    if new in _FINISHED and old == "handling":
        appeal.finished_at = moment
        appeal.handling_due_at = _moment(data.get("handling_due"))
    if old == FOLLOWING_UP:
        appeal.followup_at = moment
        appeal.followup_outcome = data.get("call_outcome") or None
        appeal.followup_rating = data.get("call_rating") or None
        logger.info(
            "appeal %s: follow-up call recorded (%s)",
            appeal.number,
            appeal.followup_outcome,
        )


def record_progress(session: Session, appeal: Appeal, data: dict[str, Any]) -> None:
    """Record facts that do not change the status: deadlines and the acceptance."""
    if appeal.finished_at is None or appeal.status == "handling":
        # The deadline in force moves with approved extensions and reopenings;
        # once handling is finished it stays as it was then.
        due = _moment(data.get("handling_due"))
        if due is not None:
            appeal.handling_due_at = due
    dispatched = appeal.status != "submitted"
    if dispatched and appeal.lead_department and appeal.accepted_at is None:
        appeal.accepted_at = _lead_acceptance(session, appeal)


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
