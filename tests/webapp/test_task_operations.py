"""Transfer (转办) and urge (催办) of open tasks, through the API."""

from __future__ import annotations

import pytest
from flask import Flask

from conftest import PASSWORD, Api, Driver, signed_in
from engine.directory import create_user
from webapp.extensions import db


def _colleague(app: Flask, username: str, department: str) -> None:
    with app.app_context():
        create_user(
            db.session,
            username,
            PASSWORD,
            display_name=username,
            roles=["handler"],
            department_code=department,
        )
        db.session.commit()


def test_transfer_to_a_colleague_of_the_department(
    app: Flask, api: Api, driver: Driver
) -> None:
    _colleague(app, "handler-zjj2", "zjj")
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    task = driver.task("handler-zjj", appeal.number, "accept_appeal")

    to_other = api.post(
        f"/tasks/{task['id']}/transfer", {"to": "handler-rsj"}, user="handler-zjj"
    )
    assert to_other.status_code == 403
    assert to_other.json["error"]["message"] == (
        "handler rsj 所在的岗位或部门不能办理该环节。"
    )
    moved = api.post(
        f"/tasks/{task['id']}/transfer", {"to": "handler-zjj2"}, user="handler-zjj"
    )
    assert moved.status_code == 200
    assert moved.json["assignee"] == "handler-zjj2"

    # The colleague now holds it and is told; the first handler no longer sees it.
    assert (
        driver.task("handler-zjj2", appeal.number, "accept_appeal")["id"] == task["id"]
    )
    notices = api.get("/notifications", user="handler-zjj2").json["items"]
    assert notices[0]["kind"] == "transfer"
    assert "转办给您" in notices[0]["message"]
    again = api.post(
        f"/tasks/{task['id']}/transfer", {"to": "handler-zjj"}, user="handler-zjj"
    )
    assert again.status_code == 409


def test_dispatcher_urges_an_open_task(api: Api, driver: Driver) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    task = driver.task("handler-zjj", appeal.number, "accept_appeal")

    refused = api.post(f"/tasks/{task['id']}/urge", {}, user="reviewer")
    assert refused.status_code == 403
    urged = api.post(
        f"/tasks/{task['id']}/urge", {"note": "企业来电询问进度"}, user="dispatcher"
    )
    assert urged.status_code == 200

    notices = api.get("/notifications", user="handler-zjj").json["items"]
    assert [n["kind"] for n in notices] == ["urge"]
    assert notices[0]["message"] == (
        f"催办：诉求 {appeal.number} 的“部门签收”请尽快办理。（企业来电询问进度）"
    )
    texts = [event["text"] for event in driver.public(appeal)["timeline"]]
    assert "平台已催办“部门签收”" in texts

    driver.accept(appeal.number, "zjj")
    done = api.post(f"/tasks/{task['id']}/urge", {}, user="dispatcher")
    assert done.status_code == 409


def test_transfer_and_urge_from_the_appeal_page(
    app: Flask, api: Api, driver: Driver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    _colleague(app, "handler-zjj2", "zjj")
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    task = driver.task("handler-zjj", appeal.number, "accept_appeal")
    page = f"/staff/appeals/{appeal.number}"

    handler = signed_in(app, "handler-zjj")
    assert 'value="handler-zjj2"' in handler.get(page).text
    moved = handler.post(
        f"/staff/tasks/{task['id']}/transfer",
        data={"to": "handler-zjj2"},
        follow_redirects=True,
    )
    assert "已将“部门签收”转办给 handler-zjj2。" in moved.text

    dispatcher = signed_in(app, "dispatcher")
    urged = dispatcher.post(
        f"/staff/tasks/{task['id']}/urge",
        data={"note": "请今天内签收"},
        follow_redirects=True,
    )
    assert "已催办“部门签收”。" in urged.text
    assert "平台已催办“部门签收”" in urged.text
    notices = api.get("/notifications", user="handler-zjj2").json["items"]
    assert [n["kind"] for n in notices] == ["urge", "transfer"]

    # The colleague reads them on the notices page and marks one read.
    colleague = signed_in(app, "handler-zjj2")
    listed = colleague.get("/notices").text
    assert "催办：诉求" in listed and "请今天内签收" in listed and "转办给您" in listed
    read = colleague.post(f"/notices/{notices[0]['id']}/read", follow_redirects=True)
    assert read.text.count("标为已读") == 1  # the other one is still unread
