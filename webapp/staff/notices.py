"""Staff notices page (站内通知): warnings, overdue marks, transfers, urges."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from webapp import notices as shared
from webapp.staff import bp

KIND_LABELS = shared.KIND_LABELS


@bp.get("/notices")
@login_required
def notices() -> str:
    """The newest notices for the signed-in user and their groups."""
    actor = current_user.actor
    items = shared.newest(actor.username, actor.groups)
    return render_template("staff/notices.html", notices=items, labels=KIND_LABELS)


@bp.post("/notices/<int:notice_id>/read")
@login_required
def read_notice(notice_id: int) -> Response:
    actor = current_user.actor
    shared.mark_read(notice_id, actor.username, actor.groups)
    return redirect(url_for("staff.notices"))
