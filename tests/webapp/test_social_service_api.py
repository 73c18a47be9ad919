"""The social-service flow (社会化服务) through the JSON API, as its users drive it.

An organisation applies and the platform vets it; the organisation publishes; an
enterprise finds the service in the catalogue, requests it, and rates it; a
complaint leads the platform to suspend the organisation. Timers are the engine
tests' business (tests/engine/test_social_service.py).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from conftest import PASSWORD, PDF, REPOSITORY, Api
from engine import deployment, records
from engine.directory import create_user
from webapp.cli import main
from webapp.extensions import db

CREDIT_CODE = "52321100MJ7654321Y"
APPLICATION = {
    "organisation_name": "镇江知识产权维权援助站",
    "credit_code": CREDIT_CODE,
    "service_type": "法律维权",
    "contact_name": "孙律师",
    "phone": "0511-80001111",
}
SERVICE = {
    "service_type": "法律维权",
    "title": "专利侵权纠纷咨询",
    "description": "律师解答专利侵权认定与维权途径，提供书面意见。",
    "price": "免费",
    "area": "丹徒区",
}


@pytest.fixture
def social(app: Flask, api: Api) -> Api:
    """The API with both social-service processes deployed and two accounts."""
    with app.app_context():
        for name in ("organisation_admission", "social_service"):
            path = REPOSITORY / "workflows" / f"{name}.bpmn"
            deployment.deploy_path(db.session, path, deployed_by="tests")
        for username, role in (("org-ip", "organisation"), ("ent-1", "enterprise")):
            create_user(
                db.session, username, PASSWORD, display_name=username, roles=[role]
            )
        db.session.commit()
    return api


def _complete(api: Api, user: str, task_id: str, values: dict[str, Any]) -> None:
    response = api.post(f"/tasks/{task_id}/complete", {"values": values}, user)
    assert response.status_code == 200, response.json


def _task(api: Api, user: str, step_id: str) -> str:
    items = api.get("/tasks", user, step_id=step_id).json["items"]
    assert len(items) == 1, (step_id, items)
    task_id: str = items[0]["id"]
    return task_id


def _apply(api: Api) -> None:
    started = api.post("/organisation-applications", {}, "org-ip")
    assert started.status_code == 201
    assert started.json["step_id"] == "apply"
    # The licence scan goes up with the form, as multipart.
    response = api.client.post(
        f"/api/v1/tasks/{started.json['task_id']}/complete",
        data={
            "values": json.dumps(APPLICATION),
            "licence": (io.BytesIO(PDF), "知识产权援助站执照.pdf"),
        },
        headers={"Authorization": f"Bearer {api.login('org-ip')}"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.json


def _admit_and_publish(api: Api) -> str:
    _apply(api)
    vet = _task(api, "dispatcher", "vet_organisation")
    _complete(api, "dispatcher", vet, {"decision": "approve"})
    _complete(api, "org-ip", _task(api, "org-ip", "publish_service"), SERVICE)
    items = api.get("/services", q="专利").json["items"]
    assert [item["title"] for item in items] == ["专利侵权纠纷咨询"]
    key: str = items[0]["key"]
    return key


def _request(api: Api, key: str) -> str:
    started = api.post(f"/services/{key}/requests", {}, "ent-1")
    assert started.status_code == 201
    need = {
        "enterprise_name": "镇江恒泰精密机械有限公司",
        "need": "竞争对手仿制我司专利产品，咨询维权途径。",
        "contact_phone": "13805291234",
    }
    _complete(api, "ent-1", started.json["task_id"], need)
    return _task(api, "org-ip", "answer_request")


def test_vetting_shows_the_application_and_rejects_with_reason(social: Api) -> None:
    _apply(social)
    vet_id = _task(social, "dispatcher", "vet_organisation")
    # The organisation cannot vet itself.
    assert social.get("/tasks", "org-ip", step_id="vet_organisation").json["total"] == 0

    missing = social.post(
        f"/tasks/{vet_id}/complete", {"values": {"decision": "reject"}}, "dispatcher"
    )
    assert missing.status_code == 422
    assert missing.json["error"]["fields"][0]["field"] == "reason"
    _complete(
        social, "dispatcher", vet_id, {"decision": "reject", "reason": "资质不符"}
    )

    assert social.get("/services").json["total"] == 0
    assert social.get("/tasks", "org-ip", step_id="publish_service").json["total"] == 0


def test_approved_organisation_publishes_into_the_filtered_catalogue(
    social: Api,
) -> None:
    key = _admit_and_publish(social)

    assert social.get("/services", type="法律维权").json["total"] == 1
    assert social.get("/services", type="创业辅导").json["total"] == 0
    assert social.get("/services", area="丹徒区").json["total"] == 1
    assert social.get("/services", area="京口区").json["total"] == 0
    service = social.get(f"/services/{key}").json
    assert service["organisation_name"] == "镇江知识产权维权援助站"
    assert service["price"] == "免费"


def test_request_accepted_delivered_and_rated(social: Api) -> None:
    key = _admit_and_publish(social)
    answer = _request(social, key)
    mine = social.get("/service-requests", "ent-1").json["items"]
    assert [item["status"] for item in mine] == ["requested"]
    assert social.get("/service-requests", "org-ip").json["total"] == 1

    _complete(social, "org-ip", answer, {"decision": "accept"})
    delivery = {"delivery_note": "出具书面维权意见一份。", "delivered_on": "2026-12-03"}
    _complete(social, "org-ip", _task(social, "org-ip", "record_delivery"), delivery)
    rate = _task(social, "ent-1", "rate_service")
    _complete(social, "ent-1", rate, {"rating": "satisfied", "rating_comment": "及时"})

    (request,) = social.get("/service-requests", "ent-1").json["items"]
    assert request["status"] == "rated"
    assert request["rating"] == "satisfied"
    assert request["delivery_note"] == "出具书面维权意见一份。"


def test_declined_request_tells_the_enterprise_why(social: Api) -> None:
    key = _admit_and_publish(social)
    answer = _request(social, key)
    _complete(social, "org-ip", answer, {"decision": "decline", "reason": "超出范围"})

    (request,) = social.get("/service-requests", "ent-1").json["items"]
    assert request["status"] == "declined"
    assert request["decline_reason"] == "超出范围"


def test_only_enterprises_request_and_only_listed_services(social: Api) -> None:
    key = _admit_and_publish(social)
    assert social.post(f"/services/{key}/requests", {}, "org-ip").status_code == 403
    assert social.post("/services/NO-SUCH/requests", {}, "ent-1").status_code == 404


def test_complaint_and_suspension_empty_the_catalogue(social: Api) -> None:
    key = _admit_and_publish(social)
    answer = _request(social, key)
    _complete(social, "org-ip", answer, {"decision": "accept"})
    delivery = {"delivery_note": "电话五分钟。", "delivered_on": "2026-12-03"}
    _complete(social, "org-ip", _task(social, "org-ip", "record_delivery"), delivery)
    complaint = {"rating": "dissatisfied", "complaint": "未提供书面意见。"}
    _complete(social, "ent-1", _task(social, "ent-1", "rate_service"), complaint)

    handle = _task(social, "dispatcher", "handle_complaint")
    detail = social.get(f"/tasks/{handle}", "dispatcher").json
    assert detail["data"]["complaint"] == "未提供书面意见。"
    decision = {"sanction": "suspend", "complaint_note": "核实属实，暂停。"}
    _complete(social, "dispatcher", handle, decision)

    assert social.get("/services").json["total"] == 0
    assert social.get(f"/services/{key}").status_code == 404
    assert social.post(f"/services/{key}/requests", {}, "ent-1").status_code == 404


def test_init_demo_lists_the_demo_organisation_services(tmp_path: Path) -> None:
    env = {"BANGBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = CliRunner().invoke(main, ["init", "--demo"], env=env)

    assert result.exit_code == 0, result.output
    assert "social_service.bpmn: social_service v1 deployed" in result.output
    with Session(create_engine(env["BANGBAN_DATABASE_URL"])) as session:
        page = records.query(session, "service", statuses={"published"})
        organisation = records.get(session, "organisation", "52321100MJ0001234K")
    assert {record.data["title"] for record in page.records} == {
        "初创企业商业计划书辅导",
        "劳动用工合规体检",
    }
    assert organisation.status == "approved"
