"""Social-service endpoints (社会化服务): the catalogue, applying, requesting.

Every step after the start (vetting, answering, delivery, rating, complaints) is
a task of the flow, worked through ``/tasks``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.directory import User
from engine.errors import PermissionDenied
from engine.models import HumanTask
from webapp import catalogue
from webapp.api import bp
from webapp.api.auth import actor_of, current_user
from webapp.api.tasks import MAX_OFFSET, _number_arg
from webapp.extensions import db, runtime, session


# Known shortcoming: a registered enterprise's API token (webapp.api.auth) serves
# its appeals only and is refused here (403); over the API, a request for a
# service comes from a directory account with the ``enterprise`` role (an
# integration acting for enterprises), and its requests are listed under that
# account. Registered enterprises request services on the pages (/services).
def _caller(role: str) -> User:
    user = current_user()
    assert user is not None
    if role not in user.role_list:
        who = "服务机构" if role == "organisation" else "企业"
        raise PermissionDenied(f"只有{who}账号可以这样做。")
    return user


def _started(task: HumanTask | None) -> Any:
    """201 with the step the caller fills in next (its form: GET /tasks/{id})."""
    db.session.commit()
    body = {
        "task_id": task.id if task else None,
        "step_id": task.step_id if task else None,
    }
    return jsonify(body), 201


@bp.get("/services")
def list_services() -> Any:
    """The public catalogue: published services of admitted organisations."""
    limit = _number_arg("limit", 20, 1, 200)
    offset = _number_arg("offset", 0, 0, MAX_OFFSET)
    page = catalogue.catalogue(
        session(),
        service_type=request.args.get("type") or None,
        area=request.args.get("area") or None,
        text=(request.args.get("q") or "")[:100] or None,
        limit=limit,
        offset=offset,
    )
    items = [record.as_dict() for record in page.records]
    return jsonify(items=items, total=page.total, limit=limit, offset=offset)


@bp.get("/services/<key>")
def get_service(key: str) -> Any:
    """One published service."""
    return jsonify(catalogue.published_service(session(), key).as_dict())


@bp.post("/services/<key>/requests")
def request_service(key: str) -> Any:
    """An enterprise requests a service; answers the first step of its request."""
    user = _caller("enterprise")
    task = catalogue.request_service(session(), runtime(), key, actor_of(user))
    return _started(task)


@bp.post("/organisation-applications")
def apply_as_organisation() -> Any:
    """An organisation account starts its admission; answers the application step."""
    user = _caller("organisation")
    data = {"applicant_group": catalogue.personal_group(user.username)}
    task = catalogue.start_for(
        session(), runtime(), catalogue.ADMISSION_PROCESS, actor_of(user), data
    )
    return _started(task)


@bp.get("/service-requests")
def list_service_requests() -> Any:
    """The caller's service requests: made by an enterprise, or made to an
    organisation."""
    user = current_user()
    assert user is not None
    side = "organisation" if "organisation" in user.role_list else "requester"
    group = catalogue.personal_group(user.username)
    items = catalogue.requests_of(session(), group, side=side)
    return jsonify(items=items, total=len(items))
