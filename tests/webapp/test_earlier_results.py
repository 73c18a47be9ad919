# ruff: noqa: F811
"""Results sent back for another round (重办) stay readable by the appellant.

A dissatisfied rating or follow-up call reopens the appeal; the look-up page,
"my appeals" and the API's public view keep every result published so far,
each labelled with its round, date and rating, beside the current status.
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from test_enterprise_accounts import sign_up, submit_as_enterprise
from test_portal_pages import client, html, look_up  # noqa: F401

from conftest import PASSWORD, Appellant, Driver
from engine.directory import create_user
from webapp.extensions import db

FIRST = "已派员疏通排水管网。"
SECOND = "重新勘查后更换了破损管道，并增设两处雨水口。"


def _reopened(driver: Driver) -> Appellant:
    """An appeal whose first result was rated dissatisfied."""
    appellant = driver.submit()
    driver.publish(appellant.number, "zjj", FIRST)
    assert driver.rate(appellant, "dissatisfied", "积水依旧").status_code == 200
    return appellant


def _round_card(page: str, round_: int) -> str:
    match = re.search(rf'id="result-round-{round_}".*?</div>\s*</div>', page, re.S)
    assert match, f"no card for round {round_}"
    return match.group(0)


def test_api_keeps_the_first_result_while_the_appeal_is_handled_again(
    driver: Driver,
) -> None:
    appellant = _reopened(driver)

    view = driver.public(appellant)
    assert (view["status"], view["status_label"]) == ("handling", "重新办理中")
    assert view["result"] is None and view["published_at"] is None
    [first] = view["results"]
    assert (first["round"], first["result"]) == (1, FIRST)
    assert (first["rating"], first["rating_label"]) == ("dissatisfied", "不满意")
    assert first["in_force"] is False
    assert first["published_at"].endswith("+08:00")

    driver.reply(appellant.number, "zjj", SECOND)
    driver.review(appellant.number, "publish")
    view = driver.public(appellant)
    assert (view["result"], view["result_round"]) == (SECOND, 2)
    assert [item["result"] for item in view["results"]] == [FIRST, SECOND]
    assert [item["in_force"] for item in view["results"]] == [False, True]
    assert view["results"][1]["rating"] is None


def test_lookup_labels_the_earlier_result_and_rates_the_new_one(
    client: FlaskClient, driver: Driver
) -> None:
    appellant = _reopened(driver)

    page = html(look_up(client, appellant.number, appellant.query_code))
    assert 'id="appeal-status">重新办理中<' in page
    card = _round_card(page, 1)
    assert "第1轮办理结果" in card and "此前发布" in card
    assert FIRST in card and "您的评价：<span" in card and ">不满意<" in card
    assert re.search(r"发布时间 \d{4}-\d{2}-\d{2} \d{2}:\d{2}", card)
    assert 'id="appeal-result"' not in page
    assert "答复时间" not in page
    assert 'id="appeal-rating"' not in page

    driver.reply(appellant.number, "zjj", SECOND)
    driver.review(appellant.number, "publish")
    page = html(look_up(client, appellant.number, appellant.query_code))
    assert re.search(r"办理结果（第2轮，最新）.*?" + SECOND, page, re.S)
    assert FIRST in _round_card(page, 1)
    # The first round's rating is not taken for the second's: it awaits one.
    assert 'id="appeal-rating"' not in page
    assert "rating-form" in page

    data = {"number": appellant.number, "query_code": appellant.query_code}
    rated = client.post("/appeals/rate", data={**data, "rating": "satisfied"})
    page = html(rated)
    assert 'id="appeal-rating">满意<' in page
    assert ">不满意<" in _round_card(page, 1)


def test_a_result_stays_visible_during_the_follow_up_call_and_after_it(
    app: Flask, client: FlaskClient, driver: Driver
) -> None:
    with app.app_context():
        create_user(
            db.session, "followup", PASSWORD, display_name="回访", roles=["followup"]
        )
        db.session.commit()
    # Every tenth rated appeal is called back (回访).
    appeals = [driver.submit() for _ in range(10)]
    tenth = appeals[-1]
    assert tenth.number.endswith("0")
    driver.publish(tenth.number, "zjj", FIRST)
    assert driver.rate(tenth, "satisfied").status_code == 200

    view = driver.public(tenth)
    assert (view["status"], view["result"], view["result_round"]) == (
        "following_up",
        FIRST,
        1,
    )
    page = html(look_up(client, tenth.number, tenth.query_code))
    assert f'id="appeal-result">{FIRST}<' in page
    assert 'id="appeal-rating">满意<' in page

    call = {
        "call_outcome": "reached",
        "call_rating": "dissatisfied",
        "call_comment": "企业反映积水依旧",
    }
    driver.complete("followup", tenth.number, "follow_up", call)
    page = html(look_up(client, tenth.number, tenth.query_code))
    assert 'id="appeal-status">重新办理中<' in page
    card = _round_card(page, 1)
    assert FIRST in card and ">满意<" in card and "回访评价：不满意" in card


def test_my_appeals_keep_the_earlier_result(
    client: FlaskClient, driver: Driver
) -> None:
    sign_up(client)
    number = submit_as_enterprise(client)
    driver.publish(number, "zjj", FIRST)
    url = f"/account/appeals/{number}/rate"
    done = client.post(url, data={"rating": "dissatisfied", "comment": "积水依旧"})
    assert done.status_code == 200

    detail = html(client.get(f"/account/appeals/{number}"))
    assert 'id="appeal-status">重新办理中<' in detail
    assert FIRST in _round_card(detail, 1)
    listing = html(client.get("/account/appeals"))
    assert "部门重新办理中" in listing
    assert re.search(r'class="badge[^"]*status">重新办理中<', listing)
