"""Service pages: the public catalogue, a service, requesting it, my requests."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from engine import records, tasks
from engine.errors import NotFound, ScriptFailed
from webapp import catalogue
from webapp.extensions import db, runtime, session
from webapp.services import bp

logger = logging.getLogger(__name__)

PAGE_SIZE = 20

UNAVAILABLE = "该服务已暂停或已下架，暂不接受申请。请在服务目录中查看其他服务。"
UNKNOWN = "没有找到该服务，请在服务目录中查找。"

Page = str | tuple[str, int]


def _unavailable(key: str) -> tuple[str, int]:
    """A service out of the catalogue: suspended, withdrawn, or never there."""
    db.session.rollback()
    known = records.find(session(), catalogue.SERVICES, key) is not None
    message = UNAVAILABLE if known else UNKNOWN
    return render_template("services/unavailable.html", message=message), 404


@bp.get("")
def index() -> str:
    """The catalogue (服务目录): filters by type and area, and a search box."""
    filters = {
        "type": request.args.get("type", "").strip(),
        "area": request.args.get("area", "").strip(),
        "q": request.args.get("q", "").strip()[:100],
    }
    page = catalogue.catalogue(
        session(),
        service_type=filters["type"] or None,
        area=filters["area"] or None,
        text=filters["q"] or None,
        limit=PAGE_SIZE,
    )
    return render_template(
        "services/catalogue.html",
        page=page,
        filters=filters,
        types=catalogue.choices(session(), "service_type"),
        areas=catalogue.choices(session(), "area"),
    )


@bp.get("/<key>")
def service(key: str) -> Page:
    """One published service and the button to request it."""
    try:
        record = catalogue.published_service(session(), key)
    except NotFound:
        return _unavailable(key)
    return render_template("services/service.html", service=record.as_dict())


@bp.post("/<key>/request")
@login_required
def request_service(key: str) -> Page | Response:
    """Start a request; the enterprise then describes its need in the first step."""
    if not current_user.is_enterprise:
        flash("请以注册企业账号登录后申请服务。", "error")
        return redirect(url_for("services.service", key=key))
    try:
        task = catalogue.request_service(session(), runtime(), key, current_user.actor)
        db.session.commit()
    except NotFound:
        return _unavailable(key)
    except ScriptFailed as exc:
        db.session.rollback()
        logger.exception("request of service %s failed in a script", key)
        flash(exc.message, "error")
        return redirect(url_for("services.index"))
    if task is None:
        flash("该服务暂不接受申请。", "error")
        return redirect(url_for("services.mine"))
    return redirect(url_for("services.step", task_id=task.id))


@bp.get("/mine")
@login_required
def mine() -> str:
    """An enterprise's requests, or an organisation's admission, services and the
    requests made to it."""
    actor = current_user.actor
    group = catalogue.personal_group(current_user.username)
    is_organisation = "organisation" in actor.groups
    return render_template(
        "services/mine.html",
        steps=tasks.inbox(session(), actor, limit=tasks.MAX_PAGE).tasks,
        is_organisation=is_organisation,
        organisation=catalogue.organisation_of(session(), group)
        if is_organisation
        else None,
        services=catalogue.services_of(session(), group) if is_organisation else [],
        requests=catalogue.requests_of(
            session(), group, side="organisation" if is_organisation else "requester"
        ),
        labels=catalogue.STATUS_LABELS,
        ratings=catalogue.RATING_LABELS,
    )
