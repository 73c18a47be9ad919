"""The social-service pages without a browser: sign-up errors, who may request,
who may open a step, and the catalogue's filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from conftest import PASSWORD, REPOSITORY, register_enterprise
from engine import deployment
from webapp.extensions import db

ENTERPRISE_CODE = "91321100MA1N2K3L4E"


@pytest.fixture
def client(app: Flask) -> Iterator[FlaskClient]:
    """A browser-like client without CSRF tokens, both flows deployed."""
    with app.app_context():
        for name in ("organisation_admission", "social_service"):
            path = REPOSITORY / "workflows" / f"{name}.bpmn"
            deployment.deploy_path(db.session, path, deployed_by="tests")
        register_enterprise(ENTERPRISE_CODE)
        db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    yield app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True


def html(response: Any) -> str:
    text: str = response.get_data(as_text=True)
    return text


def _sign_up(client: FlaskClient, **changes: str) -> Any:
    values = {
        "username": "qihang",
        "display_name": "镇江启航创业服务中心",
        "password": "long-enough-1",
        "password_confirm": "long-enough-1",
        **changes,
    }
    return client.post("/services/signup", data=values)


def test_sign_up_errors_are_shown_and_typed_values_kept(client: FlaskClient) -> None:
    response = _sign_up(client, username="Q", password="1234", password_confirm="")

    assert response.status_code == 422
    page = html(response)
    assert "用户名为 3 至 30 位小写字母、数字、- 或 _" in page
    assert "密码至少 8 位，且不能全是数字" in page
    assert 'value="镇江启航创业服务中心"' in page


def test_sign_up_opens_the_application_step(client: FlaskClient) -> None:
    response = _sign_up(client)
    assert response.status_code == 302
    step = client.get(response.headers["Location"])
    assert "填写入驻申请" in html(step)
    assert "统一社会信用代码" in html(step)

    taken = _sign_up(client)
    assert taken.status_code == 422
    assert "该用户名已被使用" in html(taken)


def test_another_account_cannot_open_my_step(client: FlaskClient) -> None:
    location = _sign_up(client).headers["Location"]
    client.post(
        "/account/login", data={"credit_code": ENTERPRISE_CODE, "password": PASSWORD}
    )
    assert client.get(location).status_code == 404


def test_catalogue_says_when_nothing_matches(client: FlaskClient) -> None:
    page = html(client.get("/services", query_string={"type": "科技创新"}))
    assert "共 0 项服务" in page
    assert "没有符合条件的服务" in page
    assert client.get("/services/NO-SUCH").status_code == 404
