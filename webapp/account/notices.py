"""Enterprise notices (站内通知): what happened to its own appeals."""

from __future__ import annotations

from typing import Any

from flask import Response, redirect, url_for
from flask_login import login_required

from engine import notifications
from webapp import notices as shared
from webapp.account import bp
from webapp.extensions import session
from webapp.portal.views import page
from webapp.security import signed_in_enterprise

# Enterprises belong to no candidate group: notices name them alone.
NO_GROUPS: frozenset[str] = frozenset()


def _recipient() -> str:
    account = signed_in_enterprise()
    assert account is not None
    return account.recipient


@bp.get("/notices")
@login_required
def notices() -> Response:
    """The newest notices about the enterprise's appeals, unread ones marked."""
    items = shared.newest(_recipient(), NO_GROUPS)
    return page("account/notices.html", notices=items, labels=shared.KIND_LABELS)


@bp.post("/notices/<int:notice_id>/read")
@login_required
def read_notice(notice_id: int) -> Any:
    shared.mark_read(notice_id, _recipient(), NO_GROUPS)
    return redirect(url_for("account.notices"))


@bp.app_context_processor
def unread_notices() -> dict[str, int]:
    """``enterprise_unread``: the count of unread notices beside 通知 in the nav."""
    account = signed_in_enterprise()
    if account is None:
        return {}
    count = notifications.unread_count(session(), account.recipient, NO_GROUPS)
    return {"enterprise_unread": count}
