"""Staff task endpoints: inbox, task detail with its form, claim, complete."""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from engine import tasks
from engine.appeals.timeline import timeline
from engine.clock import local_iso
from engine.directory import Department, User
from engine.errors import NotFound
from engine.models import HumanTask
from engine.runtime import Actor
from webapp import uploads
from webapp.api import bp
from webapp.api.auth import actor_of, current_user, json_body
from webapp.api.errors import BadRequest
from webapp.extensions import db, runtime, session
from webapp.tasks_view import appeals_by_number as _appeals_by_number
from webapp.tasks_view import field_dict as _field
from webapp.tasks_view import group_names as _group_names
from webapp.tasks_view import task_summary
from webapp.tasks_view import visible_task as _visible_task

# Far more open tasks than any platform has; keeps the value within SQL integers.
MAX_OFFSET = 1_000_000_000


def _summary_of(task: HumanTask) -> dict[str, Any]:
    appeals = _appeals_by_number({task.business_key} if task.business_key else set())
    return task_summary(task, appeals.get(task.business_key or ""), _group_names())


@bp.get("/tasks")
def list_tasks() -> Any:
    """The caller's inbox: assigned to them or unclaimed in their groups."""
    user = current_user()
    assert user is not None
    limit = _number_arg("limit", 50, 1, tasks.MAX_PAGE)
    offset = _number_arg("offset", 0, 0, MAX_OFFSET)
    page = tasks.inbox(
        session(),
        actor_of(user),
        step_id=request.args.get("step_id"),
        business_key=request.args.get("appeal_number"),
        overdue=_flag(request.args.get("overdue")),
        sort=_sort_arg(),
        limit=limit,
        offset=offset,
    )
    items = page.tasks
    appeals = _appeals_by_number({t.business_key for t in items if t.business_key})
    names = _group_names()
    return jsonify(
        items=[
            task_summary(t, appeals.get(t.business_key or ""), names) for t in items
        ],
        total=page.total,
        limit=limit,
        offset=offset,
    )


