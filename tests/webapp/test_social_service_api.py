"""The social-service flow (社会化服务) through the JSON API, as its users drive it.

An organisation applies and the platform vets it; the organisation publishes; an
enterprise finds the service in the catalogue, requests it, and rates it; a
complaint leads the platform to suspend the organisation. Timers are the engine
tests' business (tests/engine/test_social_service.py).
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from conftest import PASSWORD, PDF, REPOSITORY, Api, signed_in
from engine import deployment, records
from engine.clock import deadline_text
from engine.directory import create_user
from webapp.cli import main
from webapp.extensions import db

CREDIT_CODE = "52321100MJ7654321T"
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


def _send_application(api: Api, **changes: str) -> Any:
    """Start an admission as org-ip and submit the application form."""
    started = api.post("/organisation-applications", {}, "org-ip")
    assert started.status_code == 201
    assert started.json["step_id"] == "apply"
    # The licence scan goes up with the form, as multipart.
    return api.client.post(
        f"/api/v1/tasks/{started.json['task_id']}/complete",
        data={
            "values": json.dumps({**APPLICATION, **changes}),
            "licence": (io.BytesIO(PDF), "知识产权援助站执照.pdf"),
        },
        headers={"Authorization": f"Bearer {api.login('org-ip')}"},
        content_type="multipart/form-data",
    )


def _apply(api: Api) -> None:
    response = _send_application(api)
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
        "phone": "13805291234",
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


def _complain(api: Api, key: str) -> str:
    """A delivered request is rated with a complaint; the dispatchers' task."""
    answer = _request(api, key)
    _complete(api, "org-ip", answer, {"decision": "accept"})
    delivery = {"delivery_note": "电话五分钟。", "delivered_on": "2026-12-03"}
    _complete(api, "org-ip", _task(api, "org-ip", "record_delivery"), delivery)
    complaint = {"rating": "dissatisfied", "complaint": "未提供书面意见。"}
    _complete(api, "ent-1", _task(api, "ent-1", "rate_service"), complaint)
    return _task(api, "dispatcher", "handle_complaint")


def test_complaint_and_suspension_empty_the_catalogue(social: Api) -> None:
    key = _admit_and_publish(social)
    handle = _complain(social, key)
    detail = social.get(f"/tasks/{handle}", "dispatcher").json
    assert detail["data"]["complaint"] == "未提供书面意见。"
    decision = {"sanction": "suspend", "complaint_note": "核实属实，暂停。"}
    _complete(social, "dispatcher", handle, decision)

    assert social.get("/services").json["total"] == 0
    assert social.get(f"/services/{key}").status_code == 404
    assert social.post(f"/services/{key}/requests", {}, "ent-1").status_code == 404


def test_suspended_organisation_cannot_apply_again(social: Api) -> None:
    key = _admit_and_publish(social)
    suspend = {"sanction": "suspend", "complaint_note": "核实属实，暂停。"}
    _complete(social, "dispatcher", _complain(social, key), suspend)

    # The same code, typed in lower case with spaces, is still the same code.
    again = _send_application(social, credit_code=" 52321100mj7654321t ")

    assert again.status_code == 422
    (error,) = again.json["error"]["fields"]
    assert error["field"] == "credit_code"
    assert "暂停" in error["message"] and "不能重新申请入驻" in error["message"]
    assert (
        social.get("/tasks", "dispatcher", step_id="vet_organisation").json["total"]
        == 0
    )
    with social.client.application.app_context():
        organisation = records.get(db.session, "organisation", CREDIT_CODE)
        assert organisation.status == "suspended"


def test_credit_code_check_digit_is_verified(social: Api) -> None:
    wrong = _send_application(social, credit_code="52321100MJ7654321Y")

    assert wrong.status_code == 422
    (error,) = wrong.json["error"]["fields"]
    assert error["field"] == "credit_code"
    assert "校验位" in error["message"]
    assert (
        social.get("/tasks", "dispatcher", step_id="vet_organisation").json["total"]
        == 0
    )


def test_vetting_shows_the_history_of_the_credit_code(
    social: Api, pages: Flask
) -> None:
    _apply(social)
    reject = {"decision": "reject", "reason": "资质证书过期"}
    _complete(
        social, "dispatcher", _task(social, "dispatcher", "vet_organisation"), reject
    )
    key = _admit_and_publish(social)
    warn = {"sanction": "warn", "complaint_note": "服务敷衍，予以警告。"}
    _complete(social, "dispatcher", _complain(social, key), warn)

    _apply(social)
    vet = social.get(
        f"/tasks/{_task(social, 'dispatcher', 'vet_organisation')}", "dispatcher"
    ).json

    (history,) = [f for f in vet["form"]["fields"] if f["type"] == "records"]
    rows = vet["data"][history["id"]]
    assert [row["event"] for row in rows] == [
        "入驻申请",
        "警告",
        "服务投诉",
        "准予入驻",
        "入驻申请",
        "不予入驻",
        "入驻申请",
    ]
    assert rows[1]["detail"] == "服务敷衍，予以警告。"
    assert rows[5]["detail"] == "资质证书过期"
    assert all(row["credit_code"] == CREDIT_CODE for row in rows)

    # The staff task page shows the same history as a table beside the form.
    page = signed_in(pages, "dispatcher").get(f"/tasks/{vet['id']}").text
    assert "该信用代码的历史记录" in page
    assert "资质证书过期" in page and "服务敷衍，予以警告。" in page


