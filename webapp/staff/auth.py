"""Staff sign-in and sign-out at ``/login``."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from werkzeug.wrappers import Response

from engine.directory import authenticate
from webapp.extensions import session
from webapp.security import StaffUser
from webapp.staff import bp

logger = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would let a link steal sign-ins.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("staff.inbox")


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
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash("您已退出登录。")
    return redirect(url_for("staff.login"))
