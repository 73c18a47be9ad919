"""The social-service catalogue and flow starts, shared by pages and API (社会化服务).

The flows and the collections their scripts write are named here once.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from engine import records, tasks
from engine.directory import PERSONAL_GROUP
from engine.errors import NotFound
from engine.models import HumanTask
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

ADMISSION_PROCESS = "organisation_admission"
REQUEST_PROCESS = "social_service"
SERVICES = "service"
REQUESTS = "service_request"
ORGANISATIONS = "organisation"
PUBLISHED = "published"

# How the records' statuses read (the BPMN scripts set them).
STATUS_LABELS = {
    "pending": "待审核",
    "approved": "已入驻",
    "rejected": "未获准入驻",
    "suspended": "已暂停",
    "published": "已发布",
    "requested": "待机构答复",
    "accepted": "机构已接受",
    "declined": "机构不能提供",
    "delivered": "已服务，待评价",
    "rated": "已评价",
    "complained": "已投诉，平台处理中",
    "complaint_handled": "投诉已处理",
}
RATING_LABELS = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "dissatisfied": "不满意",
}


def personal_group(username: str) -> str:
    """The candidate group of steps addressed to this account alone."""
    return PERSONAL_GROUP + username


def catalogue(
    session: Session,
    *,
    service_type: str | None = None,
    area: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> records.RecordPage:
    """Published services, filtered by type and area, searched by text."""
    fields = {
        name: value
        for name, value in (("service_type", service_type), ("area", area))
        if value
    }
    return records.query(
        session,
        SERVICES,
        statuses={PUBLISHED},
        fields=fields,
        text=text or None,
        limit=limit,
        offset=offset,
    )


def choices(session: Session, field: str) -> list[str]:
    """The distinct values of ``field`` among published services, sorted."""
    page = records.query(
        session, SERVICES, statuses={PUBLISHED}, limit=records.MAX_PAGE
    )
    return sorted({str(r.data[field]) for r in page.records if r.data.get(field)})


def published_service(session: Session, key: str) -> records.BusinessRecord:
    """The service if it is in the catalogue; NotFound otherwise."""
    record = records.find(session, SERVICES, key)
    if record is None or record.status != PUBLISHED:
        raise NotFound("该服务不存在或已下架。")
    return record


def start_for(
    session: Session,
    runtime: Runtime,
    process_key: str,
    actor: Actor,
    data: dict[str, Any],
) -> HumanTask | None:
    """Start ``process_key`` for ``actor``; the first step they fill in, if any."""
    instance = runtime.start(session, process_key, actor=actor, data=data)
    return tasks.first_open_task(session, instance.id, actor)


def request_service(
    session: Session, runtime: Runtime, key: str, actor: Actor
) -> HumanTask | None:
    """An enterprise asks for a published service: the request flow starts."""
    service = published_service(session, key)
    data = {
        "service_key": service.key,
        "requester_group": personal_group(actor.username),
    }
    task = start_for(session, runtime, REQUEST_PROCESS, actor, data)
    logger.info("service %s requested by %s", service.key, actor.username)
    return task


def requests_of(session: Session, group: str, *, side: str) -> list[dict[str, Any]]:
    """Service requests made by (``side="requester"``) or made to
    (``"organisation"``) the account whose personal group is ``group``."""
    page = records.query(
        session, REQUESTS, fields={f"{side}_group": group}, limit=records.MAX_PAGE
    )
    return [record.as_dict() for record in page.records]


def services_of(session: Session, group: str) -> list[dict[str, Any]]:
    """Every service the organisation account published, whatever its status."""
    page = records.query(
        session,
        SERVICES,
        fields={"organisation_group": group},
        limit=records.MAX_PAGE,
    )
    return [record.as_dict() for record in page.records]


def organisation_of(session: Session, group: str) -> dict[str, Any] | None:
    """The organisation record the account applied with, if it applied."""
    page = records.query(session, ORGANISATIONS, fields={"group": group}, limit=1)
    return page.records[0].as_dict() if page.records else None
