"""The task inbox (待办): one indexed query over the human-task projection."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from engine.models import HumanTask
from engine.runtime import Actor

MAX_PAGE = 500

# Orders an inbox can be listed in; tasks without a due time come last by due.
SORTS = {
    "due": (HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at),
    "-due": (HumanTask.due_at.is_(None), HumanTask.due_at.desc(), HumanTask.created_at),
    "created": (HumanTask.created_at,),
    "-created": (HumanTask.created_at.desc(),),
}


@dataclass(frozen=True)
class InboxPage:
    """One page of an inbox and how many tasks match in all."""

    tasks: list[HumanTask]
    total: int


def inbox(
    session: Session,
    actor: Actor,
    *,
    step_id: str | None = None,
    business_key: str | None = None,
    overdue: bool | None = None,
    sort: str = "due",
    limit: int = 50,
    offset: int = 0,
) -> InboxPage:
    """Open tasks assigned to ``actor`` or unclaimed in one of their groups.

    By default ordered by due time (tasks without one last), then oldest first,
    so the most urgent work leads; ``sort`` names another order of ``SORTS``.
    ``total`` tells how many pages there are.
    """
    query = _mine_or_claimable(actor)
    if step_id:
        query = query.where(HumanTask.step_id == step_id)
    if business_key:
        query = query.where(HumanTask.business_key == business_key)
    if overdue is not None:
        query = query.where(HumanTask.overdue.is_(overdue))

    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(*SORTS.get(sort, SORTS["due"]), HumanTask.id)
    page = page.limit(max(1, min(limit, MAX_PAGE))).offset(max(0, offset))
    return InboxPage(list(session.scalars(page)), total)


def _mine_or_claimable(actor: Actor) -> Select[HumanTask]:
    mine = HumanTask.assignee == actor.username
    claimable = and_(
        HumanTask.assignee.is_(None), HumanTask.candidate_group.in_(actor.groups)
    )
    open_tasks = select(HumanTask).where(HumanTask.state == HumanTask.OPEN)
    return open_tasks.where(or_(mine, claimable))


def first_open_task(
    session: Session, instance_id: int, actor: Actor
) -> HumanTask | None:
    """The oldest open task of an instance that ``actor`` may work, if any.

    After starting an instance for someone, this is the step they fill in next.
    """
    query = (
        _mine_or_claimable(actor)
        .where(HumanTask.instance_id == instance_id)
        .order_by(HumanTask.created_at, HumanTask.id)
        .limit(1)
    )
    return session.scalar(query)


def open_step(session: Session, instance_id: int, step_id: str) -> HumanTask | None:
    """The open task of step ``step_id`` in an instance, if there is one."""
    return session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id,
            HumanTask.step_id == step_id,
            HumanTask.state == HumanTask.OPEN,
        )
    )