def test_inbox_numbers_and_titles_social_service_tasks(
    social: Api, pages: Flask
) -> None:
    _apply(social)
    (vet,) = social.get("/tasks", "dispatcher", step_id="vet_organisation").json[
        "items"
    ]
    assert vet["appeal_number"] == CREDIT_CODE
    assert vet["title"] == "镇江知识产权维权援助站"

    _complete(social, "dispatcher", vet["id"], {"decision": "approve"})
    _complete(social, "org-ip", _task(social, "org-ip", "publish_service"), SERVICE)
    key = social.get("/services").json["items"][0]["key"]
    handle = social.get(f"/tasks/{_complain(social, key)}", "dispatcher").json
    assert handle["appeal_number"].startswith("SR")
    assert handle["title"] == "专利侵权纠纷咨询（镇江恒泰精密机械有限公司）"

    page = signed_in(pages, "dispatcher").get("/inbox").text
    assert handle["appeal_number"] in page
    assert "专利侵权纠纷咨询（镇江恒泰精密机械有限公司）" in page


def test_init_demo_lists_the_demo_organisation_services(tmp_path: Path) -> None:
    env = {"BANGBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    result = CliRunner().invoke(main, ["init", "--demo"], env=env)

    assert result.exit_code == 0, result.output
    assert "social_service.bpmn: social_service v1 deployed" in result.output
    with Session(create_engine(env["BANGBAN_DATABASE_URL"])) as session:
        page = records.query(session, "service", statuses={"published"})
        organisation = records.get(session, "organisation", "52321100MJ00012348")
    assert {record.data["title"] for record in page.records} == {
        "初创企业商业计划书辅导",
        "劳动用工合规体检",
    }
    assert organisation.status == "approved"


def _enterprise_pages(pages: Flask, credit_code: str) -> FlaskClient:
    client = pages.test_client()
    signed = client.post(
        "/account/login", data={"credit_code": credit_code, "password": PASSWORD}
    )
    assert signed.status_code == 302
    return client


def test_request_form_is_prefilled_and_deadlines_end_at_24(
    social: Api, pages: Flask, enterprise: str
) -> None:
    key = _admit_and_publish(social)
    company = _enterprise_pages(pages, enterprise)
    assert 'href="/services/mine"' in company.get("/services").text

    step = company.post(f"/services/{key}/request").headers["Location"]
    form = company.get(step).text
    assert 'value="镇江恒泰精密机械有限公司"' in form
    assert 'value="13805291234"' in form
    need = {
        "enterprise_name": "镇江恒泰精密机械有限公司",
        "need": "咨询专利维权途径。",
        "phone": "13805291234",
    }
    assert company.post(step, data=need).status_code == 302

    with pages.app_context():
        (record,) = records.query(db.session, "service_request").records
    due = datetime.fromisoformat(record.data["answer_due"])
    assert (due.hour, due.minute) == (0, 0)
    shown = deadline_text(due)
    assert shown.endswith(" 24:00")

    assert shown in company.get("/services/mine").text
    organisation = signed_in(pages, "org-ip")
    mine = organisation.get("/services/mine").text
    assert f"时限 {shown}" in mine and f"{due:%Y-%m-%d} 00:00" not in mine
    answer = _task(social, "org-ip", "answer_request")
    assert f"办理时限：{shown}" in organisation.get(f"/services/steps/{answer}").text
    assert "13805291234" in social.get(f"/tasks/{answer}", "org-ip").text


def test_suspended_organisation_cannot_publish(social: Api, pages: Flask) -> None:
    key = _admit_and_publish(social)
    suspend = {"sanction": "suspend", "complaint_note": "核实属实，暂停。"}
    _complete(social, "dispatcher", _complain(social, key), suspend)

    publish = _task(social, "org-ip", "publish_service")
    refused = signed_in(pages, "org-ip").post(
        f"/services/steps/{publish}", data={**SERVICE, "title": "新服务"}
    )

    assert refused.status_code == 422
    assert "暂停期间不能发布服务" in refused.text
    with pages.app_context():
        titles = [r.data["title"] for r in records.query(db.session, "service").records]
    assert titles == ["专利侵权纠纷咨询"]


def test_suspended_service_page_says_so_and_links_the_catalogue(
    social: Api, pages: Flask
) -> None:
    key = _admit_and_publish(social)
    suspend = {"sanction": "suspend", "complaint_note": "核实属实，暂停。"}
    _complete(social, "dispatcher", _complain(social, key), suspend)
    client = pages.test_client()

    page = client.get(f"/services/{key}")

    assert page.status_code == 404
    assert "服务已暂停或已下架" in page.text
    assert 'href="/services"' in page.text and "返回我的待办" not in page.text
    assert "没有找到该服务" in client.get("/services/NO-SUCH").text


def test_vetting_page_names_the_step_the_licence_came_with(
    social: Api, pages: Flask
) -> None:
    _apply(social)
    vet = _task(social, "dispatcher", "vet_organisation")

    page = signed_in(pages, "dispatcher").get(f"/tasks/{vet}").text

    assert "知识产权援助站执照.pdf" in page
    assert "填写入驻申请 ·" in page and "apply ·" not in page
