"""A form posted twice (double click, resubmit) makes one appeal and says so.

Each appeal form carries a one-time submission token; a second post with it
leads to the confirmation of the appeal the first made, with a fresh query code.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import time_machine
from flask import Flask
from flask.testing import FlaskClient
from policy_fixtures import add_maintainer, publish
from sqlalchemy import func, select

from conftest import VALID_APPEAL, signed_in
from engine.appeals.models import Appeal
from engine.clock import now
from engine.models import AuditEntry
from webapp.extensions import db

REPEATED = "该诉求已提交，请勿重复提交。"


def token_of(page: str) -> str:
    found = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert found, "the form has no submission token"
    return found.group(1)


def codes_of(page: str) -> tuple[str, str]:
    number = re.search(r'id="appeal-number">([^<]+)<', page)
    code = re.search(r'id="query-code">([^<]+)<', page)
    assert number and code, page
    return number.group(1), code.group(1)


def appeals(app: Flask) -> list[Appeal]:
    with app.app_context():
        found = db.session.scalars(select(Appeal).order_by(Appeal.id)).all()
        db.session.expunge_all()
        return list(found)


def finds(client: FlaskClient, number: str, code: str) -> bool:
    response = client.post(
        "/appeals/lookup", data={"number": number, "query_code": code}
    )
    return response.status_code == 200


def post_twice(client: FlaskClient, path: str, data: dict[str, Any]) -> list[Any]:
    return [client.post(path, data=data, follow_redirects=True) for _ in range(2)]


def test_a_portal_form_posted_twice_makes_one_appeal(pages: Flask) -> None:
    client = pages.test_client()
    form = client.get("/appeals/new").text
    data = {**VALID_APPEAL, "submission_token": token_of(form)}

    first, second = post_twice(client, "/appeals/new", data)

    assert (first.status_code, second.status_code) == (200, 200)
    assert REPEATED not in first.text
    assert REPEATED in second.text and "之前显示的查询码已失效" in second.text
    (stored,) = appeals(pages)
    first_number, first_code = codes_of(first.text)
    number, code = codes_of(second.text)
    assert first_number == number == stored.number
    # The browser showed the second answer only: its code is the one that works.
    assert finds(client, number, code)
    assert not finds(client, number, first_code)


def test_another_form_makes_another_appeal(pages: Flask) -> None:
    client = pages.test_client()
    for _ in range(2):
        token = token_of(client.get("/appeals/new").text)
        posted = client.post(
            "/appeals/new", data={**VALID_APPEAL, "submission_token": token}
        )
        assert posted.status_code == 303
    assert len(appeals(pages)) == 2


def test_a_form_shown_again_after_errors_keeps_its_token(pages: Flask) -> None:
    client = pages.test_client()
    token = token_of(client.get("/appeals/new").text)
    refused = client.post(
        "/appeals/new",
        data={**VALID_APPEAL, "phone": "12", "submission_token": token},
    )
    assert refused.status_code == 422 and token_of(refused.text) == token

    fixed = {**VALID_APPEAL, "submission_token": token}
    post_twice(client, "/appeals/new", fixed)
    assert len(appeals(pages)) == 1


def test_a_token_reused_for_other_content_is_refused(pages: Flask) -> None:
    client = pages.test_client()
    token = token_of(client.get("/appeals/new").text)
    client.post("/appeals/new", data={**VALID_APPEAL, "submission_token": token})
    (before,) = appeals(pages)

    other = {**VALID_APPEAL, "title": "另一件事", "submission_token": token}
    refused = client.post("/appeals/new", data=other)

    assert refused.status_code == 409
    assert "该表单已提交过另一诉求" in refused.text
    # The form comes back with what was typed and a new token.
    assert "另一件事" in refused.text and token_of(refused.text) != token
    (after,) = appeals(pages)
    assert after.query_code_hash == before.query_code_hash


def test_a_late_resubmit_is_refused_and_names_the_appeal(pages: Flask) -> None:
    client = pages.test_client()
    data = {
        **VALID_APPEAL,
        "submission_token": token_of(client.get("/appeals/new").text),
    }
    client.post("/appeals/new", data=data)
    (before,) = appeals(pages)

    with time_machine.travel(now() + timedelta(hours=1)):
        refused = client.post("/appeals/new", data=data)

    assert refused.status_code == 409
    assert REPEATED in refused.text and before.number in refused.text
    (after,) = appeals(pages)
    assert after.query_code_hash == before.query_code_hash


def test_a_hotline_entry_posted_twice_makes_one_appeal(pages: Flask) -> None:
    client = signed_in(pages, "hotline")
    token = token_of(client.get("/hotline/appeals/new").text)
    data = {**VALID_APPEAL, "submission_token": token}

    first, second = post_twice(client, "/hotline/appeals/new", data)

    (stored,) = appeals(pages)
    assert codes_of(first.text)[0] == codes_of(second.text)[0] == stored.number
    assert REPEATED in second.text


def test_a_consultation_posted_twice_makes_one_appeal(pages: Flask) -> None:
    add_maintainer(pages)
    policy_id = publish(pages)
    client = pages.test_client()
    token = token_of(client.get(f"/policies/{policy_id}").text)
    data = {**VALID_APPEAL, "submission_token": token}

    _first, second = post_twice(client, f"/policies/{policy_id}/consult", data)

    (stored,) = appeals(pages)
    assert codes_of(second.text)[0] == stored.number and REPEATED in second.text
    assert stored.policy_id == policy_id
    with pages.app_context():
        asked = select(func.count()).where(AuditEntry.action == "policy_consultation")
        assert db.session.scalar(asked) == 1


def test_two_posts_at_once_make_one_appeal(pages: Flask) -> None:
    token = token_of(pages.test_client().get("/appeals/new").text)
    data = {**VALID_APPEAL, "submission_token": token}
    start = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        client = pages.test_client()
        start.wait()
        statuses.append(client.post("/appeals/new", data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Whichever came second waited for the first and led to its appeal.
    assert statuses == [303, 303]
    assert len(appeals(pages)) == 1


def test_an_api_retry_with_its_idempotency_key_makes_one_appeal(app: Flask) -> None:
    client = app.test_client()
    key = {"Idempotency-Key": "3f2b8c1e-5d4a-4e7b-9a61-0c2d7e8f9b10"}
    first = client.post("/api/v1/appeals", json=VALID_APPEAL, headers=key)
    retry = client.post("/api/v1/appeals", json=VALID_APPEAL, headers=key)

    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json and retry.json
    assert retry.json["number"] == first.json["number"] and retry.json["repeated"]
    assert REPEATED in retry.json["message"]
    assert len(appeals(app)) == 1
    number, code = retry.json["number"], retry.json["query_code"]
    shown = client.get(f"/api/v1/appeals/{number}", query_string={"query_code": code})
    assert shown.status_code == 200

    short = client.post(
        "/api/v1/appeals", json=VALID_APPEAL, headers={"Idempotency-Key": "abc"}
    )
    assert short.status_code == 422 and len(appeals(app)) == 1
