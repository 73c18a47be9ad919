"""Task views shared by the JSON API and the staff pages.

Summaries of inbox tasks, Chinese names of candidate groups, form fields with
their department choices and the rule of who may see a task.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from engine.appeals.models import Appeal
from engine.clock import local_iso
from engine.directory import GROUP_LABELS, Department, department_names
from engine.errors import NotFound
from engine.forms import FormField
from engine.models import HumanTask
from engine.runtime import Actor
from webapp.extensions import db, session

logger = logging.getLogger(__name__)

# Roles that may read any task of the platform, not only their own inbox.
OVERSEERS = {"dispatcher", "reviewer", "admin"}


def appeals_by_number(numbers: set[str]) -> dict[str, Appeal]:
    """The appeals with these numbers, by number (unknown numbers are left out)."""
    if not numbers:
        return {}
    found = db.session.scalars(select(Appeal).where(Appeal.number.in_(numbers)))
    return {appeal.number: appeal for appeal in found}


def task_summary(
    task: HumanTask, appeal: Appeal | None, names: dict[str, str]
) -> dict[str, Any]:
    """A task as the inbox lists it, times in Asia/Shanghai."""
    return {
        "id": task.id,
        "step_id": task.step_id,
        "step_name": task.step_name,
        "lane": task.lane,
        "candidate_group": task.candidate_group,
        "group_name": names.get(task.candidate_group, task.candidate_group),
        "appeal_number": task.business_key,
        "title": appeal.title if appeal else task.title,
        "state": task.state,
        "assignee": task.assignee,
        "created_at": local_iso(task.created_at),
        "due_at": local_iso(task.due_at),
        "warn_at": local_iso(task.warn_at),
        "warned": task.warned,
        "overdue": task.overdue,
        "completed_at": local_iso(task.completed_at),
        "completed_by": task.completed_by,
    }


def group_names() -> dict[str, str]:
    """Chinese names of candidate groups: roles and departments."""
    return {**GROUP_LABELS, **department_names(session())}


def active_departments() -> list[Department]:
    """Active departments (帮办部门), ordered by code, for department fields."""
    query = select(Department).where(Department.active).order_by(Department.code)
    return list(db.session.scalars(query))


def field_dict(form_field: FormField, departments: list[Department]) -> dict[str, Any]:
    """A form field as a dict; department fields get the departments as options."""
    data = form_field.to_dict()
    data["required"] = form_field.required
    if form_field.type in {"department", "departments"}:
        data["options"] = [{"id": d.code, "label": d.name} for d in departments]
    return data


def visible_task(task_id: str, actor: Actor, roles: list[str]) -> HumanTask:
    """The task if ``actor`` may work it, worked it or oversees; else NotFound."""
    task = db.session.get(HumanTask, task_id)
    if task is None:
        raise NotFound("任务不存在。")
    worked = task.completed_by == actor.username
    if not (actor.may_work(task) or worked or OVERSEERS.intersection(roles)):
        raise NotFound("任务不存在。")
    return task


def step_names(
    business_key: str | None, instance_id: int | None = None
) -> dict[str, str]:
    """The names of the steps an appeal, or a process instance, went through, by
    step id. An instance's first steps may come before its business key is set
    (an organisation's application), so other flows ask by instance."""
    if instance_id is not None:
        where = HumanTask.instance_id == instance_id
    elif business_key:
        where = HumanTask.business_key == business_key
    else:
        return {}
    query = select(HumanTask.step_id, HumanTask.step_name).where(where)
    return {step_id: name for step_id, name in db.session.execute(query)}
