"""Transfer (转办) and urge (催办) from the staff appeal detail page."""

from __future__ import annotations

import logging

from flask import flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine.directory import User
from engine.errors import EngineError
from engine.models import HumanTask
from engine.runtime import Actor
from webapp.extensions import db, runtime, session
from webapp.staff import bp

logger = logging.getLogger(__name__)


def colleagues(task: HumanTask, username: str) -> list[User]:
    """Active accounts other than ``username`` that may do the task's step."""
    users = session().scalars(select(User).where(User.active).order_by(User.username))
    return [
        user
        for user in users
        if task.candidate_group in user.groups and user.username != username
    ]


def _back_to(task_id: str) -> Response:
    task = session().get(HumanTask, task_id)
    if task is None or task.business_key is None:
        return redirect(url_for("staff.inbox"))
    return redirect(url_for("staff.appeal_detail", number=task.business_key))


@bp.post("/staff/tasks/<task_id>/transfer")
@login_required
def transfer(task_id: str) -> Response:
    """Hand the task to the chosen colleague."""
    username = request.form.get("to", "")
    target = session().scalar(select(User).where(User.username == username))
    try:
        if target is None or not target.active:
            raise EngineError("请选择要转办的同事。")
        to = Actor(target.username, frozenset(target.groups))
        task = runtime().transfer(session(), task_id, current_user.actor, to)
        db.session.commit()
        flash(f"已将“{task.step_name}”转办给 {target.display_name}。")
    except EngineError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _back_to(task_id)


@bp.post("/staff/tasks/<task_id>/urge")
@login_required
def urge(task_id: str) -> Response:
    """Urge whoever holds the task; they get a notice."""
    note = request.form.get("note", "").strip() or None
    try:
        task = runtime().urge(session(), task_id, current_user.actor, note)
        db.session.commit()
        flash(f"已催办“{task.step_name}”。")
    except EngineError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return _back_to(task_id)
