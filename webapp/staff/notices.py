"""Staff notices page (站内通知): warnings, overdue marks, transfers, urges."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine import notifications
from webapp.extensions import db, session
from webapp.staff import bp

KIND_LABELS = {"warned": "预警", "overdue": "超期", "transfer": "转办", "urge": "催办"}


@bp.get("/notices")
@login_required
def notices() -> str:
    """The newest notices for the signed-in user and their groups."""
    actor = current_user.actor
    items = notifications.for_recipient(session(), actor.username, actor.groups)
    return render_template("staff/notices.html", notices=items, labels=KIND_LABELS)


@bp.post("/notices/<int:notice_id>/read")
@login_required
def read_notice(notice_id: int) -> Response:
    actor = current_user.actor
    if notifications.mark_read(session(), notice_id, actor.username, actor.groups):
        db.session.commit()
    else:
        flash("通知不存在或已读。", "error")
    return redirect(url_for("staff.notices"))
