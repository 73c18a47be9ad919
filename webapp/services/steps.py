"""The steps of the social-service flows for outside accounts (服务机构、企业).

Registered enterprises do not use the staff pages, so their steps (the request
form, the rating) and an organisation's steps open here, drawn from the BPMN form
like any task page.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine.errors import Conflict, FormInvalid, NotFound, PermissionDenied
from engine.forms import FormField
from engine.models import HumanTask
from webapp import uploads
from webapp.extensions import db, runtime, session
from webapp.portal.views import prefill
from webapp.security import signed_in_enterprise
from webapp.services import bp
from webapp.staff import task_forms

logger = logging.getLogger(__name__)


def _render(
    task_id: str, values: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[str, int]:
    view = runtime().view(session(), task_id)
    shown = dict(values)
    for form_field in view.step.form:
        if "readonly" in form_field.constraints:
            shown[form_field.id] = view.data.get(form_field.id)
    page = render_template(
        "services/step.html",
        task=view.task,
        step=view.step,
        values=shown,
        errors=errors,
    )
    return page, 422 if errors else 200


def _initial_values(fields: list[FormField]) -> dict[str, Any]:
    # A signed-in enterprise's fields named like its account's (enterprise_name,
    # phone, ...) start with the account's values, as on the portal's forms.
    values = task_forms.initial_values(fields)
    known = prefill(signed_in_enterprise())
    for form_field in fields:
        if form_field.id in known and not values.get(form_field.id):
            values[form_field.id] = known[form_field.id]
    return values


def _mine(task_id: str) -> HumanTask | None:
    task = db.session.get(HumanTask, task_id)
    if task is None or task.state != HumanTask.OPEN:
        return None
    return task if current_user.actor.may_work(task) else None


@bp.route("/steps/<task_id>", methods=["GET", "POST"])
@login_required
def step(task_id: str) -> tuple[str, int] | Response:
    """One open step of mine with its form; POST completes it."""
    task = _mine(task_id)
    if task is None:
        db.session.rollback()
        return render_template("staff/not_found.html"), 404
    fields = runtime().view(session(), task_id).step.form
    if request.method == "GET":
        return _render(task_id, _initial_values(fields), {})

    values = task_forms.submitted_values(fields, request.form)
    received = uploads.receive_for(task_id, current_user.actor)
    values.update(received.ids)
    try:
        if received.errors:
            uploads.refuse(task_id, values, received.errors)
        runtime().complete(session(), task_id, values, current_user.actor)
        db.session.commit()
    except FormInvalid as exc:
        # The files were rolled back with the rest: they must be chosen again.
        db.session.rollback()
        return _render(task_id, values, task_forms.errors_by_field(exc))
    except (Conflict, PermissionDenied, NotFound) as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("services.mine"))
    logger.info("step %s completed by %s", task.step_id, current_user.username)
    flash(f"已提交：{task.step_name}")
    return redirect(url_for("services.mine"))
