"""Staff sign-in and sign-out at ``/login``."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from engine.directory import authenticate
from webapp.extensions import session
from webapp.security import StaffUser, safe_next, sign_out
from webapp.staff import bp

logger = logging.getLogger(__name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Sign in with username and password."""
    if request.method == "GET":
        return render_template("staff/login.html", username="")

    username = request.form.get("username", "").strip()
    user = authenticate(session(), username, request.form.get("password", ""))
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
