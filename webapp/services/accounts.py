"""Sign-up of service organisations (服务机构) for social services.

An organisation is an account of the directory (``engine.directory.User``) with the
role ``organisation``; it signs in at ``/login`` like staff, and steps addressed to
it name its personal group ``user:NAME``. Sign-up starts its admission flow, whose
first step (the application with its qualifications) opens at once. Enterprises
use their registered accounts (``webapp.account``).

Known shortcoming: organisations are directory accounts, not a kind of the
registered accounts that enterprises have (``engine.enterprises``), so they sign in
on the staff page with a username; folding them into that table as a second kind
(signing in with their credit code) is the reconciliation still to do.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from flask import redirect, render_template, request, url_for
from flask_login import login_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine.directory import User, create_user
from engine.errors import FieldError, FormInvalid
from webapp import catalogue
from webapp.extensions import db, runtime, session
from webapp.security import StaffUser
from webapp.services import bp

logger = logging.getLogger(__name__)

USERNAME = re.compile(r"[a-z0-9][a-z0-9_-]{2,29}")
PASSWORD_MIN = 8


def clean_signup(values: Mapping[str, str]) -> dict[str, str]:
    """Check a sign-up form; every field error at once, in Chinese."""
    errors = []
    username = values.get("username", "").strip().lower()
    display_name = values.get("display_name", "").strip()
    password = values.get("password", "")
    if not USERNAME.fullmatch(username):
        errors.append(
            FieldError("username", "用户名为 3 至 30 位小写字母、数字、- 或 _")
        )
    elif session().scalar(select(User.id).where(User.username == username)):
        errors.append(FieldError("username", "该用户名已被使用，请换一个"))
    if not display_name or len(display_name) > 100:
        errors.append(FieldError("display_name", "请填写名称（不超过 100 字）"))
    if len(password) < PASSWORD_MIN or password.isdigit():
        errors.append(
            FieldError("password", f"密码至少 {PASSWORD_MIN} 位，且不能全是数字")
        )
    elif password != values.get("password_confirm", ""):
        errors.append(FieldError("password_confirm", "两次输入的密码不一致"))
    if errors:
        raise FormInvalid(errors)
    return {"username": username, "display_name": display_name, "password": password}


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | tuple[str, int] | Response:
    """Create an organisation account, sign it in, open its application."""
    if request.method == "GET":
        return render_template("services/signup.html", values={}, errors={})

    try:
        cleaned = clean_signup(request.form)
    except FormInvalid as exc:
        errors = {error.field: error.message for error in exc.errors}
        values = {
            "username": request.form.get("username", ""),
            "display_name": request.form.get("display_name", ""),
        }
        page = render_template("services/signup.html", values=values, errors=errors)
        return page, 422

    user = create_user(
        session(),
        cleaned["username"],
        cleaned["password"],
        display_name=cleaned["display_name"],
        roles=["organisation"],
    )
    signed_in = StaffUser(user)
    data = {"applicant_group": catalogue.personal_group(user.username)}
    task = catalogue.start_for(
        session(), runtime(), catalogue.ADMISSION_PROCESS, signed_in.actor, data
    )
    db.session.commit()
    login_user(signed_in)
    logger.info("organisation account %s signed up", user.username)
    if task is None:
        return redirect(url_for("services.mine"))
    return redirect(url_for("services.step", task_id=task.id))
