"""Staff pages: the task inbox (待办), claiming and releasing, task forms."""

from __future__ import annotations

import logging
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine import attachments, tasks
from engine.appeals.timeline import timeline
from engine.errors import (
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    ScriptFailed,
)
from engine.models import HumanTask
from webapp import uploads
from webapp.extensions import db, runtime, session
from webapp.staff import bp, task_forms
from webapp.tasks_view import (
    active_departments,
    appeals_by_number,
    group_names,
    step_names,
    visible_task,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 50

# Far more pages than any inbox has; keeps the offset within SQL integers.
MAX_PAGE_NUMBER = 10_000_000

Page = str | tuple[str, int]

bp.add_app_template_filter(task_forms.shanghai_time, "shanghai_time")
bp.add_app_template_filter(task_forms.shown_value, "shown_value")


def _not_found() -> tuple[str, int]:
    db.session.rollback()
    return render_template("staff/not_found.html"), 404


def _page_number() -> int:
    raw = request.args.get("page", "")
    if raw.isascii() and raw.isdigit():
        return max(1, min(int(raw), MAX_PAGE_NUMBER))
    return 1


def _back_to_inbox() -> str:
    # Only the inbox with its filters: anything else could be an open redirect.
    target = request.form.get("next", "")
    if target.startswith("/inbox"):
        return target
    return url_for("staff.inbox")


@bp.get("/inbox")
@login_required
def inbox() -> str:
    """My tasks and my groups' unclaimed tasks, filtered, sorted and paged."""
    actor = current_user.actor
    step_id = request.args.get("step") or None
    overdue = True if request.args.get("overdue") else None
    sort = "-due" if request.args.get("sort") == "-due" else "due"
    page_number = _page_number()

    page = tasks.inbox(
        session(),
        actor,
        step_id=step_id,
        overdue=overdue,
        sort=sort,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )

    # The step filter offers the steps of the open tasks (the first MAX_PAGE).
    everything = tasks.inbox(session(), actor, limit=tasks.MAX_PAGE)
    steps = {task.step_id: task.step_name for task in everything.tasks}
    if step_id and step_id not in steps:
        steps[step_id] = step_id

    numbers = {task.business_key for task in page.tasks if task.business_key}
    pages = max(1, -(-page.total // PAGE_SIZE))
    filters = {"step": step_id or "", "sort": sort, "overdue": "1" if overdue else ""}
    return render_template(
        "staff/inbox.html",
        page=page,
        appeals=appeals_by_number(numbers),
        steps=sorted(steps.items(), key=lambda item: item[1]),
        filters=filters,
        query={key: value for key, value in filters.items() if value},
        page_number=page_number,
        pages=pages,
    )


@bp.post("/tasks/<task_id>/claim")
@login_required
def claim(task_id: str) -> Response:
    """Take an unclaimed task of my group (认领)."""
    return _operate("claim", task_id, "已认领")


@bp.post("/tasks/<task_id>/release")
@login_required
def release(task_id: str) -> Response:
    """Give a task I claimed back to my group (退回待办池)."""
    return _operate("release", task_id, "已退回待办池")


def _operate(operation: str, task_id: str, done: str) -> Response:
    """Claim or release a task, flash the outcome, go back to the inbox."""
    method = getattr(runtime(), operation)
    try:
        task = method(session(), task_id, current_user.actor)
        db.session.commit()
    except (Conflict, PermissionDenied, NotFound) as exc:
        db.session.rollback()
        logger.info(
            "%s of %s by %s refused: %s",
            operation,
            task_id,
            current_user.username,
            exc,
        )
        flash(exc.message, "error")
        return redirect(_back_to_inbox())

    flash(f"{done}：{task.business_key or ''} {task.step_name}")
    return redirect(_back_to_inbox())


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@login_required
def task(task_id: str) -> Page | Response:
    """A task with its form, the appeal and its timeline; POST submits the form.

    Who may work the task gets the form; overseers (dispatcher, reviewer, admin)
    and whoever completed it read it; everyone else gets a 404.
    """
    if request.method == "POST":
        return _submit(task_id)

    try:
        visible_task(task_id, current_user.actor, current_user.roles)
    except NotFound:
        return _not_found()
    fields = runtime().view(session(), task_id).step.form
    return _render_task(task_id, task_forms.initial_values(fields), {}, "")


def _submit(task_id: str) -> Page | Response:
    """Complete the task with the posted form; the runtime checks who may."""
    actor = current_user.actor
    try:
        fields = runtime().view(session(), task_id).step.form
    except NotFound:
        return _not_found()
    values = task_forms.submitted_values(fields, request.form)
    comment = task_forms.posted_comment(request.form)
    if any(form_field.id == task_forms.COMMENT_FIELD for form_field in fields):
        # The step's own comment field (备案意见) is the comment: a phrase
        # chosen without JavaScript joins it, and it is not audited twice.
        values[task_forms.COMMENT_FIELD] = comment or None
        comment = ""

    received = uploads.receive_for(task_id, actor)
    values.update(received.ids)
    try:
        if received.errors:
            uploads.refuse(task_id, values, received.errors)
        runtime().complete(session(), task_id, values, actor, comment=comment or None)
        db.session.commit()
    except FormInvalid as exc:
        db.session.rollback()
        errors = task_forms.errors_by_field(exc)
        # The uploads were rolled back with the rest: their files must be chosen
        # again (a browser never refills a file input).
        shown = _render_task(
            task_id, values, errors, comment, message=exc.message, reselect=received
        )
        return shown[0], 422
    except Conflict as exc:
        db.session.rollback()
        logger.info("completion of %s by %s refused: %s", task_id, actor.username, exc)
        flash(exc.message, "error")
        return redirect(url_for("staff.inbox"))
    except (PermissionDenied, NotFound):
        return _not_found()
    except ScriptFailed as exc:
        db.session.rollback()
        logger.exception("completion of %s failed in a script", task_id)
        shown = _render_task(task_id, values, {}, comment, message=exc.message)
        return shown[0], 500

    step = db.session.get(HumanTask, task_id)
    flash(f"已提交：{step.step_name if step else ''}")
    return redirect(url_for("staff.inbox"))


def _render_task(
    task_id: str,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    comment: str,
    message: str | None = None,
    reselect: uploads.Received | None = None,
) -> tuple[str, int]:
    """The task page; the form only for someone who may work the open task."""
    view = runtime().view(session(), task_id)
    task = view.task
    # Read-only fields show what the flow knows (facts the process owner
    # chose to put beside the form), never what was posted.
    for form_field in view.step.form:
        if "readonly" in form_field.constraints:
            values = {**values, form_field.id: view.data.get(form_field.id)}
    names = group_names()
    appeal = appeals_by_number({task.business_key or ""}).get(task.business_key or "")
    events = timeline(session(), appeal.number, staff=True) if appeal else []
    editable = task.state == HumanTask.OPEN and current_user.actor.may_work(task)
    known = {form_field.id for form_field in view.step.form}

    page = render_template(
        "staff/task.html",
        task=task,
        step=view.step,
        appeal=appeal,
        events=events,
        editable=editable,
        fields=view.step.form,
        departments=active_departments(),
        values=values,
        errors=errors,
        other_errors=[m for f, ms in errors.items() if f not in known for m in ms],
        message=message,
        comment=comment,
        phrases=task_forms.phrases_for(view.step),
        reselect=reselect.chosen if reselect else set(),
        attachments=(
            attachments.of_appeal(session(), appeal.number)
            if appeal
            else attachments.of_instance(session(), task.instance_id)
        ),
        step_names=step_names(task.business_key, None if appeal else task.instance_id),
        accepted=",".join(attachments.ACCEPTED_ENDINGS),
        facts=task_forms.task_facts(view.data, names),
        contributions=task_forms.contributions(view.data, names),
        acceptances=task_forms.acceptances(view.data, names),
    )
    return page, 200
