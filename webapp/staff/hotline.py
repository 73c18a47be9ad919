"""Hotline entry (热线受理): an operator enters an appeal for a caller.

The fields, their checks and the form partial are the portal's; the channel is
always ``hotline`` and the operator is the actor. The confirmation is written to
be read out on the phone; like the portal's it is never cached, is reached by a
redirect after the post and shows the query code once.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, make_response, render_template, request
from flask_login import current_user, login_required

from webapp.extensions import db
from webapp.portal.views import (
    CATEGORIES,
    confirm,
    receive_submission,
    take_confirmation,
)
from webapp.staff import bp

logger = logging.getLogger(__name__)

HOTLINE_ROLE = "hotline"
HOTLINE_CHANNEL = "hotline"


def spelled(text: str) -> str:
    """``text`` character by character, for reading out: ``"U 6 6 P"``."""
    return " ".join(text)


@bp.route("/hotline/appeals/new", methods=["GET", "POST"])
@login_required
def hotline_submit() -> Response:
    """The hotline entry form; on success, on to the number and code to read out."""
    if HOTLINE_ROLE not in current_user.roles:
        return _not_found()

    if request.method == "GET":
        return _page("staff/hotline_submit.html", values={}, errors={})

    received = receive_submission(HOTLINE_CHANNEL, current_user.actor)
    if received.submission is None:
        return _page(
            "staff/hotline_submit.html",
            status=received.status,
            values=received.values,
            errors=received.errors,
            summary=received.summary,
        )

    appeal = received.submission.appeal
    logger.info("hotline entry %s by %s", appeal.number, current_user.username)
    return confirm(received.submission, "staff.hotline_submitted")


@bp.get("/hotline/appeals/submitted")
@login_required
def hotline_submitted() -> Response:
    """The number and query code of the appeal just entered, the code this once."""
    if HOTLINE_ROLE not in current_user.roles:
        return _not_found()
    shown = take_confirmation("staff.hotline_submitted")
    return _page("staff/hotline_submitted.html", shown=shown, spelled=spelled)


def _not_found() -> Response:
    db.session.rollback()
    return _page("staff/not_found.html", status=404)


def _page(template: str, *, status: int = 200, **context: Any) -> Response:
    # The form and the confirmation carry personal data or the query code.
    context.setdefault("categories", CATEGORIES)
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response
