"""The social-service flow (社会化服务, clause 5.3) run by the engine alone.

Both processes are written only in BPMN; these tests drive every branch through
the runtime and read the business records the scripts keep: admission (approve,
reject), publication, requests (accept, decline, silence escalated by the
deadline timer), delivery, rating, and complaints (warn, suspend).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import time_machine
from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import PDF, REPOSITORY
from engine import deployment, records, tasks
from engine.attachments import AttachmentStore, Where
from engine.clock import SHANGHAI
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor, Runtime
from engine.timers import sweep
from webapp.extensions import db, runtime

DISPATCHER = Actor("dispatcher", frozenset({"dispatcher"}))
ORG = Actor("org-a", frozenset({"organisation", "user:org-a"}))
ENTERPRISE = Actor("ent-a", frozenset({"enterprise", "user:ent-a"}))
CREDIT_CODE = "52321100MJ1234567X"

APPLICATION = {
    "organisation_name": "镇江启航创业服务中心",
    "credit_code": CREDIT_CODE,
    "service_type": "创业辅导",
    "contact_name": "王敏",
    "phone": "0511-85012345",
}
SERVICE = {
    "service_type": "创业辅导",
    "title": "初创企业商业计划书辅导",
    "description": "一对一辅导商业计划书撰写，两次面谈。",
    "price": "免费",
    "area": "京口区",
}


def at(text: str) -> datetime:
    """A Beijing time, e.g. ``at("2026-10-08 08:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def sessions(app: Flask) -> Iterator[sessionmaker[Session]]:
    with app.app_context():
        for name in ("organisation_admission", "social_service"):
            path = REPOSITORY / "workflows" / f"{name}.bpmn"
            deployment.deploy_path(db.session, path, deployed_by="tests")
        db.session.commit()
        yield sessionmaker(db.engine)


@pytest.fixture
def rt(app: Flask) -> Runtime:
    with app.app_context():
        return runtime()


def _task(session: Session, instance_id: int, step_id: str) -> HumanTask:
    task = tasks.open_step(session, instance_id, step_id)
    assert task is not None, step_id
    return task


def _complete(
    sessions: sessionmaker[Session],
    rt: Runtime,
    instance_id: int,
    step_id: str,
    values: dict[str, Any],
    actor: Actor,
) -> None:
    with sessions() as session:
        task = _task(session, instance_id, step_id)
        rt.complete(session, task.id, values, actor)
        session.commit()


def _start(
    sessions: sessionmaker[Session], rt: Runtime, key: str, data: dict[str, Any]
) -> int:
    with sessions() as session:
        instance = rt.start(session, key, actor=Actor("web"), data=data)
        session.commit()
        return instance.id


def _record(
    sessions: sessionmaker[Session], collection: str, key: str
) -> dict[str, Any]:
    with sessions() as session:
        return records.get(session, collection, key).as_dict()


def _apply(sessions: sessionmaker[Session], rt: Runtime) -> int:
    """Apply with a scanned licence kept in the attachment store, as the page does."""
    admission = _start(
        sessions, rt, "organisation_admission", {"applicant_group": "user:org-a"}
    )
    with sessions() as session:
        task = _task(session, admission, "apply")
        where = Where(task.business_key, admission, task.id, task.step_id, "licence")
        store = AttachmentStore(current_app.config["BANGBAN_ATTACHMENTS_DIR"])
        licence = store.save(session, io.BytesIO(PDF), "执照.pdf", where, ORG.username)
        rt.complete(session, task.id, {**APPLICATION, "licence": [licence.id]}, ORG)
        session.commit()
    return admission


def _admitted_with_service(sessions: sessionmaker[Session], rt: Runtime) -> int:
    admission = _apply(sessions, rt)
    _complete(
        sessions, rt, admission, "vet_organisation", {"decision": "approve"}, DISPATCHER
    )
    _complete(sessions, rt, admission, "publish_service", SERVICE, ORG)
    return admission


def _catalogue(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        page = records.query(session, "service", statuses={"published"})
        return [record.data["title"] for record in page.records]


def _request(sessions: sessionmaker[Session], rt: Runtime) -> tuple[int, str]:
    """The enterprise requests the organisation's first service; returns the
    instance and the request's record key."""
    instance_id = _start(
        sessions,
        rt,
        "social_service",
        {"service_key": f"{CREDIT_CODE}-1", "requester_group": "user:ent-a"},
    )
    need = {
        "enterprise_name": "镇江恒泰精密机械有限公司",
        "need": "准备申报市级创业项目，需要商业计划书辅导。",
        "phone": "13805291234",
    }
    _complete(sessions, rt, instance_id, "describe_need", need, ENTERPRISE)
    with sessions() as session:
        page = records.query(
            session, "service_request", fields={"requester_group": "user:ent-a"}
        )
        return instance_id, page.records[0].key


def test_vetting_approves_and_published_service_enters_catalogue(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    admission = _apply(sessions, rt)
    assert _record(sessions, "organisation", CREDIT_CODE)["status"] == "pending"
    with sessions() as session:
        vet = _task(session, admission, "vet_organisation")
        assert vet.candidate_group == "dispatcher"

    _complete(
        sessions, rt, admission, "vet_organisation", {"decision": "approve"}, DISPATCHER
    )
    assert _record(sessions, "organisation", CREDIT_CODE)["status"] == "approved"
    _complete(sessions, rt, admission, "publish_service", SERVICE, ORG)

    service = _record(sessions, "service", f"{CREDIT_CODE}-1")
    assert service["status"] == "published"
    assert service["organisation_name"] == "镇江启航创业服务中心"
    assert _catalogue(sessions) == ["初创企业商业计划书辅导"]
    with sessions() as session:
        # The organisation can publish another service at once.
        assert _task(session, admission, "publish_service").candidate_group == (
            "user:org-a"
        )
        written = records.get(session, "service", f"{CREDIT_CODE}-1")
        assert written.instance_id == admission


def test_vetting_rejects_with_reason(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    admission = _apply(sessions, rt)
    values = {"decision": "reject", "reason": "营业执照已过期"}
    _complete(sessions, rt, admission, "vet_organisation", values, DISPATCHER)

    organisation = _record(sessions, "organisation", CREDIT_CODE)
    assert organisation["status"] == "rejected"
    assert organisation["rejection_reason"] == "营业执照已过期"
    with sessions() as session:
        instance = session.get(ProcessInstance, admission)
        assert instance is not None and instance.completed
        assert instance.status == "rejected"


def test_accepted_request_is_delivered_and_rated(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    instance_id, key = _request(sessions, rt)
    with sessions() as session:
        answer = _task(session, instance_id, "answer_request")
        assert answer.candidate_group == "user:org-a"
        assert answer.due_at is not None

    _complete(sessions, rt, instance_id, "answer_request", {"decision": "accept"}, ORG)
    assert _record(sessions, "service_request", key)["status"] == "accepted"
    delivery = {
        "delivery_note": "完成两次面谈，修改计划书。",
        "delivered_on": "2026-12-04",
    }
    _complete(sessions, rt, instance_id, "record_delivery", delivery, ORG)
    assert _record(sessions, "service_request", key)["status"] == "delivered"
    _complete(
        sessions,
        rt,
        instance_id,
        "rate_service",
        {"rating": "satisfied", "rating_comment": "很专业"},
        ENTERPRISE,
    )

    request = _record(sessions, "service_request", key)
    assert request["status"] == "rated"
    assert request["rating"] == "satisfied"
    assert request["delivery_note"] == "完成两次面谈，修改计划书。"
    assert request["delivered_on"] == "2026-12-04"
    with sessions() as session:
        instance = session.get(ProcessInstance, instance_id)
        assert instance is not None and instance.completed


def test_declined_request_keeps_the_reason(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    instance_id, key = _request(sessions, rt)
    values = {"decision": "decline", "reason": "本月辅导名额已满"}
    _complete(sessions, rt, instance_id, "answer_request", values, ORG)

    request = _record(sessions, "service_request", key)
    assert request["status"] == "declined"
    assert request["decline_reason"] == "本月辅导名额已满"


def test_silence_past_the_deadline_escalates_to_the_platform(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    # Requested on Wednesday 30 September: 2 working days reach past the
    # National Day week, to the end of Friday 9 October.
    with time_machine.travel(at("2026-09-30 17:00"), tick=False):
        instance_id, key = _request(sessions, rt)
    assert _record(sessions, "service_request", key)["answer_due"] == (
        "2026-10-10T00:00:00+08:00"
    )

    with time_machine.travel(at("2026-10-09 12:00"), tick=False):
        sweep(sessions, rt)
    with sessions() as session:
        assert _task(session, instance_id, "answer_request").warned
        assert (
            session.scalar(
                select(HumanTask).where(HumanTask.step_id == "escalate_answer")
            )
            is None
        )

    with time_machine.travel(at("2026-10-10 08:00"), tick=False):
        sweep(sessions, rt)
    with sessions() as session:
        escalation = _task(session, instance_id, "escalate_answer")
        assert escalation.candidate_group == "dispatcher"
        assert _task(session, instance_id, "answer_request").overdue


def test_suspension_removes_the_organisation_from_the_catalogue(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    instance_id, key = _request(sessions, rt)
    _complete(sessions, rt, instance_id, "answer_request", {"decision": "accept"}, ORG)
    delivery = {"delivery_note": "仅电话沟通五分钟。", "delivered_on": "2026-12-04"}
    _complete(sessions, rt, instance_id, "record_delivery", delivery, ORG)
    rating = {"rating": "dissatisfied", "complaint": "未按承诺提供面谈辅导。"}
    _complete(sessions, rt, instance_id, "rate_service", rating, ENTERPRISE)
    assert _record(sessions, "service_request", key)["status"] == "complained"

    decision = {"sanction": "suspend", "complaint_note": "经核实服务不实，暂停入驻。"}
    _complete(sessions, rt, instance_id, "handle_complaint", decision, DISPATCHER)

    assert _record(sessions, "organisation", CREDIT_CODE)["status"] == "suspended"
    assert _catalogue(sessions) == []
    # A new request for the suspended organisation's service is refused.
    refused = _start(
        sessions,
        rt,
        "social_service",
        {"service_key": f"{CREDIT_CODE}-1", "requester_group": "user:ent-a"},
    )
    with sessions() as session:
        instance = session.get(ProcessInstance, refused)
        assert instance is not None and instance.status == "unavailable"


def test_warning_keeps_the_organisation_listed(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    instance_id, _key = _request(sessions, rt)
    _complete(sessions, rt, instance_id, "answer_request", {"decision": "accept"}, ORG)
    delivery = {"delivery_note": "完成辅导。", "delivered_on": "2026-12-04"}
    _complete(sessions, rt, instance_id, "record_delivery", delivery, ORG)
    rating = {"rating": "basically_satisfied", "complaint": "迟到半小时。"}
    _complete(sessions, rt, instance_id, "rate_service", rating, ENTERPRISE)
    decision = {"sanction": "warn", "complaint_note": "已提醒机构守时。"}
    _complete(sessions, rt, instance_id, "handle_complaint", decision, DISPATCHER)

    organisation = _record(sessions, "organisation", CREDIT_CODE)
    assert organisation["status"] == "approved"
    assert organisation["warnings"] == 1
    assert _catalogue(sessions) == ["初创企业商业计划书辅导"]


def test_read_only_fields_keep_the_flow_data(
    sessions: sessionmaker[Session], rt: Runtime
) -> None:
    _admitted_with_service(sessions, rt)
    instance_id, key = _request(sessions, rt)
    # The answer form shows the need read-only; a value sent for it is ignored.
    values = {"decision": "accept", "need": "改写的需求"}
    _complete(sessions, rt, instance_id, "answer_request", values, ORG)

    request = _record(sessions, "service_request", key)
    assert request["service_title"] == "初创企业商业计划书辅导"
    assert request["need"] == "准备申报市级创业项目，需要商业计划书辅导。"
