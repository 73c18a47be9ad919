# ruff: noqa: F811
"""Registered enterprises (注册企业) with the Flask test client.

Sign-up and sign-in, "my appeals" with rating, notices, and the walls between
enterprises, and between enterprise and staff pages.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient

# The portal tests' ``client`` fixture (no CSRF tokens, fresh failure counts) is
# used here under its own name, hence F811 wherever a test takes it.
from test_portal_pages import client, codes_of, field_block, html  # noqa: F401

from conftest import PASSWORD, VALID_APPEAL, Driver

ENTERPRISE = {
    "name": "镇江恒泰精密机械有限公司",
    "credit_code": "91321100MA1N2K3L4E",
    "contact_name": "刘建国",
    "phone": "13805291234",
    "password": "heng-tai-2026",
    "password_confirm": "heng-tai-2026",
}
# A second enterprise, to show that one never sees the other's appeals.
OTHER = {
    **ENTERPRISE,
    "name": "江苏润禾食品科技有限公司",
    "credit_code": "91321191MA20QW8E7G",
    "phone": "13952810023",
}


def sign_up(client: FlaskClient, **changes: str) -> Any:
    return client.post("/account/signup", data={**ENTERPRISE, **changes})


def sign_in(client: FlaskClient, credit_code: str, password: str) -> Any:
    data = {"credit_code": credit_code, "password": password}
    return client.post("/account/login", data=data)


def submit_as_enterprise(client: FlaskClient, **changes: str) -> str:
    """Submit an appeal while signed in; return its number."""
    data = {**VALID_APPEAL, **changes}
    response = client.post("/appeals/new", data=data, follow_redirects=True)
    assert response.status_code == 200, html(response)
    return codes_of(html(response)).number


def test_sign_up_errors_are_in_chinese_beside_fields_and_keep_typed_values(
    client: FlaskClient,
) -> None:
    response = sign_up(
        client,
        credit_code="91321100MA1N2K3L4X",
        phone="0511-85512345",
        contact_name="  ",
        password_confirm="something-else",
    )
    assert response.status_code == 422
    page = html(response)

    assert "提交的内容有误" in page
    assert "统一社会信用代码无效" in field_block(page, "credit_code")
    assert "不接受固定电话" in field_block(page, "phone")
    assert "请填写“联系人”" in field_block(page, "contact_name")
    assert "两次输入的密码不一致" in field_block(page, "password_confirm")
    assert "has-error" not in field_block(page, "name")
    assert 'value="91321100MA1N2K3L4X"' in page
    assert 'value="0511-85512345"' in page
    assert f'value="{ENTERPRISE["name"]}"' in page
    # Passwords are never written back into the page.
    assert ENTERPRISE["password"] not in page

    short = html(sign_up(client, password="1234567", password_confirm="1234567"))
    assert "密码应为 8 至 128 个字符" in field_block(short, "password")


def test_sign_up_signs_in_and_a_code_registers_once(client: FlaskClient) -> None:
    response = sign_up(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/appeals"
    page = html(client.get("/account/appeals"))
    assert "我的诉求" in page
    assert "您还没有提交过诉求" in page
    assert ENTERPRISE["name"] in page  # the nav names who is signed in

    client.post("/account/logout")
    again = sign_up(client, credit_code=ENTERPRISE["credit_code"].lower())
    assert again.status_code == 422
    assert "该统一社会信用代码已注册" in field_block(html(again), "credit_code")


def test_wrong_password_is_refused_and_the_code_kept(client: FlaskClient) -> None:
    sign_up(client)
    client.post("/account/logout")

    wrong = sign_in(client, ENTERPRISE["credit_code"], "not-the-password")
    assert wrong.status_code == 401
    assert "统一社会信用代码或密码错误。" in html(wrong)
    assert f'value="{ENTERPRISE["credit_code"]}"' in html(wrong)
    assert client.get("/account/appeals").status_code == 302

    right = sign_in(client, ENTERPRISE["credit_code"].lower(), ENTERPRISE["password"])
    assert right.headers["Location"] == "/account/appeals"
    assert client.get("/account/appeals").status_code == 200


def test_session_expires_after_eight_hours(client: FlaskClient) -> None:
    with time_machine.travel("2026-12-03 09:00 +0800", tick=False) as clock:
        sign_up(client)
        assert client.get("/account/appeals").status_code == 200
        clock.shift(timedelta(hours=8, minutes=1))
        expired = client.get("/account/appeals")
    assert expired.status_code == 302
    assert expired.headers["Location"].startswith("/account/login")


def test_appeal_is_prefilled_linked_and_hidden_from_other_enterprises(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client)
    form = html(client.get("/appeals/new"))
    assert f'value="{ENTERPRISE["contact_name"]}"' in field_block(form, "contact_name")
    assert "readonly" in field_block(form, "credit_code")

    # Name and code come from the account whatever is posted.
    number = submit_as_enterprise(client, enterprise_name="别的公司", contact_name="王")
    listing = html(client.get("/account/appeals"))
    assert number in listing
    assert VALID_APPEAL["title"] in listing
    assert "待研判" in listing
    detail = html(client.get(f"/account/appeals/{number}"))
    assert "诉求已提交，等待平台研判" in detail
    assert "rating-form" not in detail

    other = app.test_client()
    sign_up(other, **OTHER)
    assert number not in html(other.get("/account/appeals"))
    unknown = other.get("/account/appeals/20000101-0001")
    foreign = other.get(f"/account/appeals/{number}")
    assert foreign.status_code == unknown.status_code == 404
    assert html(foreign) == html(unknown)
    rated = other.post(f"/account/appeals/{number}/rate", data={"rating": "satisfied"})
    assert rated.status_code == 404


def test_rating_from_my_appeals_and_notices(
    client: FlaskClient, driver: Driver
) -> None:
    sign_up(client)
    published = submit_as_enterprise(client)
    returned = submit_as_enterprise(client, title="第二个诉求")
    driver.publish(published, "zjj", "已完成排水管网疏通。")
    reason = {"decision": "return", "reason": "请向属地街道反映。"}
    driver.complete("dispatcher", returned, "triage", reason)

    # Two unread notices, counted in the nav.
    notices = html(client.get("/account/notices"))
    assert f"您的诉求 {published}“{VALID_APPEAL['title']}”已有办理结果" in notices
    assert f"您的诉求 {returned}“第二个诉求”已被平台退回" in notices
    assert re.search(r'id="unread-count"[^>]*>2<', notices)
    first = re.search(r'action="/account/notices/(\d+)/read"', notices)
    assert first
    client.post(f"/account/notices/{first.group(1)}/read")
    assert re.search(r'id="unread-count"[^>]*>1<', html(client.get("/")))

    # The result and the rating form, posting to "my appeals" without a code.
    detail = html(client.get(f"/account/appeals/{published}"))
    assert "已完成排水管网疏通。" in detail
    assert f'action="/account/appeals/{published}/rate"' in detail
    assert 'name="query_code"' not in detail

    url = f"/account/appeals/{published}/rate"
    refused = client.post(url, data={"rating": "dissatisfied", "comment": " "})
    assert refused.status_code == 422
    assert "请填写“评价意见”" in field_block(html(refused), "comment")

    done = client.post(url, data={"rating": "dissatisfied", "comment": "仍有积水"})
    assert done.status_code == 200
    assert "感谢您的评价" in html(done)
    assert 'id="appeal-status">重新办理中<' in html(done)
    assert "重新办理中" in html(client.get("/account/appeals"))


def test_staff_and_enterprise_pages_refuse_each_other(
    app: Flask, client: FlaskClient
) -> None:
    sign_up(client)
    for path in ("/inbox", "/notices", "/hotline/appeals/new"):
        refused = client.get(path)
        assert refused.status_code == 403, path
        assert "您没有权限访问此页面。" in html(refused)

    staff = app.test_client()
    staff.post("/login", data={"username": "dispatcher", "password": PASSWORD})
    assert staff.get("/inbox").status_code == 200
    for path in ("/account/appeals", "/account/notices"):
        assert staff.get(path).status_code == 403, path
    # A staff member's appeal from the portal is not linked to any account.
    assert "registered-note" not in html(staff.get("/appeals/new"))

    # A session from before ids named their kind still signs staff in.
    with staff.session_transaction() as cookie:
        cookie["_user_id"] = cookie["_user_id"].removeprefix("staff:")
    assert staff.get("/inbox").status_code == 200


def test_enterprise_forms_without_csrf_token_are_refused(app: Flask) -> None:
    plain = app.test_client()
    for path, data in (
        ("/account/signup", ENTERPRISE),
        ("/account/login", {"credit_code": "x", "password": "y"}),
    ):
        response = plain.post(path, data=data)
        assert response.status_code == 400, path
        assert "页面已过期" in html(response)
