"""A registered enterprise over the API: its token, its appeals, its ratings."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from conftest import (
    CREDIT_CODE,
    PASSWORD,
    VALID_APPEAL,
    Api,
    Driver,
    register_enterprise,
)
from engine.appeals.models import Appeal
from webapp.extensions import db

OTHER_CODE = "91321191MA20QW8E7G"


def enterprise_token(api: Api, credit_code: str) -> str:
    response = api.client.post(
        "/api/v1/auth/token", json={"credit_code": credit_code, "password": PASSWORD}
    )
    assert response.status_code == 200, response.json
    token: str = response.json["token"]
    return token


def as_enterprise(api: Api, credit_code: str) -> Api:
    """The API client holding ``credit_code``'s token under the name ``me``."""
    api.tokens["me"] = enterprise_token(api, credit_code)
    return api


def own(api: Api, path: str, body: Any = None) -> Any:
    if body is None:
        return api.get(f"/account{path}", user="me")
    return api.post(f"/account{path}", body, user="me")


def test_token_names_the_enterprise_and_wrong_password_is_refused(
    api: Api, enterprise: str
) -> None:
    response = api.client.post(
        "/api/v1/auth/token",
        json={"credit_code": enterprise.lower(), "password": PASSWORD},
    )
    assert response.status_code == 200
    assert response.json["token_type"] == "Bearer"
    assert response.json["enterprise"] == {
        "name": "镇江恒泰精密机械有限公司",
        "credit_code": CREDIT_CODE,
    }

    wrong = api.client.post(
        "/api/v1/auth/token", json={"credit_code": enterprise, "password": "nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json["error"]["message"] == "统一社会信用代码或密码错误。"


def test_enterprise_submits_lists_and_rates_its_own_appeal(
    app: Flask, api: Api, driver: Driver, enterprise: str
) -> None:
    as_enterprise(api, enterprise)
    # Submitted with its token: linked to the account, under the account's name.
    typed = {**VALID_APPEAL, "enterprise_name": "别的名字"}
    mine = driver.submit(user="me", **typed)
    anonymous = driver.submit(title="匿名提交的诉求")

    listed = own(api, "/appeals")
    assert listed.status_code == 200
    assert [item["number"] for item in listed.json["items"]] == [mine.number]
    with app.app_context():
        appeal = db.session.scalar(select(Appeal).where(Appeal.number == mine.number))
        assert appeal is not None and appeal.enterprise_id is not None
        assert appeal.enterprise_name == "镇江恒泰精密机械有限公司"

    # Not the anonymous appeal, which it cannot see without the query code.
    assert own(api, f"/appeals/{anonymous.number}").status_code == 404

    driver.publish(mine.number, "zjj", "已疏通排水管网。")
    shown = own(api, f"/appeals/{mine.number}")
    assert shown.json["status"] == "published"
    assert shown.json["result"] == "已疏通排水管网。"

    rated = own(api, f"/appeals/{mine.number}/rating", {"rating": "satisfied"})
    assert rated.status_code == 200, rated.json
    assert rated.json["rating_label"] == "满意"
    again = own(api, f"/appeals/{mine.number}/rating", {"rating": "satisfied"})
    assert again.status_code == 409


def test_tokens_keep_to_their_own_kind(api: Api, enterprise: str) -> None:
    as_enterprise(api, enterprise)
    staff_only = api.get("/tasks", user="me")
    assert staff_only.status_code == 403
    assert "企业账号的令牌" in staff_only.json["error"]["message"]

    not_enterprise = api.get("/account/appeals", user="dispatcher")
    assert not_enterprise.status_code == 403
    assert api.get("/account/appeals").status_code == 401


def test_another_enterprises_appeal_is_not_found_and_bad_rating_explained(
    app: Flask, api: Api, driver: Driver, enterprise: str
) -> None:
    with app.app_context():
        register_enterprise(OTHER_CODE, "镇江远景科技有限公司", "王芳", "13905291234")
        db.session.commit()
    api.tokens["other"] = enterprise_token(api, OTHER_CODE)
    theirs = driver.submit(user="other")
    as_enterprise(api, enterprise)

    refused = own(api, f"/appeals/{theirs.number}/rating", {"rating": "satisfied"})
    assert refused.status_code == 404

    mine = driver.submit(user="me")
    driver.publish(mine.number, "zjj", "已答复。")
    bad = own(api, f"/appeals/{mine.number}/rating", {"rating": "great"})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"][0]["field"] == "rating"
