"""Staff appeal detail (诉求详情): the appeal, its steps and its audit trail.

Overseers see every appeal; a department sees the appeals it was ever asked to
work on; a hotline operator sees the appeals they entered; nobody else sees any.
"""

from __future__ import annotations

import logging

from flask import Response, render_template, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from engine import attachments
from engine.appeals.models import CHANNELS, RATINGS, Appeal
from engine.appeals.service import RESULT_STATUSES
from engine.appeals.timeline import timeline
from engine.models import HumanTask
from engine.runtime import URGER_GROUP
from webapp import uploads
from webapp.deploying import appeal_diagram
from webapp.extensions import db, session
from webapp.staff import bp
from webapp.staff.operations import colleagues

logger = logging.getLogger(__name__)

# Roles that may read any appeal of the platform.
APPEAL_READERS = {"dispatcher", "reviewer", "admin", "followup"}
HOTLINE_ROLE = "hotline"


def _may_see(appeal: Appeal, steps: list[HumanTask]) -> bool:
    """Whether the signed-in user may read ``appeal`` with these human steps."""
    roles = set(current_user.roles)
    if APPEAL_READERS.intersection(roles):
        return True

    department = current_user.user.department_code
    if department and any(step.candidate_group == department for step in steps):
        return True

    return HOTLINE_ROLE in roles and appeal.submitted_by == current_user.username


def _steps_of(number: str) -> list[HumanTask]:
    query = (
        select(HumanTask)
        .where(HumanTask.business_key == number)
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    return list(db.session.scalars(query))


def _readable(number: str) -> Appeal | None:
    """The appeal if the signed-in user may read it; None as if it did not exist."""
    appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
    if appeal is None or not _may_see(appeal, _steps_of(appeal.number)):
        return None
    return appeal


def _may_download(attachment: attachments.Attachment) -> bool:
    number = attachment.business_key
    if number and db.session.scalar(select(Appeal.id).where(Appeal.number == number)):
        return _readable(number) is not None
    steps = db.session.scalars(
        select(HumanTask).where(HumanTask.instance_id == attachment.instance_id)
    )
    actor = current_user.actor
    return any(
        actor.may_work(step) or step.completed_by == actor.username for step in steps
    )


@bp.get("/staff/appeals/<number>")
@login_required
def appeal_detail(number: str) -> tuple[str, int]:
    """One appeal with contact data, open and finished steps, and the timeline."""
    appeal = _readable(number)
    if appeal is None:
        return _not_found(number)

    steps = _steps_of(appeal.number)

    actor = current_user.actor
    open_steps = [step for step in steps if step.state == HumanTask.OPEN]
    finished = [step for step in steps if step.state != HumanTask.OPEN]
    workable = {step.id for step in open_steps if actor.may_work(step)}
    transferable = {
        step.id: colleagues(step, actor.username)
        for step in open_steps
        if step.id in workable
    }
    result = appeal.result if appeal.status in RESULT_STATUSES else None

    page = render_template(
        "staff/appeal_detail.html",
        appeal=appeal,
        channel_label=CHANNELS.get(appeal.channel, appeal.channel),
        rating_label=RATINGS.get(appeal.rating or ""),
        result=result,
        open_steps=open_steps,
        finished=finished,
        workable=workable,
        transferable=transferable,
        may_urge=URGER_GROUP in actor.groups,
        events=timeline(session(), appeal.number, staff=True),
        process_diagram=appeal_diagram(appeal),
        attachments=attachments.of_appeal(session(), appeal.number),
        step_names={step.step_id: step.step_name for step in steps},
    )
    return page, 200


@bp.get("/staff/attachments/<int:attachment_id>")
@login_required
def download_attachment(attachment_id: int) -> Response | tuple[str, int]:
    """An attachment's file, for whoever may read its appeal or, in a flow with
    no appeal, whoever may work one of its instance's steps."""
    attachment = db.session.get(attachments.Attachment, attachment_id)
    if attachment is None or not _may_download(attachment):
        return _not_found(str(attachment_id))
    number = attachment.business_key or f"instance {attachment.instance_id}"

    path = uploads.store().path_of(attachment.sha256)
    if not path.is_file():
        logger.error("attachment %s: file %s is missing", attachment.id, path)
        return _not_found(number)
    logger.info(
        "attachment %s of %s downloaded by %s",
        attachment.id,
        number,
        current_user.username,
    )
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _not_found(number: str) -> tuple[str, int]:
    # An unknown number and a hidden appeal answer alike.
    db.session.rollback()
    logger.info("appeal %s not shown to %s", number, current_user.username)
    return render_template("staff/not_found.html"), 404
