"""Staff sign-in and sign-out at ``/login``; repeated failures are throttled."""

from __future__ import annotations

import logging

from flask import flash, make_response, redirect, render_template, request
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from engine.directory import authenticate
from webapp.extensions import session
from webapp.security import StaffUser, safe_next, sign_out
from webapp.staff import bp
from webapp.throttle import TooManyAttempts, attempt_sign_in

logger = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with username and password."""
    if request.method == "GET":
        return render_template("staff/login.html", username="")

    username = request.form.get("username", "").strip()[:150]
    password = request.form.get("password", "")
    try:
        user = attempt_sign_in(
            "staff", username, lambda: authenticate(session(), username, password)
        )
    except TooManyAttempts as exc:
        flash(exc.message, "error")
        page = render_template("staff/login.html", username=username)
        refused = make_response(page, 429)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    if user is None:
        logger.info("failed sign-in for %s", username)
        flash("用户名或密码错误。", "error")
        return render_template("staff/login.html", username=username)

    login_user(StaffUser(user))
    logger.info("%s signed in", user.username)
    return redirect(safe_next("staff.inbox"))


@bp.post("/logout")
@login_required
def logout() -> Response:
    return sign_out("staff.login")
