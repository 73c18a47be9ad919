"""Admin pages for people: accounts, departments, and the groups steps name."""

from __future__ import annotations

import logging
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine import deployment, people, versions
from engine.directory import GROUP_LABELS, ROLES, Department, User
from engine.errors import EngineError
from engine.parsing import EXPRESSION
from webapp.admin import ADMINS, DEPLOYERS, bp, roles_required
from webapp.extensions import db, session

logger = logging.getLogger(__name__)

Page = str | tuple[str, int] | Response


def _departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.code)))


def _form_roles() -> list[str]:
    return [role for role in request.form.getlist("roles") if role]


@bp.route("/users", methods=["GET", "POST"])
@roles_required(ADMINS)
def users() -> Page:
    """Every account; the form below creates one."""
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = {**request.form.to_dict(), "roles": _form_roles()}
        try:
            user = people.add_user(
                session(),
                current_user.username,
                username=form.get("username", "").strip(),
                display_name=form.get("display_name", ""),
                password=form.get("password", ""),
                roles=_form_roles(),
                department_code=form.get("department_code") or None,
            )
            db.session.commit()
        except EngineError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(f"已创建账号：{user.username}")
            return redirect(url_for("admin.users"))

    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    page = render_template(
        "admin/users.html",
        accounts=accounts,
        roles=ROLES,
        departments=_departments(),
        form=form,
    )
    return page, 422 if form else 200


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required(ADMINS)
def user_page(user_id: int) -> Page:
    """One account: name, roles, department, active; and a password reset."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if request.method == "POST":
        try:
            if request.form.get("action") == "password":
                people.reset_password(
                    session(),
                    current_user.username,
                    user_id,
                    request.form.get("password", ""),
                )
                done = "密码已重置，请告知本人登录后修改。"
            else:
                people.update_user(
                    session(),
                    current_user.username,
                    user_id,
                    display_name=request.form.get("display_name", ""),
                    roles=_form_roles(),
                    department_code=request.form.get("department_code") or None,
                    active=request.form.get("active") == "1",
                )
                done = "账号已保存。"
            db.session.commit()
        except EngineError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(done)
            return redirect(url_for("admin.user_page", user_id=user_id))
        user = db.session.get(User, user_id)
    return render_template(
        "admin/user.html", user=user, roles=ROLES, departments=_departments()
    )


@bp.route("/departments", methods=["GET", "POST"])
@roles_required(ADMINS)
def departments() -> Page:
    """Every department; each row saves itself, the last row adds one."""
    if request.method == "POST":
        try:
            department = people.save_department(
                session(),
                current_user.username,
                code=request.form.get("code", ""),
                name=request.form.get("name", ""),
                active=request.form.get("active") == "1",
            )
            db.session.commit()
        except EngineError as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            flash(f"已保存部门：{department.name}")
        return redirect(url_for("admin.departments"))
    return render_template("admin/departments.html", departments=_departments())


@bp.get("/groups")
@roles_required(DEPLOYERS)
def groups() -> str:
    """Which role or department each candidate group of the newest versions
    names (role mapping for lanes and steps)."""
    names = {d.code: d for d in _departments()}
    rows = []
    for key in versions.process_keys(session()):
        newest = deployment.latest(session(), key)
        assert newest is not None
        for step in newest.steps.values():
            group = step["candidate_group"]
            rows.append(
                {
                    "process": newest.name,
                    "step": step["name"],
                    "lane": step.get("lane"),
                    "group": group,
                    "kind": _group_kind(group, names),
                }
            )
    return render_template("admin/groups.html", rows=rows, roles=GROUP_LABELS)


def _group_kind(group: str, departments: dict[str, Department]) -> str:
    if EXPRESSION.match(group):
        return "办理时由流程数据决定（研判时选择的部门）"
    if group in GROUP_LABELS:
        return f"角色：{GROUP_LABELS[group]}"
    if group in departments:
        active = "" if departments[group].active else "（已停用）"
        return f"部门：{departments[group].name}{active}"
    return "未对应任何角色或部门"
