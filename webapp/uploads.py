"""Files posted with a task form (附件上传), for the staff pages and the API.

Each ``file`` field of the step's form takes the files posted under its id; each
file is checked and kept by the engine's attachment store in the request's
transaction, and the field's value becomes the list of the new attachments' ids
(what ``Runtime.complete`` then validates and puts in the process variables).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from flask import Flask, current_app, request
from werkzeug.datastructures import FileStorage, MultiDict

from engine.attachments import (
    MAX_FILES_PER_FIELD,
    AttachmentStore,
    UploadRejected,
    Where,
)
from engine.errors import FieldError, FormInvalid
from engine.forms import FormField
from engine.models import HumanTask
from engine.runtime import Actor
from webapp.extensions import runtime, session

logger = logging.getLogger(__name__)


@dataclass
class Received:
    """The attachment ids per field, and the files refused, as field errors."""

    ids: dict[str, list[int]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    # Fields where files were chosen: on a rejected form they must be chosen again.
    chosen: set[str] = field(default_factory=set)


# The endpoints whose POST may carry files: the staff task form page, the outside
# accounts' step page of the social services, and the API's task completion.
UPLOAD_ENDPOINTS = {"staff.task", "services.step", "api.complete_task"}


def init_app(app: Flask) -> None:
    """Raise the body limit for task forms; before CSRF, which reads the body."""
    app.before_request(allow_large_body)


def allow_large_body() -> None:
    """Let a task form's POST carry files; every other request keeps the limit."""
    if request.method != "POST" or request.endpoint not in UPLOAD_ENDPOINTS:
        return
    config = current_app.config
    limit = config["BANGBAN_UPLOAD_REQUEST_MAX_BYTES"]
    request.max_content_length = max(limit, config["MAX_CONTENT_LENGTH"] or 0)


def store() -> AttachmentStore:
    """The app's attachment store (``BANGBAN_ATTACHMENTS_DIR``)."""
    config = current_app.config
    return AttachmentStore(
        config["BANGBAN_ATTACHMENTS_DIR"], config["BANGBAN_ATTACHMENT_MAX_BYTES"]
    )


def receive_for(task_id: str, actor: Actor) -> Received:
    """Keep the request's files for a task, if ``actor`` may work the open task.

    Anyone else gets nothing kept: completing the task will refuse them anyway.
    """
    task = session().get(HumanTask, task_id)
    if task is None or task.state != HumanTask.OPEN or not actor.may_work(task):
        return Received()
    fields = runtime().view(session(), task_id).step.form
    return receive(task, fields, request.files, actor.username)


def receive(
    task: HumanTask,
    fields: list[FormField],
    files: MultiDict[str, FileStorage],
    username: str,
) -> Received:
    """Keep the files posted for the ``file`` fields of ``task``'s form."""
    received = Received()
    keeper = store()
    for form_field in fields:
        if form_field.type != "file":
            continue
        posted = [item for item in files.getlist(form_field.id) if item.filename]
        if not posted:
            continue
        received.chosen.add(form_field.id)
        if len(posted) > MAX_FILES_PER_FIELD:
            message = f"一次最多上传 {MAX_FILES_PER_FIELD} 个文件"
            received.errors.append(FieldError(form_field.id, message))
            continue

        where = Where(
            business_key=task.business_key,
            instance_id=task.instance_id,
            task_id=task.id,
            step_id=task.step_id,
            field_id=form_field.id,
        )
        for item in posted:
            try:
                saved = keeper.save(
                    session(), item.stream, item.filename or "", where, username
                )
            except UploadRejected as exc:
                received.errors.append(FieldError(form_field.id, str(exc)))
                continue
            received.ids.setdefault(form_field.id, []).append(saved.id)
    return received


def refuse(
    task_id: str, values: Mapping[str, Any], errors: list[FieldError]
) -> NoReturn:
    """Raise ``FormInvalid`` with the refused files and the rest of the form's
    problems, so the person sees every problem at once."""
    refused = {error.field for error in errors}
    try:
        runtime().check_form(session(), task_id, values)
        others: list[FieldError] = []
    except FormInvalid as exc:
        others = [error for error in exc.errors if error.field not in refused]
    raise FormInvalid(errors + others)
