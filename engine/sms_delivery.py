"""SMS delivery (短信投递): the job that texts the notices of the outbox.

A notice with a phone number (``Notification.sms_phone``) is due when its
``sms_next_at`` has come. Each due notice is handled in its own transaction: its
row is locked (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two timer processes
never text it twice; SQLite's single writer does the same), it is sent, and the
outcome is recorded. A failed send is tried again after a delay that doubles
each time (``base_delay``, then twice it, four times...); after
``max_attempts`` failures the notice is given up (``sms_next_at`` cleared) and
an ERROR is logged for the operator. The step that wrote the notice committed
long before: nothing here can block or undo it.

A text is sent before its row is marked sent: if the database fails between the
two, the text goes out again on the next run (at least once, never lost).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import now
from engine.notifications import Notification
from engine.sms import SmsFailed, SmsSender, masked

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BASE_DELAY = timedelta(minutes=1)


@dataclass(frozen=True)
class DeliveryResult:
    """What one run did."""

    sent: int
    failed: int
    gave_up: int


def retry_delay(attempts: int, base_delay: timedelta) -> timedelta:
    """How long to wait after the ``attempts``-th failure: base × 2^(attempts-1)."""
    return base_delay * (2 ** (attempts - 1))


def due_notices(session: Session, moment: datetime, limit: int) -> list[int]:
    """Ids of the notices whose text is due at ``moment``, oldest first."""
    query = (
        select(Notification.id)
        .where(Notification.sms_next_at <= moment)
        .where(Notification.sms_sent_at.is_(None))
        .where(Notification.sms_phone.is_not(None))
        .order_by(Notification.sms_next_at, Notification.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def deliver_due(
    sessions: sessionmaker[Session],
    sender: SmsSender,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    base_delay: timedelta = DEFAULT_BASE_DELAY,
    limit: int = 500,
) -> DeliveryResult:
    """Send every text due now, one transaction per notice."""
    with sessions() as session:
        notice_ids = due_notices(session, now(), limit)

    counts = {"sent": 0, "failed": 0, "gave_up": 0}
    for notice_id in notice_ids:
        with sessions() as session:
            outcome = _deliver(session, sender, notice_id, max_attempts, base_delay)
            session.commit()
        if outcome:
            counts[outcome] += 1
    if notice_ids:
        logger.info(
            "SMS delivery: %s sent, %s failed, %s given up",
            counts["sent"],
            counts["failed"],
            counts["gave_up"],
        )
    return DeliveryResult(**counts)


def _deliver(
    session: Session,
    sender: SmsSender,
    notice_id: int,
    max_attempts: int,
    base_delay: timedelta,
) -> str | None:
    """Send one notice's text and record the outcome; None if not due any more."""
    notice = session.scalar(
        select(Notification)
        .where(Notification.id == notice_id)
        .with_for_update(skip_locked=True)
    )
    moment = now()
    due = notice is not None and notice.sms_next_at is not None
    if notice is None or not due or notice.sms_sent_at or not notice.sms_phone:
        return None  # another process holds it or has sent it
    assert notice.sms_next_at is not None
    if notice.sms_next_at > moment:
        return None

    notice.sms_attempts += 1
    try:
        sender.send(notice.sms_phone, notice.message)
    except SmsFailed as exc:
        return _failed(notice, str(exc), moment, max_attempts, base_delay)

    notice.sms_sent_at = moment
    notice.sms_next_at = None
    notice.sms_error = None
    logger.info(
        "SMS of notice %s (%s) sent to %s on attempt %s",
        notice.id,
        notice.business_key,
        masked(notice.sms_phone),
        notice.sms_attempts,
    )
    return "sent"


def _failed(
    notice: Notification,
    error: str,
    moment: datetime,
    max_attempts: int,
    base_delay: timedelta,
) -> str:
    notice.sms_error = error[:2000]
    if notice.sms_attempts >= max_attempts:
        notice.sms_next_at = None
        logger.error(
            "SMS of notice %s (%s) given up after %s attempts: %s",
            notice.id,
            notice.business_key,
            notice.sms_attempts,
            error,
        )
        return "gave_up"
    notice.sms_next_at = moment + retry_delay(notice.sms_attempts, base_delay)
    logger.warning(
        "SMS of notice %s (%s) failed on attempt %s, next try at %s: %s",
        notice.id,
        notice.business_key,
        notice.sms_attempts,
        notice.sms_next_at.isoformat(timespec="seconds"),
        error,
    )
    return "failed"
