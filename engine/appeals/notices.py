"""Notices to the registered enterprise that owns an appeal (站内通知).

Written by the appeal service in the transaction that changes the appeal's status,
through the notification outbox; the enterprise reads them on its notices page.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.appeals.models import Appeal
from engine.notifications import notify

# Status changes an enterprise is told about, with what the notice says.
_NOTICES = {
    "returned": "您的诉求 {number}“{title}”已被平台退回，请查看退回理由。",
    "published": "您的诉求 {number}“{title}”已有办理结果，请查看并评价。",
    "terminated": "您的诉求 {number}“{title}”已依法终止办理，请查看终止理由。",
}


def recipient_of(enterprise_id: int) -> str:
    """The outbox recipient of an enterprise: ``enterprise:<id>``.

    Staff usernames share the outbox's recipient column: a staff account named
    ``enterprise:7`` would also read enterprise 7's notices. Staff accounts come
    from the demo data and tests today, which never use a colon; whoever adds
    account management must refuse such usernames.
    """
    return f"enterprise:{enterprise_id}"


def notify_owner(session: Session, appeal: Appeal, status: str) -> None:
    """Tell the owning enterprise, if any, that its appeal reached ``status``."""
    template = _NOTICES.get(status)
    if appeal.enterprise_id is None or template is None:
        return
    notify(
        session,
        kind=status,
        message=template.format(number=appeal.number, title=appeal.title),
        user=recipient_of(appeal.enterprise_id),
        business_key=appeal.number,
    )
