"""Evaluation indicators (服务评价) on appeals with outcomes worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from evaluation_fixture import Walk, walk_known_outcomes
from flask import Flask
from sqlalchemy.orm import sessionmaker

from engine.evaluation import indicators
from engine.evaluation.definitions import INDICATORS
from engine.evaluation.periods import day_range
from webapp.extensions import db, runtime

PERIOD = day_range(date(2026, 9, 28), date(2026, 10, 31))


@pytest.fixture
def walk(app: Flask) -> Iterator[Walk]:
    with app.app_context():
        walk = Walk(sessionmaker(db.engine), runtime())
    yield walk


def test_indicators_match_the_outcomes_worked_by_hand(walk: Walk) -> None:
    walk_known_outcomes(walk)
    with walk.sessions() as session:
        report = indicators.compute(session, PERIOD, "department")
    rows = {row.key: row.values for row in report.rows}
    zjj = rows["zjj"]

    # A, B, C and D end at zjj (D after rsj handed it back); E was returned.
    assert (zjj["received"], zjj["dispatched"], zjj["completed"]) == (4, 4, 4)
    assert zjj["completion_rate"] == 1.0
    # Accept deadline: 24:00 of 8 October (1-7 October off); B accepted on the 9th.
    assert zjj["accepted_in_time"] == 3
    # Handling deadline: 24:00 of Saturday 10 October (a make-up working day).
    # B replied on Monday 12th: late. C replied on the 13th, within its extension
    # to 24:00 of the 13th. D's second dispatch (8th) gave it until the 12th.
    assert (zjj["on_time"], zjj["overdue"]) == (3, 1)
    assert zjj["on_time_rate"] == 0.75
    assert (zjj["extensions"], zjj["hand_backs"], zjj["terminated"]) == (1, 1, 1)
    # Rated: A 满意, C 基本满意; B is unrated, D terminated.
    assert (zjj["rated"], zjj["satisfied"], zjj["basically_satisfied"]) == (2, 1, 1)
    assert zjj["satisfaction_rate"] == 1.0
    assert (zjj["published"], zjj["followed_up"], zjj["followup_rate"]) == (3, 0, 0)

    # Working days from dispatch (30 Sep 17:00: 7 hours of a working day) to
    # the reply or termination, holidays skipped, Saturday 10 October counted.
    a = 7 / 24 + 1 + 12 / 24  # 8 Oct whole, 9 Oct until 12:00
    b = 7 / 24 + 3 + 10 / 24  # 8, 9, 10 Oct; Sunday off; 12 Oct until 10:00
    c = 7 / 24 + 4 + 15 / 24  # 8, 9, 10, 12 Oct; 13 Oct until 15:00
    d = 14 / 24 + 11 / 24  # 8 Oct from 10:00 (second dispatch), 9 Oct to 11:00
    assert zjj["avg_days"] == round((a + b + c + d) / 4, 2)
    assert zjj["p90_days"] == round(c, 2)  # nearest rank: 4th of 4

    unassigned = rows[indicators.NONE_KEY]
    assert (unassigned["received"], unassigned["dispatched"]) == (1, 0)
    assert report.total.values["received"] == 5
    assert report.total.values["completion_rate"] == 1.0


def test_drill_down_lists_exactly_the_appeals_counted(walk: Walk) -> None:
    numbers = walk_known_outcomes(walk)
    counted = [k for k, v in INDICATORS.items() if v.drillable]
    with walk.sessions() as session:
        report = indicators.compute(session, PERIOD, "department")
        for row in report.rows:
            for name in counted:
                listed = indicators.appeals_behind(
                    session, PERIOD, name, "department", row.key
                )
                if name in indicators.SUMMED:
                    column = 1 if name == "extensions" else 2
                    total = sum(item[column] for item in listed)
                else:
                    total = len(listed)
                assert total == row.values[name], (row.key, name)
        overdue = indicators.appeals_behind(
            session, PERIOD, "overdue", "department", "zjj"
        )
    assert [appeal.number for appeal, _, _ in overdue] == [numbers["B"]]
