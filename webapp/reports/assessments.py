"""Recording scored assessments of departments (第三方评价, 专家评议)."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine.directory import Department
from engine.errors import FormInvalid
from engine.evaluation import assessments
from engine.evaluation.definitions import ASSESSMENT_KINDS
from webapp.extensions import db, session
from webapp.reports import bp
from webapp.reports.access import ASSESSORS, require

logger = logging.getLogger(__name__)


def _form(
    values: dict[str, str], errors: dict[str, str], status: int
) -> tuple[str, int]:
    departments = db.session.scalars(
        db.select(Department).where(Department.active).order_by(Department.code)
    ).all()
    page = render_template(
        "reports/assess.html",
        values=values,
        errors=errors,
        departments=departments,
        kinds=ASSESSMENT_KINDS,
    )
    return page, status


@bp.get("/assessments/new")
@login_required
def new_assessment() -> tuple[str, int]:
    """The form an assessor or expert fills in."""
    require(ASSESSORS)
    kind = "expert" if "expert" in current_user.roles else "third_party"
    return _form({"kind": kind}, {}, 200)


@bp.post("/assessments/new")
@login_required
def record_assessment() -> Response | tuple[str, int]:
    """Store the assessment; a rejected form comes back with what was typed."""
    require(ASSESSORS)
    values = {key: request.form.get(key, "") for key in request.form}
    try:
        assessments.record(session(), values, assessor=current_user.username)
    except FormInvalid as exc:
        db.session.rollback()
        return _form(values, {e.field: e.message for e in exc.errors}, 422)
    db.session.commit()
    flash("评价已保存。", "info")
    return redirect(url_for("reports.dashboard"))
