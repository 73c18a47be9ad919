"""Admin pages with the Flask test client: versions, upload errors, diff,
diagrams, migration, people, departments, groups and holidays."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from revised_appeal import NEW_STEP, revised_appeal_bpmn
from sqlalchemy import select

from conftest import APPEAL_BPMN, PASSWORD, Driver, bpmn_fixture, signed_in
from engine import diagram
from engine.appeals.models import Appeal
from engine.directory import User
from engine.models import AuditEntry
from webapp.extensions import db

SVG = "{http://www.w3.org/2000/svg}"


def post_files(client: FlaskClient, *files: tuple[bytes, str]) -> object:
    data = {"files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(
        "/admin/definitions", data=data, content_type="multipart/form-data"
    )


def test_the_appeal_svg_draws_every_shape_of_its_diagram() -> None:
    source = APPEAL_BPMN.read_bytes()
    svg = etree.fromstring(diagram.render(source).encode())
    drawn = {node.get("id") for node in svg.iter(f"{SVG}g") if node.get("id")}

    expected = diagram.shape_ids(source)
    assert len(expected) > 40
    assert {f"shape-{element}" for element in expected} <= drawn
    assert svg.find(f".//{SVG}script") is None
    texts = "".join(svg.itertext())
    assert "研判转派" in texts and "平台转派" in texts
    circles = svg.findall(f".//{SVG}g[@id='shape-submitted']/{SVG}circle")
    diamonds = svg.findall(f".//{SVG}g[@id='shape-triage_decision']/{SVG}polygon")
    boxes = svg.findall(f".//{SVG}g[@id='shape-triage']/{SVG}rect[@rx]")
    assert (len(circles), len(diamonds), len(boxes)) == (1, 1, 1)


def test_names_in_a_diagram_are_escaped_and_wrapped() -> None:
    source = APPEAL_BPMN.read_bytes().replace(
        'name="研判转派"'.encode(),
        'name="研判&lt;script&gt;alert(1)&lt;/script&gt;转派部门的诉求"'.encode(),
    )
    text = diagram.render(source, {"triage": "current"})
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    svg = etree.fromstring(text.encode())
    [group] = svg.findall(f".//{SVG}g[@id='shape-triage']")
    assert "current" in group.get("class", "").split()
    assert len(group.findall(f".//{SVG}tspan")) >= 2


def test_owner_uploads_and_sees_versions_diff_and_download(
    pages: Flask, driver: Driver
) -> None:
    with pages.app_context():
        from engine.directory import create_user

        create_user(
            db.session, "owner", PASSWORD, display_name="流程负责人", roles=["owner"]
        )
        db.session.commit()
    client = signed_in(pages, "owner")
    open_appeal = driver.submit()

    response = post_files(client, (revised_appeal_bpmn(), "appeal.bpmn"))
    assert response.status_code == 302
    page = client.get("/admin/definitions").get_data(as_text=True)
    assert "已部署：诉求帮办 第 2 版" in page
    assert "第 2 版" in page and "流程负责人" in page  # who deployed it

    diff = client.get("/admin/definitions/appeal/diff").get_data(as_text=True)
    assert "新增人工环节“核实诉求”（verify_appeal）" in diff
    assert "deadline(dispatched_at, 2)" in diff

    download = client.get("/admin/definitions/appeal/v2.bpmn")
    assert download.data == revised_appeal_bpmn()
    assert download.headers["Content-Disposition"].startswith("attachment")
    svg = client.get("/admin/definitions/appeal/v2.svg")
    assert svg.mimetype == "image/svg+xml"
    assert "script-src" not in svg.headers["Content-Security-Policy"]
    assert f'id="shape-{NEW_STEP}"' in svg.get_data(as_text=True)

    version = client.get("/admin/definitions/appeal/v1").get_data(as_text=True)
    assert open_appeal.number in version
    assert "迁移到第 2 版" not in version  # owners do not migrate
    assert client.get("/admin/users").status_code == 403


def test_broken_upload_shows_every_problem_and_changes_nothing(pages: Flask) -> None:
    client = signed_in(pages, "admin")
    response = post_files(
        client,
        (bpmn_fixture("simple.bpmn", GROUP="", SCRIPT="import os"), "one.bpmn"),
        (bpmn_fixture("entity_expansion.bpmn"), "two.bpmn"),
        (b"not a bpmn", "notes.txt"),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "流程定义有误，未部署任何文件。" in page
    assert "流程脚本不允许导入模块（import）。" in page
    assert "人工步骤必须在 camunda:candidateGroups" in page
    assert "BPMN 文件不允许包含 DTD 或实体声明" in page
    assert "只能上传 .bpmn 文件" in page
    assert "第 2 版" not in page

    huge = post_files(client, (b" " * (5 * 1024 * 1024), "huge.bpmn"))
    assert huge.status_code == 413
    assert "上传内容超过 4 MB 上限" in huge.get_data(as_text=True)


def test_admin_migrates_from_the_instance_page_with_a_marked_diagram(
    pages: Flask, driver: Driver
) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    client = signed_in(pages, "admin")
    post_files(client, (revised_appeal_bpmn(), "appeal.bpmn"))
    with pages.app_context():
        instance_id = db.session.scalar(
            select(Appeal.instance_id).where(Appeal.number == appeal.number)
        )

    page = client.get(f"/admin/instances/{instance_id}").get_data(as_text=True)
    svg = etree.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
    marks = {g.get("id"): set(g.get("class", "").split()) for g in svg.iter(f"{SVG}g")}
    assert "done" in marks["shape-triage"]
    assert "current" in marks["shape-accept_appeal"]
    assert "done" not in marks["shape-handle_appeal"]

    # The button leads to a confirmation page; nothing moves before the confirm.
    assert f'href="/admin/instances/{instance_id}/migrate"' in page
    confirm = client.get(f"/admin/instances/{instance_id}/migrate").text
    assert "不可撤销" in confirm
    assert appeal.number in confirm and "第 1 版 → 第 2 版" in confirm
    unconfirmed = client.post(f"/admin/instances/{instance_id}/migrate")
    assert unconfirmed.status_code == 302
    assert "迁移不可撤销，请先核对" in client.get(unconfirmed.headers["Location"]).text
    assert "诉求帮办 第 1 版" in client.get(f"/admin/instances/{instance_id}").text

    response = client.post(
        f"/admin/instances/{instance_id}/migrate", data={"confirmed": "yes", "to": 2}
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "已迁移到最新版本" in page and "诉求帮办 第 2 版" in page
    assert "流程由第 1 版迁移到第 2 版（admin）" in page

    detail = signed_in(pages, "handler-zjj").get(f"/staff/appeals/{appeal.number}")
    assert f'id="shape-{NEW_STEP}"' in detail.get_data(as_text=True)
    assert "流程由第 1 版迁移到第 2 版（admin）" in detail.text
    # The appellant's own timeline shows what was done about the appeal only.
    public = driver.public(appeal)["timeline"]
    assert public and not any("迁移" in event["text"] for event in public)


def test_migrate_all_confirms_the_listed_appeals_and_names_refusals(
    pages: Flask, driver: Driver
) -> None:
    client = signed_in(pages, "admin")
    source = bpmn_fixture("simple.bpmn", GROUP="reviewer", SCRIPT="x = 1")
    assert post_files(client, (source, "simple.bpmn")).status_code == 302
    with pages.app_context():
        from engine.runtime import Actor
        from webapp.extensions import runtime

        for number in ("ZJ-1", "ZJ-2"):
            runtime().start(
                db.session, "simple", actor=Actor("tests"), business_key=number
            )
        db.session.commit()
    # Version 2 drops the form step both instances wait at: they cannot move.
    root = etree.fromstring(source)
    for node in root.xpath("//*[@id='fill' or @id='f2']"):
        node.getparent().remove(node)
    root.xpath("//*[@id='f1']")[0].set("targetRef", "compute")
    assert post_files(client, (etree.tostring(root), "simple.bpmn")).status_code == 302

    version = client.get("/admin/definitions/simple/v1").text
    assert 'href="/admin/definitions/simple/v1/migrate-all"' in version
    confirm = client.get("/admin/definitions/simple/v1/migrate-all").text
    assert "ZJ-1" in confirm and "ZJ-2" in confirm and "确认迁移" in confirm

    refused = client.post("/admin/definitions/simple/v1/migrate-all")
    assert "迁移不可撤销" in client.get(refused.headers["Location"]).text
    with pages.app_context():
        first = db.session.scalar(
            select(AuditEntry.instance_id).where(AuditEntry.business_key == "ZJ-1")
        )
    response = client.post(
        "/admin/definitions/simple/v1/migrate-all",
        data={"confirmed": "yes", "to": 2, "instance": [first]},
    )
    page = client.get(response.headers["Location"]).text
    assert "ZJ-1：该实例不能迁移到新版本" in page
    assert "ZJ-2：" not in page  # not confirmed, not tried
    assert "已迁移 0 个实例，1 个未能迁移" in page
    assert "实例 " + str(first) not in page

    stale = client.post(
        "/admin/definitions/simple/v1/migrate-all",
        data={"confirmed": "yes", "to": 1, "instance": [first]},
    )
    assert "最新版本已变化" in client.get(stale.headers["Location"]).text


def test_an_oversized_upload_names_the_limit_with_csrf_on(pages: Flask) -> None:
    client = signed_in(pages, "admin")
    pages.config["WTF_CSRF_ENABLED"] = True  # the CSRF check reads the body first
    huge = post_files(client, (b" " * (5 * 1024 * 1024), "huge.bpmn"))
    assert huge.status_code == 413
    assert "上传内容超过 4 MB 上限" in huge.text and "部署新版本" in huge.text

    anonymous = pages.test_client().post(
        "/admin/definitions",
        data={"files": [(io.BytesIO(b" " * (5 * 1024 * 1024)), "huge.bpmn")]},
        content_type="multipart/form-data",
    )
    assert anonymous.status_code == 413 and "部署新版本" not in anonymous.text


def test_admin_manages_people_and_departments(pages: Flask) -> None:
    client = signed_in(pages, "admin")
    response = client.post(
        "/admin/departments", data={"code": "scj", "name": "市场监管局", "active": "1"}
    )
    assert response.status_code == 302
    response = client.post(
        "/admin/users",
        data={
            "username": "clerk1",
            "display_name": "王办事",
            "password": "short",
            "roles": ["handler"],
            "department_code": "scj",
        },
    )
    assert response.status_code == 422
    assert "密码至少 8 位" in response.get_data(as_text=True)
    assert 'value="王办事"' in response.get_data(as_text=True)

    response = client.post(
        "/admin/users",
        data={
            "username": "clerk1",
            "display_name": "王办事",
            "password": "long-enough-1",
            "roles": ["handler"],
            "department_code": "scj",
        },
    )
    assert response.status_code == 302
    with pages.app_context():
        user = db.session.scalar(select(User).where(User.username == "clerk1"))
        assert user is not None and user.department_code == "scj"
        user_id = user.id

    client.post(
        f"/admin/users/{user_id}",
        data={"action": "save", "display_name": "王办事", "roles": ["handler"]},
    )
    fresh = pages.test_client()
    refused = fresh.post(
        "/login", data={"username": "clerk1", "password": "long-enough-1"}
    )
    assert refused.status_code == 200  # disabled: the sign-in page again
    client.post(
        f"/admin/users/{user_id}",
        data={"action": "password", "password": "another-pass-2"},
    )
    with pages.app_context():
        user = db.session.get(User, user_id)
        assert user is not None and not user.active
        assert user.check_password("another-pass-2")
        actions = db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.business_key == "user:clerk1")
            .order_by(AuditEntry.id)
        ).all()
        assert actions == ["user_create", "user_update", "password_reset"]

    groups = client.get("/admin/groups").get_data(as_text=True)
    assert "角色：转派岗" in groups and "办理时由流程数据决定" in groups


def test_holiday_page_shows_a_year_and_runs_the_check(pages: Flask) -> None:
    client = signed_in(pages, "admin")
    page = client.get("/admin/holidays?year=2025").get_data(as_text=True)
    assert "2025-10-01" in page and "调休上班" in page
    checked = client.post("/admin/holidays?year=2025").get_data(as_text=True)
    assert "全部文件有效" in checked and "files are valid" in checked
    assert signed_in(pages, "dispatcher").get("/admin/holidays").status_code == 403
