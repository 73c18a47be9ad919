"""In-app notices (站内通知) as signed-in people read them: staff and enterprises.

The staff and the enterprise notices pages differ only in who the recipient is and
where a notice's appeal opens; listing, labels and marking read live here once.
"""

from __future__ import annotations

from flask import flash

from engine import notifications
from engine.notifications import Notification
from webapp.extensions import db, session

KIND_LABELS = {
    "warned": "预警",
    "overdue": "超期",
    "transfer": "转办",
    "urge": "催办",
    "returned": "已退回",
    "published": "已答复",
    "terminated": "已终止",
}


def newest(username: str, groups: frozenset[str]) -> list[Notification]:
    """The newest notices for ``username`` or one of their groups."""
    return notifications.for_recipient(session(), username, groups)


def mark_read(notice_id: int, username: str, groups: frozenset[str]) -> None:
    """Mark one of the caller's notices read and commit, or flash why not."""
    if notifications.mark_read(session(), notice_id, username, groups):
        db.session.commit()
    else:
        flash("通知不存在或已读。", "error")
