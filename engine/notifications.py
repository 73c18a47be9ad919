"""Notices to staff (站内通知), written in the transaction of the event behind them.

The table is the outbox of notifications: a notice stands for one person (or a
whole group, when nobody has claimed the task yet) and is read in the inbox.
Delivery by SMS (clause 5.2.2.2) reads the same table later; a notice is never
sent from inside the transaction that causes it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import String, Text, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.clock import now
from engine.db import Base, UTCDateTime

logger = logging.getLogger(__name__)


class Notification(Base):
    """One notice: to a user, or to every member of a group."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_user: Mapped[str | None] = mapped_column(String(100), index=True)
    recipient_group: Mapped[str | None] = mapped_column(String(100), index=True)
    business_key: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def notify(
    session: Session,
    *,
    kind: str,
    message: str,
    user: str | None = None,
    group: str | None = None,
    business_key: str | None = None,
) -> Notification:
    """Queue a notice in the caller's transaction."""
    notice = Notification(
        recipient_user=user,
        recipient_group=None if user else group,
        business_key=business_key,
        kind=kind,
        message=message,
        created_at=now(),
    )
    session.add(notice)
    logger.info("%s notice for %s on %s", kind, user or group, business_key)
    return notice


def for_recipient(
    session: Session, username: str, groups: frozenset[str], limit: int = 100
) -> list[Notification]:
    """The newest notices addressed to ``username`` or one of their groups."""
    query = (
        select(Notification)
        .where(
            or_(
                Notification.recipient_user == username,
                Notification.recipient_group.in_(groups),
            )
        )
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_read(
    session: Session, notice_id: int, username: str, groups: frozenset[str]
) -> bool:
    """Mark a notice read; False if it is not the caller's."""
    result = session.execute(
        update(Notification)
        .where(Notification.id == notice_id, Notification.read_at.is_(None))
        .where(
            or_(
                Notification.recipient_user == username,
                Notification.recipient_group.in_(groups),
            )
        )
        .values(read_at=now())
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def unread_count(session: Session, username: str, groups: frozenset[str]) -> int:
    """How many of the notices for ``username`` or their groups are unread."""
    query = (
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.read_at.is_(None),
            or_(
                Notification.recipient_user == username,
                Notification.recipient_group.in_(groups),
            ),
        )
    )
    return session.scalar(query) or 0
