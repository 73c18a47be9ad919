"""Deadlines as staff see them in the API inbox, after the timer service ran."""

from __future__ import annotations

from datetime import datetime

import time_machine
from click.testing import CliRunner
from flask import Flask

from conftest import Api, Driver
from engine.clock import SHANGHAI
from webapp.cli import main


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_inbox_shows_due_times_marks_and_escalations(
    app: Flask, api: Api, driver: Driver
) -> None:
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        first = driver.submit()
        driver.dispatch(first.number, "zjj")
    with time_machine.travel(at("2026-12-02 10:00"), tick=False):
        api.tokens.clear()
        second = driver.submit()
        driver.dispatch(second.number, "zjj")

    # The timer service sweeps once on Thursday 3 December, 09:00.
    with time_machine.travel(at("2026-12-03 09:00"), tick=False):
        result = CliRunner().invoke(
            main,
            ["timers", "run-once"],
            env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
        )
        assert result.exit_code == 0, result.output
        assert "3 timers fired (2 instances had timers due)" in result.output

        api.tokens.clear()
        inbox = api.get("/tasks", user="handler-zjj").json["items"]
        assert [
            (t["appeal_number"], t["due_at"], t["warned"], t["overdue"]) for t in inbox
        ] == [
            (first.number, "2026-12-02T00:00:00+08:00", True, True),
            (second.number, "2026-12-04T00:00:00+08:00", True, False),
        ]
        latest_first = api.get("/tasks", user="handler-zjj", sort="-due").json["items"]
        assert [t["appeal_number"] for t in latest_first] == [
            second.number,
            first.number,
        ]
        overdue = api.get("/tasks", user="handler-zjj", overdue="true").json["items"]
        assert [t["appeal_number"] for t in overdue] == [first.number]

        escalations = api.get(
            "/tasks", user="dispatcher", step_id="escalate_acceptance"
        ).json["items"]
        assert [(t["appeal_number"], t["step_name"]) for t in escalations] == [
            (first.number, "督办：签收超期")
        ]

        # The department hears of both marks (预警, 超期) in its notices.
        notices = api.get("/notifications", user="handler-zjj").json["items"]
        assert [(n["kind"], n["appeal_number"]) for n in notices] == [
            ("warned", second.number),
            ("overdue", first.number),
            ("warned", first.number),
        ]
        assert notices[1]["message"] == (
            f"超期：诉求 {first.number} 的“部门签收”已超过办理期限"
            "（2026-12-01 24:00），平台已督办。"
        )
        notice_id = notices[0]["id"]
        assert api.post(f"/notifications/{notice_id}/read", user="handler-zjj").json[
            "read"
        ]
        assert api.get("/notifications", user="handler-rsj").json["items"] == []

        # A second sweep adds nothing.
        again = CliRunner().invoke(
            main,
            ["timers", "run-once"],
            env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
        )
        assert "0 timers fired (0 instances had timers due)" in again.output
