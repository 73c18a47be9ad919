"""Staff notices (站内通知): early warnings and overdue marks of their tasks."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import notifications
from engine.clock import local_iso
from engine.errors import NotFound
from webapp.api import bp
from webapp.api.auth import current_user
from webapp.extensions import db, session


@bp.get("/notifications")
def list_notifications() -> Any:
    """The newest notices for the caller or their groups, unread ones marked."""
    user = current_user()
    assert user is not None
    notices = notifications.for_recipient(
        session(), user.username, frozenset(user.groups)
    )
    return jsonify(
        items=[
            {
                "id": notice.id,
                "kind": notice.kind,
                "message": notice.message,
                "appeal_number": notice.business_key,
                "created_at": local_iso(notice.created_at),
                "read": notice.read_at is not None,
            }
            for notice in notices
        ]
    )


@bp.post("/notifications/<int:notice_id>/read")
def read_notification(notice_id: int) -> Any:
    user = current_user()
    assert user is not None
    if not notifications.mark_read(
        session(), notice_id, user.username, frozenset(user.groups)
    ):
        raise NotFound("通知不存在或已读。")
    db.session.commit()
    return jsonify(id=notice_id, read=True)
