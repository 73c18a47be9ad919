"""The audit trail (有据可查, clause 4.1): every action, who, when and at which step."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import now
from engine.models import AuditEntry

logger = logging.getLogger(__name__)


def record(
    session: Session,
    action: str,
    actor: str,
    *,
    instance_id: int | None = None,
    business_key: str | None = None,
    step_id: str | None = None,
    step_name: str | None = None,
    group: str | None = None,
    values: dict[str, Any] | None = None,
    comment: str | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Add one entry to the trail, in the caller's transaction.

    ``at`` back-dates an entry that records history (an imported appeal);
    everything else happens now.
    """
    entry = AuditEntry(
        action=action,
        actor=actor,
        instance_id=instance_id,
        business_key=business_key,
        step_id=step_id,
        step_name=step_name,
        candidate_group=group,
        values=values,
        comment=comment,
        at=at or now(),
    )
    session.add(entry)
    logger.debug(
        "audit %s by %s on %s at %s",
        action,
        actor,
        business_key or instance_id,
        step_id,
        extra={"instance_id": instance_id, "step": step_id},
    )
    return entry


def trail(session: Session, business_key: str) -> list[AuditEntry]:
    """Every entry about one business object (an appeal number), oldest first."""
    query = (
        select(AuditEntry)
        .where(AuditEntry.business_key == business_key)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    return list(session.scalars(query))
