"""My appeals (我的诉求, clause 5.2.2.4): a registered enterprise's own appeals.

Progress, timeline and published result without a query code; the rating form
where the appeal awaits rating. Another enterprise's appeal is a 404, exactly
like an unknown number.
"""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_login import login_required

from engine import enterprises
from engine.appeals.models import Appeal
from engine.appeals.service import REOPENED_LABEL, public_status_label
from engine.appeals.timeline import history
from engine.clock import local_iso
from engine.errors import NotFound
from webapp.account import bp
from webapp.extensions import db, session
from webapp.portal.views import page, rate_and_show, result_page, shown_time
from webapp.security import signed_in_enterprise

# Where an appeal stands on its way, as a share of a progress bar (Bootstrap's
# width utilities) and a word; returned and terminated appeals end early.
PROGRESS = {
    "submitted": ("w-25", "已提交，待平台研判"),
    "handling": ("w-50", "部门办理中"),
    "reviewing": ("w-75", "平台审核答复"),
    "published": ("w-75", "已答复，待您评价"),
    "following_up": ("w-75", "已答复，平台回访中"),
    "closed": ("w-100", "已办结"),
    "returned": ("w-100", "已退回"),
    "terminated": ("w-100", "已终止"),
}


def _row(appeal: Appeal) -> dict[str, Any]:
    # One list row: status, progress and the newest step of the timeline. The
    # history is read per appeal (one query each); the list is capped at 100.
    past = history(session(), appeal.number)
    width, words = PROGRESS.get(appeal.status, ("w-25", appeal.status_label))
    status_label = public_status_label(appeal, past.results)
    if status_label == REOPENED_LABEL:
        words = f"部门{REOPENED_LABEL}"
    events = past.events
    latest = events[-1] if events else None
    return {
        "appeal": appeal,
        "status_label": status_label,
        "width": width,
        "progress": words,
        "latest": latest.text if latest else "",
        "latest_at": shown_time(local_iso(latest.at)) if latest else "",
        "submitted_at": shown_time(local_iso(appeal.submitted_at)),
    }


@bp.get("/appeals")
@login_required
def appeals() -> Response:
    """The signed-in enterprise's appeals, newest first."""
    account = signed_in_enterprise()
    assert account is not None
    rows = [_row(appeal) for appeal in enterprises.appeals_of(session(), account)]
    return page("account/appeals.html", rows=rows)


def _own_appeal(number: str) -> Appeal:
    account = signed_in_enterprise()
    assert account is not None
    return enterprises.appeal_of(session(), account, number)


def _show(appeal: Appeal, **context: Any) -> Response:
    rate_url = url_for("account.rate", number=appeal.number)
    return result_page(appeal, rate_url=rate_url, **context)


@bp.get("/appeals/<number>")
@login_required
def appeal(number: str) -> Response:
    """One of the enterprise's appeals: timeline, result, rating when due."""
    return _show(_own_appeal(number))


@bp.post("/appeals/<number>/rate")
@login_required
def rate(number: str) -> Response:
    """Rate one of the enterprise's published appeals."""
    return rate_and_show(_own_appeal(number), _show)


@bp.errorhandler(NotFound)
def not_found(exc: NotFound) -> Response:
    """Another enterprise's appeal and an unknown number get this same page."""
    db.session.rollback()
    return page("account/not_found.html", status=404)
