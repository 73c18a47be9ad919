"""Follow-up calls (回访): unrated appeals after 5 working days, and a sample of
rated ones, reach the follow-up staff's inbox; the call's outcome is recorded.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from evaluation_fixture import FOLLOWUP, Walk, at
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from conftest import PASSWORD, Api
from engine.appeals.models import Appeal
from engine.directory import create_user
from engine.evaluation import indicators
from engine.evaluation.periods import day_range
from engine.timers import sweep
from webapp.extensions import db, runtime

PERIOD = day_range(date(2026, 9, 28), date(2026, 10, 31))


@pytest.fixture
def walk(app: Flask) -> Iterator[Walk]:
    with app.app_context():
        for name in ("followup", "assessor"):
            create_user(db.session, name, PASSWORD, display_name=name, roles=[name])
        db.session.commit()
        walk = Walk(sessionmaker(db.engine), runtime())
    # No app context stays pushed: requests in the test get their own.
    yield walk


def published(walk: Walk, number: str) -> None:
    """Dispatched 30 Sep 17:00, replied 9 Oct, published Friday 9 Oct 14:00."""
    walk.dispatch("2026-09-30 17:00", number, "zjj")
    walk.accept("2026-10-08 09:00", number, "zjj")
    walk.reply("2026-10-09 12:00", number, "zjj")
    walk.publish("2026-10-09 14:00", number)


def followup_inbox(api: Api) -> list[str]:
    items = api.get("/tasks", user="followup", step_id="follow_up").json["items"]
    return [item["appeal_number"] for item in items]


def test_unrated_appeal_is_called_back_after_five_working_days(
    walk: Walk, api: Api
) -> None:
    number, code = walk.submit("2026-09-30 16:00")
    published(walk, number)

    # 5 working days after Friday 9 October: Saturday 10 (make-up), 12-15 Oct.
    with time_machine.travel(at("2026-10-15 23:00"), tick=False):
        sweep(walk.sessions, walk.runtime)
    assert followup_inbox(api) == []
    with time_machine.travel(at("2026-10-16 00:30"), tick=False):
        sweep(walk.sessions, walk.runtime)
    assert followup_inbox(api) == [number]

    # The appellant can no longer rate: the call takes the rating.
    late = api.post(
        f"/appeals/{number}/rating", {"query_code": code, "rating": "satisfied"}
    )
    assert late.status_code == 409
    call = {"call_outcome": "reached", "call_rating": "basically_satisfied"}
    walk.do("2026-10-16 10:00", number, "follow_up", FOLLOWUP, **call)

    with walk.sessions() as session:
        appeal = session.scalar(select(Appeal).where(Appeal.number == number))
        assert appeal is not None
        assert (appeal.status, appeal.rating) == ("closed", None)
        assert appeal.followup_rating == "basically_satisfied"
        assert appeal.followup_at == at("2026-10-16 10:00")
        values = indicators.compute(session, PERIOD).total.values
    assert (values["rated"], values["basically_satisfied"]) == (1, 1)
    assert (values["followed_up"], values["followup_rate"]) == (1, 1.0)


def test_every_tenth_rated_appeal_is_sampled_for_a_call(walk: Walk, api: Api) -> None:
    submitted = [walk.submit("2026-09-30 16:00") for _ in range(10)]
    (ninth, ninth_code), (tenth, tenth_code) = submitted[8], submitted[9]
    assert tenth.endswith("-0010")
    for number, code in ((ninth, ninth_code), (tenth, tenth_code)):
        published(walk, number)
        walk.rate("2026-10-09 18:00", number, code, "satisfied")

    assert followup_inbox(api) == [tenth]
    dissatisfied = {
        "call_outcome": "reached",
        "call_rating": "dissatisfied",
        "call_comment": "企业反映问题仍未解决",
    }
    walk.do("2026-10-12 10:00", tenth, "follow_up", FOLLOWUP, **dissatisfied)

    with walk.sessions() as session:
        rows = {
            a.number: a
            for a in session.scalars(
                select(Appeal).where(Appeal.number.in_([ninth, tenth]))
            )
        }
        assert rows[ninth].status == "closed" and rows[ninth].followup_at is None
        # A dissatisfied call sends the appeal back to the department (重办).
        assert rows[tenth].status == "handling"
        assert rows[tenth].followup_rating == "dissatisfied"
        values = indicators.compute(session, PERIOD).rows[0].values
    assert (values["followed_up"], values["reopened"], values["satisfied"]) == (1, 1, 2)


def test_indicators_api_for_assessors(walk: Walk, api: Api) -> None:
    number, _ = walk.submit("2026-09-30 16:00")
    published(walk, number)
    query = {"period": "range", "from": "2026-09-28", "to": "2026-10-31"}

    response = api.get("/indicators", user="assessor", **query)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["period"] == {
        "label": "2026-09-28 至 2026-10-31",
        "from": "2026-09-28",
        "to": "2026-10-31",
    }
    zjj = body["rows"][0]
    assert zjj["key"] == "zjj" and zjj["values"]["on_time"] == 1
    assert body["definitions"]["on_time_rate"]["name"] == "按时办结率"

    assert api.get("/indicators", user="handler-zjj").status_code == 403
    wrong = api.get("/indicators", user="assessor", period="month", month="13")
    assert wrong.status_code == 422
    assert wrong.json["error"]["fields"][0]["message"] == "月份应在 1 到 12 之间"
