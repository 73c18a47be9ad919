"""Staff inbox. Only a first page lives here so far; the rest is being built."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required

from webapp.staff import bp


@bp.get("/inbox")
@login_required
def inbox() -> str:
    return render_template("staff/inbox.html", user=current_user)
