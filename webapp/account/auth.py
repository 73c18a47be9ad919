"""Enterprise sign-up, sign-in and sign-out at ``/account/...``.

The sign-in name is the unified social credit code (统一社会信用代码). Failed
sign-ins count against the client like failed look-ups do, so passwords cannot
be guessed at speed (``webapp.throttle``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

from engine import enterprises
from engine.errors import FormInvalid
from webapp.account import bp
from webapp.extensions import db, session
from webapp.portal.views import errors_by_field, page
from webapp.security import EnterpriseUser, safe_next, sign_out
from webapp.throttle import TooManyAttempts, attempt_sign_in

logger = logging.getLogger(__name__)

SIGNUP_FIELDS = ("name", "credit_code", "contact_name", "phone")
WRONG_MESSAGE = "统一社会信用代码或密码错误。"


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> Response:
    """Register an enterprise; on success it is signed in."""
    if request.method == "GET":
        return page("account/signup.html", values={}, errors={})

    values: dict[str, Any] = {
        name: request.form.get(name, "") for name in SIGNUP_FIELDS
    }
    passwords = {
        "password": request.form.get("password", ""),
        "password_confirm": request.form.get("password_confirm", ""),
    }
    try:
        account = enterprises.register(session(), {**values, **passwords})
    except FormInvalid as exc:
        db.session.rollback()
        errors = errors_by_field(exc.errors)
        logger.info("enterprise sign-up refused: %s", ", ".join(sorted(errors)))
        # Passwords are never sent back into the page.
        return page(
            "account/signup.html",
            status=422,
            values=values,
            errors=errors,
            summary=exc.message,
        )

    db.session.commit()
    login_user(EnterpriseUser(account))
    logger.info("enterprise account %s signed up and in", account.id)
    flash("注册成功，您已登录。提交的诉求会列在“我的诉求”中。")
    return redirect(url_for("account.appeals"))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response:
    """Sign in with the credit code and password."""
    if request.method == "GET":
        return page("account/login.html", credit_code="")

    credit_code = request.form.get("credit_code", "").strip()[:30]
    password = request.form.get("password", "")
    try:
        account = attempt_sign_in(
            "enterprise",
            credit_code,
            lambda: enterprises.authenticate(session(), credit_code, password),
        )
    except TooManyAttempts as exc:
        refused = _refused(credit_code, 429, exc.message)
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused
    if account is None:
        logger.info("failed enterprise sign-in for %s", credit_code)
        return _refused(credit_code, 401, WRONG_MESSAGE)

    login_user(EnterpriseUser(account))
    logger.info("enterprise account %s signed in", account.id)
    return redirect(safe_next("account.appeals"))


def _refused(credit_code: str, status: int, message: str) -> Response:
    # The sign-in form again, with the code typed and why it was refused.
    return page(
        "account/login.html", status=status, credit_code=credit_code, message=message
    )


@bp.post("/logout")
@login_required
def logout() -> Response:
    return sign_out("account.login")
