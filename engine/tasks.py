"""The task inbox (待办): one indexed query over the human-task projection."""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.models import HumanTask
from engine.runtime import Actor


def inbox(
    session: Session,
    actor: Actor,
    *,
    step_id: str | None = None,
    limit: int = 200,
) -> list[HumanTask]:
    """Open tasks assigned to ``actor`` or unclaimed in one of their groups."""
    mine = HumanTask.assignee == actor.username
    claimable = and_(
        HumanTask.assignee.is_(None), HumanTask.candidate_group.in_(actor.groups)
    )
    query = select(HumanTask).where(HumanTask.state == HumanTask.OPEN)
    query = query.where(or_(mine, claimable))
    if step_id:
        query = query.where(HumanTask.step_id == step_id)
    query = query.order_by(HumanTask.due_at.is_(None), HumanTask.due_at)
    query = query.order_by(HumanTask.created_at).limit(limit)
    return list(session.scalars(query))
