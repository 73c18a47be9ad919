"""Information maintainers' pages (信息维护): list, write, publish and withdraw.

Only accounts with the role ``maintainer`` see these pages; others get the staff
"not found" page, as for the hotline entry. Every change goes through
``engine.policies.service``, which keeps the audit trail.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from engine.errors import Conflict, FormInvalid, NotFound
from engine.policies import service
from engine.policies.form import LABELS, attachments_text
from engine.policies.models import (
    INDUSTRIES,
    KINDS,
    LEVELS,
    SIZES,
    STATUSES,
    Policy,
)
from engine.policies.search import parse_page
from webapp.extensions import db, session
from webapp.policies import bp
from webapp.portal.views import errors_by_field

logger = logging.getLogger(__name__)

PAGE_SIZE = 50
_MANY = ("industries", "enterprise_sizes")


def _allowed() -> bool:
    return service.MAINTAINER in current_user.roles


def _not_found() -> Response:
    db.session.rollback()
    return make_response(render_template("staff/not_found.html"), 404)


@bp.get("/staff/policies")
@login_required
def maintain_list() -> Response:
    """Every item, newest change first, narrowed by status."""
    if not _allowed():
        return _not_found()
    status = request.args.get("status", "")
    query = select(Policy)
    if status in STATUSES:
        query = query.where(Policy.status == status)
    total = session().scalar(select(func.count()).select_from(query.subquery())) or 0
    page = parse_page(request.args.get("page"))
    items = session().scalars(
        query.order_by(Policy.updated_at.desc(), Policy.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    )
    return _page(
        "policies/maintain_list.html",
        items=list(items),
        chosen_status=status,
        total=total,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.route("/staff/policies/new", methods=["GET", "POST"])
@login_required
def maintain_new() -> Response:
    """Write a new item; it is saved as a draft."""
    if not _allowed():
        return _not_found()
    if request.method == "GET":
        kind = request.args.get("kind", "policy")
        return _form_page(None, values={"kind": kind, "level": "municipal"}, errors={})

    values = _posted()
    try:
        policy = service.create(session(), values, current_user.actor)
    except FormInvalid as exc:
        db.session.rollback()
        return _form_page(None, values, errors_by_field(exc.errors), exc.message)
    db.session.commit()
    flash(f"已保存草稿：{policy.title}")
    return redirect(url_for("policies.maintain_edit", policy_id=policy.id))


@bp.route("/staff/policies/<int:policy_id>/edit", methods=["GET", "POST"])
@login_required
def maintain_edit(policy_id: int) -> Response:
    """Edit an item in any status; a published one changes on the site at once."""
    if not _allowed():
        return _not_found()
    try:
        policy = service.get(session(), policy_id)
    except NotFound:
        return _not_found()
    if request.method == "GET":
        return _form_page(policy, _values_of(policy), errors={})

    values = _posted()
    try:
        service.update(session(), policy_id, values, current_user.actor)
    except FormInvalid as exc:
        db.session.rollback()
        policy = service.get(session(), policy_id)
        return _form_page(policy, values, errors_by_field(exc.errors), exc.message)
    db.session.commit()
    flash("已保存修改。")
    return redirect(url_for("policies.maintain_edit", policy_id=policy_id))


@bp.post("/staff/policies/<int:policy_id>/publish")
@login_required
def maintain_publish(policy_id: int) -> Response:
    """Publish a draft or a withdrawn item."""
    if not _allowed():
        return _not_found()
    return _change(
        policy_id,
        lambda: service.publish(session(), policy_id, current_user.actor),
        "已发布。",
    )


@bp.post("/staff/policies/<int:policy_id>/withdraw")
@login_required
def maintain_withdraw(policy_id: int) -> Response:
    """Withdraw a published item, with the reason."""
    if not _allowed():
        return _not_found()
    reason = request.form.get("reason", "")
    return _change(
        policy_id,
        lambda: service.withdraw(session(), policy_id, current_user.actor, reason),
        "已撤回，该条目不再公开，也不会出现在搜索结果中。",
    )


def _change(policy_id: int, action: Any, done: str) -> Response:
    try:
        action()
    except (Conflict, NotFound) as exc:
        db.session.rollback()
        flash(exc.message, "error")
    except FormInvalid as exc:
        db.session.rollback()
        flash("；".join(error.message for error in exc.errors), "error")
    else:
        db.session.commit()
        flash(done)
    return redirect(url_for("policies.maintain_edit", policy_id=policy_id))


def _posted() -> dict[str, Any]:
    values: dict[str, Any] = {name: request.form.get(name, "") for name in LABELS}
    for name in _MANY:
        values[name] = request.form.getlist(name)
    return values


def _values_of(policy: Policy) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in LABELS:
        value = getattr(policy, name)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        values[name] = "" if value is None else value
    values["industries"] = policy.industry_list
    values["enterprise_sizes"] = policy.size_list
    values["attachments"] = attachments_text(policy.attachments)
    values["parent_id"] = str(policy.parent_id or "")
    return values


def _form_page(
    policy: Policy | None,
    values: dict[str, Any],
    errors: dict[str, list[str]],
    summary: str | None = None,
) -> Response:
    history = service.history(session(), policy) if policy else []
    return _page(
        "policies/maintain_form.html",
        status=422 if errors else 200,
        policy=policy,
        values=values,
        errors=errors,
        summary=summary,
        history=history,
    )


def _page(template: str, *, status: int = 200, **context: Any) -> Response:
    context.update(
        kinds=KINDS,
        levels=LEVELS,
        statuses=STATUSES,
        industries=INDUSTRIES,
        sizes=SIZES,
    )
    return make_response(render_template(template, **context), status)
