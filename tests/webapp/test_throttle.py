"""Slowing down guesses: failed sign-ins, query codes on the API, clients behind a
proxy (webapp.throttle)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient

from conftest import PASSWORD, Api, Driver
from webapp import create_app
from webapp.config import ConfigError, from_environment

TOO_MANY = "登录失败次数过多"


def staff_sign_in(client: FlaskClient, username: str, password: str, **kw: Any) -> Any:
    return client.post(
        "/login", data={"username": username, "password": password}, **kw
    )


def token(client: FlaskClient, password: str, **who: str) -> Any:
    return client.post("/api/v1/auth/token", json={**who, "password": password})


def from_address(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_staff_page_refuses_even_the_right_password_after_five_failures(
    pages: Flask,
) -> None:
    client = pages.test_client()
    for _attempt in range(5):
        assert staff_sign_in(client, "dispatcher", "wrong").status_code == 200

    refused = staff_sign_in(client, "dispatcher", PASSWORD)
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert "10 分钟后再试" in refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 600

    # Another client signs in as usual.
    other = staff_sign_in(client, "reviewer", PASSWORD, **from_address("10.0.0.9"))
    assert other.status_code == 302


def test_guesses_at_one_account_from_many_addresses_block_it_for_minutes(
    pages: Flask,
) -> None:
    client = pages.test_client()
    with time_machine.travel("2026-12-03 09:00 +0800", tick=False) as clock:
        # Ten addresses, one wrong password each (case and spaces do not help).
        for number in range(10):
            name = "dispatcher" if number % 2 else " DISPATCHER"
            answer = staff_sign_in(
                client, name, "wrong", **from_address(f"10.0.1.{number}")
            )
            assert answer.status_code == 200

        # The real owner, from a fresh address, is refused for at most 5 minutes;
        # other accounts are not affected.
        owner = from_address("10.0.2.1")
        refused = staff_sign_in(client, "dispatcher", PASSWORD, **owner)
        assert refused.status_code == 429
        assert int(refused.headers["Retry-After"]) <= 300
        assert staff_sign_in(client, "reviewer", PASSWORD, **owner).status_code == 302

        clock.shift(301)
        assert staff_sign_in(client, "dispatcher", PASSWORD, **owner).status_code == 302


def test_api_token_answers_429_with_retry_after(app: Flask) -> None:
    client = app.test_client()
    for _attempt in range(5):
        wrong = token(client, "wrong", username="dispatcher")
        assert wrong.status_code == 401

    refused = token(client, PASSWORD, username="dispatcher")
    assert refused.status_code == 429
    assert refused.json["error"]["code"] == "too_many_attempts"
    assert TOO_MANY in refused.json["error"]["message"]
    assert refused.headers["Retry-After"] == str(refused.json["error"]["retry_after"])


def test_enterprise_sign_in_is_blocked_by_name_across_page_and_api(
    pages: Flask, enterprise: str
) -> None:
    client = pages.test_client()
    # Failures on the page and on the API count for the one credit code.
    for number in range(10):
        address = from_address(f"10.0.3.{number}")
        if number % 2:
            data = {"credit_code": enterprise, "password": "wrong-password"}
            answer = client.post("/account/login", data=data, **address)
        else:
            answer = client.post(
                "/api/v1/auth/token",
                json={"credit_code": enterprise.lower(), "password": "wrong"},
                **address,
            )
        assert answer.status_code == 401

    data = {"credit_code": enterprise, "password": PASSWORD}
    refused = client.post("/account/login", data=data, **from_address("10.0.4.1"))
    assert refused.status_code == 429
    assert TOO_MANY in refused.text
    assert "Retry-After" in refused.headers


def test_query_code_guesses_on_the_api_and_the_portal_share_one_count(
    pages: Flask, driver: Driver, api: Api
) -> None:
    appellant = driver.submit()
    client = api.client
    for _attempt in range(3):
        wrong = api.get(f"/appeals/{appellant.number}", query_code="WRONG234")
        assert wrong.status_code == 404
    rating = {"query_code": "WRONG234", "rating": "satisfied"}
    assert api.post(f"/appeals/{appellant.number}/rating", rating).status_code == 404
    page = client.post(
        "/appeals/lookup", data={"number": appellant.number, "query_code": "WRONG"}
    )
    assert page.status_code == 404

    # Five failures in all: the right code waits too, on the API and the portal.
    refused = api.get(f"/appeals/{appellant.number}", query_code=appellant.query_code)
    assert refused.status_code == 429
    assert "查询失败次数过多" in refused.json["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert driver.rate(appellant, "satisfied").status_code == 429
    data = {"number": appellant.number, "query_code": appellant.query_code}
    assert client.post("/appeals/lookup", data=data).status_code == 429


@pytest.fixture
def proxied(migrated_app: Flask, app: Flask) -> Flask:
    """The test app as configured behind one reverse proxy."""
    config = {
        key: migrated_app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "TESTING", "SECRET_KEY")
    }
    return create_app({**config, "BANGBAN_PROXY_COUNT": 1, "WTF_CSRF_ENABLED": False})


def test_behind_a_proxy_each_forwarded_client_counts_alone(proxied: Flask) -> None:
    client = proxied.test_client()
    proxy = {"REMOTE_ADDR": "10.9.9.9"}

    def sign_in(client_address: str, password: str) -> Any:
        headers = {"X-Forwarded-For": client_address}
        return staff_sign_in(
            client, "dispatcher", password, headers=headers, environ_base=proxy
        )

    for _attempt in range(5):
        assert sign_in("203.0.113.5", "wrong").status_code == 200
    assert sign_in("203.0.113.5", PASSWORD).status_code == 429
    assert sign_in("203.0.113.6", PASSWORD).status_code == 302


def test_without_a_proxy_forwarded_addresses_are_ignored(pages: Flask) -> None:
    client = pages.test_client()
    for number in range(5):
        headers = {"X-Forwarded-For": f"203.0.113.{number}"}
        staff_sign_in(client, "reviewer", "wrong", headers=headers)
    headers = {"X-Forwarded-For": "203.0.113.99"}
    refused = staff_sign_in(client, "dispatcher", PASSWORD, headers=headers)
    assert refused.status_code == 429


def test_proxy_count_must_be_a_whole_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BANGBAN_PROXY_COUNT", "one")
    with pytest.raises(ConfigError, match="BANGBAN_PROXY_COUNT"):
        from_environment(str(tmp_path))

    monkeypatch.setenv("BANGBAN_PROXY_COUNT", "2")
    monkeypatch.setenv("BANGBAN_RATELIMIT_STORAGE_URI", "memory://")
    config = from_environment(str(tmp_path))
    assert config["BANGBAN_PROXY_COUNT"] == 2
