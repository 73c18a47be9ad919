"""Firing due BPMN timers (定时器): the work of one sweep of the timer service.

Due timers are found with one indexed query on the pending-timer projection,
never by loading instances. Each instance with due timers is handled in its own
transaction: its row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
timer processes never take the same instance; SQLite's single writer does the
same there), every timer of it that is due fires, and the transaction commits.
Timers that fell due while the service was down fire on its next sweep, in due
order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import now
from engine.errors import Conflict, EngineError
from engine.models import PendingTimer, ProcessInstance
from engine.runtime import Runtime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    """What one sweep did."""

    instances: int
    fired: int
    failed: int


def due_instances(session: Session, moment: datetime, limit: int) -> list[int]:
    """Instances with a timer due at ``moment``, the longest overdue first.

    A range scan of the ``due_at`` index only (a GROUP BY would let the planner
    walk every pending timer); an instance with several due timers appears once.
    """
    query = (
        select(PendingTimer.instance_id)
        .where(PendingTimer.due_at <= moment)
        .order_by(PendingTimer.due_at)
    )
    instance_ids: dict[int, None] = {}
    for instance_id in session.scalars(query).yield_per(1000):
        instance_ids.setdefault(instance_id)
        if len(instance_ids) >= limit:
            break
    return list(instance_ids)


def sweep(
    sessions: sessionmaker[Session], runtime: Runtime, *, limit: int = 1000
) -> SweepResult:
    """Fire every timer due now, one transaction per instance."""
    moment = now()
    with sessions() as session:
        instance_ids = due_instances(session, moment, limit)

    fired = failed = 0
    for instance_id in instance_ids:
        with sessions() as session:
            try:
                fired += _fire(session, runtime, instance_id)
                session.commit()
            except (Conflict, DBAPIError) as exc:
                # Another process or a request changed the instance meanwhile:
                # its timers are still pending and the next sweep sees them.
                session.rollback()
                logger.info("timers of instance %s deferred: %s", instance_id, exc)
            except EngineError as exc:
                # A broken BPMN expression: the timer stays pending, loudly.
                session.rollback()
                failed += 1
                logger.error(
                    "timers of instance %s failed: %s",
                    instance_id,
                    exc.message,
                    extra={"instance_id": instance_id},
                )
    if instance_ids:
        logger.info(
            "timer sweep: %s instances, %s timers fired, %s failed",
            len(instance_ids),
            fired,
            failed,
        )
    return SweepResult(len(instance_ids), fired, failed)


def _fire(session: Session, runtime: Runtime, instance_id: int) -> int:
    locked = session.scalar(
        select(ProcessInstance.id)
        .where(ProcessInstance.id == instance_id)
        .with_for_update(skip_locked=True)
    )
    if locked is None:
        return 0  # another timer process holds it
    return len(runtime.fire_timers(session, instance_id))