def _number_arg(name: str, default: int, low: int, high: int | None) -> int:
    """An integer query parameter within bounds, or a 400 saying which."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only: int() would also take full-width ones.
    value = int(raw) if raw.isascii() and raw.lstrip("-").isdigit() else low - 1
    if value < low or (high is not None and value > high):
        upper = f" 到 {high}" if high is not None else " 以上"
        raise BadRequest(f"参数 {name} 应为 {low}{upper} 的整数。")
    return value


def _flag(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    if value.lower() in {"1", "true"}:
        return True
    if value.lower() in {"0", "false"}:
        return False
    raise BadRequest("参数 overdue 应为 true 或 false。")


def _sort_arg() -> str:
    value = request.args.get("sort") or "due"
    if value not in tasks.SORTS:
        raise BadRequest(f"参数 sort 应为 {'、'.join(tasks.SORTS)} 之一。")
    return value


@bp.get("/tasks/<task_id>")
def show_task(task_id: str) -> Any:
    """A task with its form fields and the appeal it belongs to."""
    user = current_user()
    assert user is not None
    _visible_task(task_id, actor_of(user), user.role_list)
    view = runtime().view(session(), task_id)
    names = _group_names()
    departments = list(db.session.scalars(select(Department).where(Department.active)))
    appeal = _appeals_by_number({view.task.business_key or ""}).get(
        view.task.business_key or ""
    )
    body = task_summary(view.task, appeal, names)
    body["form"] = {"fields": [_field(f, departments) for f in view.step.form]}
    body["data"] = view.data
    if appeal is not None:
        body["appeal"] = {
            "number": appeal.number,
            "title": appeal.title,
            "content": appeal.content,
            "category": appeal.category,
            "channel": appeal.channel,
            "enterprise_name": appeal.enterprise_name,
            "contact_name": appeal.contact_name,
            "phone": appeal.phone,
            "status": appeal.status,
            "status_label": appeal.status_label,
            "submitted_at": local_iso(appeal.submitted_at),
            "timeline": [
                {
                    "at": local_iso(e.at),
                    "text": e.text,
                    "actor": e.actor,
                    "comment": e.comment,
                }
                for e in timeline(session(), appeal.number)
            ],
        }
    return jsonify(body)


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str) -> Any:
    user = current_user()
    assert user is not None
    task = runtime().claim(session(), task_id, actor_of(user))
    db.session.commit()
    return jsonify(_summary_of(task))


@bp.post("/tasks/<task_id>/release")
def release_task(task_id: str) -> Any:
    user = current_user()
    assert user is not None
    task = runtime().release(session(), task_id, actor_of(user))
    db.session.commit()
    return jsonify(_summary_of(task))


@bp.post("/tasks/<task_id>/transfer")
def transfer_task(task_id: str) -> Any:
    """Hand the task to a colleague who may do the step (转办)."""
    user = current_user()
    assert user is not None
    target = _active_user(str(json_body().get("to", "")))
    task = runtime().transfer(session(), task_id, actor_of(user), actor_of(target))
    db.session.commit()
    return jsonify(_summary_of(task))


@bp.post("/tasks/<task_id>/urge")
def urge_task(task_id: str) -> Any:
    """A dispatcher urges whoever holds the open task (催办)."""
    user = current_user()
    assert user is not None
    note = json_body().get("note")
    if note is not None and not isinstance(note, str):
        raise BadRequest("note 应为文字。")
    task = runtime().urge(session(), task_id, actor_of(user), note or None)
    db.session.commit()
    return jsonify(_summary_of(task))


def _active_user(username: str) -> User:
    target = session().scalar(select(User).where(User.username == username))
    if target is None or not target.active:
        raise NotFound(f"用户 {username} 不存在或已停用。")
    return target


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Submit the form (``values``) with an optional comment (审批意见).

    JSON, or ``multipart/form-data`` when the form has ``file`` fields: then
    ``values`` is a part holding the JSON object, ``comment`` a text part, and
    the files are parts named by their field's id.
    """
    user = current_user()
    assert user is not None
    multipart = request.mimetype == "multipart/form-data"
    body = _multipart_body() if multipart else json_body()
    values = body.get("values", {})
    comment = body.get("comment")
    if not isinstance(values, dict):
        raise BadRequest("values 应为 JSON 对象：字段 id → 值。")
    if comment is not None and not isinstance(comment, str):
        raise BadRequest("comment 应为文字。")

    actor = actor_of(user)
    if multipart:
        values.update(_uploads(task_id, actor))
    instance = runtime().complete(
        session(), task_id, values, actor, comment=comment or None
    )
    db.session.commit()
    task = db.session.get(HumanTask, task_id)
    assert task is not None
    summary = _summary_of(task)
    summary["instance_status"] = instance.status
    return jsonify(summary)


def _multipart_body() -> dict[str, Any]:
    raw = request.form.get("values") or "{}"
    try:
        values = json.loads(raw)
    except ValueError:
        raise BadRequest("values 部分应为 JSON 对象：字段 id → 值。") from None
    return {"values": values, "comment": request.form.get("comment")}


def _uploads(task_id: str, actor: Actor) -> dict[str, list[int]]:
    """Keep the posted files; refused files fail the whole form (422)."""
    received = uploads.receive_for(task_id, actor)
    if received.errors:
        values = {**_multipart_body()["values"], **received.ids}
        uploads.refuse(task_id, values, received.errors)
    return received.ids


@bp.get("/departments")
def list_departments() -> Any:
    """Active departments (帮办部门) with codes, for dispatch forms."""
    departments = db.session.scalars(
        select(Department).where(Department.active).order_by(Department.code)
    )
    return jsonify(items=[{"code": d.code, "name": d.name} for d in departments])
