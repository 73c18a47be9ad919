"""Redeploying a revised appeal flow while appeals are open, over the API.

Old appeals finish on their version, new ones take the new one, a migrated one
continues on the new one; broken and hostile uploads change nothing and list
every problem; identical content is a no-op; downloads are byte for byte.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask import Flask
from lxml import etree
from revised_appeal import NEW_FIELD, NEW_STEP, revised_appeal_bpmn
from sqlalchemy import select

from conftest import APPEAL_BPMN, Api, Driver, bpmn_fixture
from engine.appeals.models import Appeal
from engine.models import AuditEntry, ProcessInstance
from webapp.extensions import db


def upload(api: Api, *files: tuple[bytes, str], user: str = "admin") -> Any:
    data = {"files": [(io.BytesIO(content), name) for content, name in files]}
    return api.client.post(
        "/api/v1/process-definitions",
        data=data,
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {api.login(user)}"},
    )


def versions(api: Api) -> dict[int, dict[str, Any]]:
    response = api.get("/process-definitions", user="admin")
    assert response.status_code == 200, response.json
    [appeal] = [p for p in response.json["items"] if p["process_key"] == "appeal"]
    return {item["version"]: item for item in appeal["versions"]}


def instance_of(app: Flask, number: str) -> tuple[int, int]:
    """The instance id and the version it runs on."""
    with app.app_context():
        appeal = db.session.scalar(select(Appeal).where(Appeal.number == number))
        assert appeal is not None and appeal.instance_id is not None
        instance = db.session.get(ProcessInstance, appeal.instance_id)
        assert instance is not None
        return instance.id, instance.definition.version


def due(driver: Driver, user: str, number: str, step: str) -> datetime:
    return datetime.fromisoformat(driver.task(user, number, step)["due_at"])


def open_steps(driver: Driver, user: str, number: str) -> set[str]:
    response = driver.api.get("/tasks", user=user, appeal_number=number)
    return {item["step_id"] for item in response.json["items"]}


def test_revised_flow_old_new_and_migrated_appeals(
    app: Flask, api: Api, driver: Driver
) -> None:
    old = driver.submit(title="旧版本上的诉求")
    driver.dispatch(old.number, "zjj")
    waiting = driver.submit(title="等待研判时迁移")
    accepting = driver.submit(title="签收时迁移")
    driver.dispatch(accepting.number, "rsj")
    old_accept_due = due(driver, "handler-rsj", accepting.number, "accept_appeal")

    revised = revised_appeal_bpmn()
    response = upload(api, (revised, "appeal.bpmn"))
    assert response.status_code == 201, response.json
    [deployed] = response.json["items"]
    assert (deployed["version"], deployed["created"]) == (2, True)
    assert deployed["deployed_by"] == "admin"
    assert versions(api)[1]["running_instances"] == 3
    assert versions(api)[2]["running_instances"] == 0

    # A new appeal takes the new version: two working days to accept, then the
    # new step with its new field.
    new = driver.submit(title="新版本上的诉求")
    assert instance_of(app, new.number)[1] == 2
    driver.dispatch(new.number, "zjj")
    assert due(driver, "handler-zjj", new.number, "accept_appeal") > due(
        driver, "handler-zjj", old.number, "accept_appeal"
    )
    driver.accept(new.number, "zjj")
    task = driver.task("handler-zjj", new.number, NEW_STEP)
    detail = api.get(f"/tasks/{task['id']}", user="handler-zjj").json
    assert [f["id"] for f in detail["form"]["fields"]] == [NEW_FIELD]

    # The old appeal finishes on version 1, without the new step.
    driver.accept(old.number, "zjj")
    assert open_steps(driver, "handler-zjj", old.number) == {"handle_appeal"}
    driver.reply(old.number, "zjj", "已疏通排水管网。")
    driver.review(old.number, "publish")
    assert driver.rate(old, "satisfied").status_code == 200
    assert driver.public(old)["status"] == "closed"
    assert instance_of(app, old.number)[1] == 1

    # Migrated while waiting for triage: it continues on version 2.
    instance_id, _ = instance_of(app, waiting.number)
    response = api.post(f"/process-instances/{instance_id}/migrate", {}, "admin")
    assert response.status_code == 200, response.json
    assert instance_of(app, waiting.number)[1] == 2
    driver.dispatch(waiting.number, "jtj")
    driver.accept(waiting.number, "jtj")
    assert open_steps(driver, "handler-jtj", waiting.number) == {NEW_STEP}

    # Migrated while a department accepts: the deadline is the new one, the
    # task keeps its id, and the new step follows.
    task_id = driver.task("handler-rsj", accepting.number, "accept_appeal")["id"]
    instance_id, _ = instance_of(app, accepting.number)
    response = api.post(f"/process-instances/{instance_id}/migrate", {}, "admin")
    assert response.status_code == 200, response.json
    moved = driver.task("handler-rsj", accepting.number, "accept_appeal")
    assert moved["id"] == task_id
    assert datetime.fromisoformat(moved["due_at"]) > old_accept_due
    driver.accept(accepting.number, "rsj")
    assert open_steps(driver, "handler-rsj", accepting.number) == {NEW_STEP}

    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "migrate")
        ).all()
        assert {entry.business_key for entry in entries} == {
            waiting.number,
            accepting.number,
        }
        assert all(entry.values["to_version"] == 2 for entry in entries)

    # Download gives back the uploaded bytes; the diff names the changes.
    download = api.get("/process-definitions/appeal/versions/2/bpmn", user="admin")
    assert download.data == revised
    diff = api.get(
        "/process-definitions/appeal/diff", user="admin", **{"from": 1, "to": 2}
    )
    texts = [change["text"] for change in diff.json["changes"]]
    assert "新增人工环节“核实诉求”（verify_appeal）" in texts
    assert any("核实情况" in text for text in texts)
    assert any("deadline(dispatched_at, 2)" in text for text in texts)


def test_identical_redeploy_is_a_no_op(api: Api) -> None:
    response = upload(api, (APPEAL_BPMN.read_bytes(), "appeal.bpmn"))
    assert response.status_code == 200, response.json
    assert response.json["items"][0]["created"] is False
    assert list(versions(api)) == [1]

    detail = api.get("/process-definitions/appeal/versions/1", user="admin").json
    assert detail["deployed_by"] == "tests"
    assert "triage" in {step["id"] for step in detail["steps"]}
    svg = api.get("/process-definitions/appeal/versions/1/diagram.svg", user="admin")
    assert svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert 'id="shape-triage"' in svg.get_data(as_text=True)
    missing = api.get("/process-definitions/appeal/versions/9/bpmn", user="admin")
    assert missing.status_code == 404
    assert missing.json["error"]["message"] == "流程 appeal 没有第 9 版。"


def test_broken_uploads_change_nothing_and_list_every_problem(api: Api) -> None:
    simple = bpmn_fixture("simple.bpmn", GROUP="reviewer", SCRIPT="x = 1")
    billion_laughs = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        b' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
        b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
        b"<lolz>&lol3;</lolz>\n"
    )
    files = [
        (b"<bpmn:definitions>\n  <oops\n", "bad-xml.bpmn"),
        (simple.replace(b'targetRef="compute"', b'targetRef="nowhere"'), "ref.bpmn"),
        (bpmn_fixture("simple.bpmn", GROUP="reviewer", SCRIPT="import os"), "s.bpmn"),
        (bpmn_fixture("entity_expansion.bpmn"), "xxe.bpmn"),
        (billion_laughs, "laughs.bpmn"),
        (revised_appeal_bpmn(), "appeal.bpmn"),  # fine on its own
    ]
    response = upload(api, *files)

    assert response.status_code == 422
    problems = response.json["error"]["problems"]
    by_file = {p["file"]: p for p in problems}
    assert set(by_file) == {f for _, f in files} - {"appeal.bpmn"}
    assert by_file["bad-xml.bpmn"]["message"].startswith("不是合法的 XML")
    assert by_file["ref.bpmn"]["element"] == "f2"
    assert by_file["ref.bpmn"]["line"] == 25
    assert "nowhere" in by_file["ref.bpmn"]["message"]
    assert by_file["s.bpmn"]["message"] == "流程脚本不允许导入模块（import）。"
    assert by_file["xxe.bpmn"]["message"] == "BPMN 文件不允许包含 DTD 或实体声明"
    assert by_file["laughs.bpmn"]["message"] == "BPMN 文件不允许包含 DTD 或实体声明"
    assert "root:" not in response.get_data(as_text=True)
    assert list(versions(api)) == [1]


def test_a_50_mb_upload_is_refused_before_parsing(api: Api) -> None:
    huge = b"<bpmn:definitions>" + b" " * (50 * 1024 * 1024)
    response = upload(api, (huge, "huge.bpmn"))
    assert response.status_code == 413
    assert response.json["error"]["message"].startswith("上传内容超过 4 MB 上限")
    assert list(versions(api)) == [1]


def test_unknown_candidate_group_and_roles(api: Api) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")
    response = upload(api, (source, "simple.bpmn"))
    assert response.status_code == 422
    [problem] = response.json["error"]["problems"]
    assert (problem["element"], problem["line"]) == ("fill", 11)
    assert "“clerk”不是已知的角色或部门代码" in problem["message"]

    refused = upload(api, (APPEAL_BPMN.read_bytes(), "a.bpmn"), user="dispatcher")
    assert refused.status_code == 403
    response = api.post("/process-instances/1/migrate", {}, "dispatcher")
    assert response.status_code == 403


def test_migration_refused_when_the_open_step_is_removed(app: Flask, api: Api) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="reviewer", SCRIPT="x = 1")
    assert upload(api, (source, "simple.bpmn")).status_code == 201
    with app.app_context():
        from engine.runtime import Actor
        from webapp.extensions import runtime

        instance = runtime().start(db.session, "simple", actor=Actor("tests"))
        db.session.commit()
        instance_id = instance.id

    # Version 2 drops the form step the instance waits at: start → compute.
    root = etree.fromstring(source)
    for node in root.xpath("//*[@id='fill' or @id='f2']"):
        node.getparent().remove(node)
    root.xpath("//*[@id='f1']")[0].set("targetRef", "compute")
    without = etree.tostring(root)
    assert upload(api, (without, "simple.bpmn")).status_code == 201

    response = api.post(f"/process-instances/{instance_id}/migrate", {}, "admin")
    assert response.status_code == 409
    assert "正在办理的环节“填写”在新版本中已删除" in response.json["error"]["message"]
    with app.app_context():
        instance = db.session.get(ProcessInstance, instance_id)
        assert instance is not None and instance.definition.version == 1
