"""Deadlines, early warnings, overdue marks and escalations, with time moved.

Time is moved with time-machine, never with sleeps. The appeal is dispatched on
Wednesday 2026-09-30 at 17:00, just before the National Day week (1-7 October
off, Saturday 10 October a make-up working day), so every deadline crosses it.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from conftest import REPOSITORY, VALID_APPEAL
from engine.appeals import service
from engine.appeals.service import follow_instance
from engine.calendar import WorkingCalendar
from engine.clock import SHANGHAI
from engine.errors import ScriptFailed
from engine.helpers import make_helpers
from engine.models import AuditEntry, HumanTask, PendingTimer
from engine.notifications import Notification
from engine.runtime import Actor, Runtime
from engine.timers import sweep
from webapp.extensions import db, runtime

DISPATCHER = Actor("dispatcher", frozenset({"dispatcher"}))
REVIEWER = Actor("reviewer", frozenset({"reviewer"}))
ZJJ = Actor("handler-zjj", frozenset({"zjj"}))


def at(text: str) -> datetime:
    """A Beijing time, e.g. ``at("2026-10-08 08:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def sessions(app: Flask) -> Iterator[sessionmaker[Session]]:
    with app.app_context():
        yield sessionmaker(db.engine)


@pytest.fixture
def engine_runtime(app: Flask) -> Runtime:
    with app.app_context():
        return runtime()


def _open(
    session: Session, number: str, step_id: str, group: str | None = None
) -> HumanTask:
    query = select(HumanTask).where(
        HumanTask.business_key == number,
        HumanTask.step_id == step_id,
        HumanTask.state == HumanTask.OPEN,
    )
    if group:
        query = query.where(HumanTask.candidate_group == group)
    task = session.scalar(query)
    assert task is not None, (number, step_id)
    return task


def _dispatched(
    sessions: sessionmaker[Session], rt: Runtime, when: str, co: list[str] | None = None
) -> str:
    with time_machine.travel(at(when), tick=False), sessions() as session:
        number = service.submit(
            session, rt, VALID_APPEAL, actor=Actor("public")
        ).appeal.number
        triage = _open(session, number, "triage")
        values = {
            "decision": "dispatch",
            "lead_department": "zjj",
            "co_departments": co,
        }
        rt.complete(session, triage.id, values, DISPATCHER)
        session.commit()
    return number


def _accept(
    sessions: sessionmaker[Session], rt: Runtime, number: str, when: str
) -> None:
    """The lead department (zjj) accepts at ``when``."""
    _complete(sessions, rt, number, "accept_appeal", {"decision": "accept"}, ZJJ, when)


def _sweep(sessions: sessionmaker[Session], rt: Runtime, when: str) -> Any:
    with time_machine.travel(at(when), tick=False):
        return sweep(sessions, rt)


def _complete(
    sessions: sessionmaker[Session],
    rt: Runtime,
    number: str,
    step_id: str,
    values: dict[str, Any],
    actor: Actor,
    when: str,
) -> None:
    with time_machine.travel(at(when), tick=False), sessions() as session:
        group = next(iter(actor.groups))
        rt.complete(session, _open(session, number, step_id, group).id, values, actor)
        session.commit()


def test_deadlines_come_from_the_working_day_calendar(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00")
    with sessions() as session:
        accept = _open(session, number, "accept_appeal")
    # 1 working day after 30 September: 8 October, due at its end.
    assert accept.due_at == at("2026-10-09 00:00")
    assert accept.warn_at == at("2026-10-08 00:00")

    _accept(sessions, engine_runtime, number, "2026-10-08 09:00")
    with sessions() as session:
        handle = _open(session, number, "handle_appeal")
    # 3 working days: 8, 9 and the make-up Saturday 10 October.
    assert handle.due_at == at("2026-10-11 00:00")


def test_co_handling_allows_five_working_days(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00", co=["rsj"])
    with sessions() as session:
        tasks = session.scalars(
            select(HumanTask)
            .where(HumanTask.business_key == number)
            .where(HumanTask.step_id == "accept_appeal")
        ).all()
    assert {task.candidate_group for task in tasks} == {"zjj", "rsj"}
    assert {task.due_at for task in tasks} == {at("2026-10-09 00:00")}

    _accept(sessions, engine_runtime, number, "2026-10-08 09:00")
    _complete(
        sessions,
        engine_runtime,
        number,
        "accept_appeal",
        {"decision": "accept"},
        Actor("handler-rsj", frozenset({"rsj"})),
        "2026-10-08 09:30",
    )
    with sessions() as session:
        contribute = _open(session, number, "contribute")
    # 8, 9, 10 (make-up), 12 and 13 October.
    assert contribute.due_at == at("2026-10-14 00:00")


def test_warning_then_overdue_and_escalation(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00")

    assert _sweep(sessions, engine_runtime, "2026-10-07 23:59").fired == 0
    assert _sweep(sessions, engine_runtime, "2026-10-08 00:01").fired == 1
    with sessions() as session:
        accept = _open(session, number, "accept_appeal")
        assert (accept.warned, accept.overdue) == (True, False)

    assert _sweep(sessions, engine_runtime, "2026-10-09 00:01").fired == 1
    with sessions() as session:
        accept = _open(session, number, "accept_appeal")
        escalation = _open(session, number, "escalate_acceptance")
        timers = session.scalars(
            select(AuditEntry.step_id)
            .where(AuditEntry.business_key == number, AuditEntry.action == "timer")
            .order_by(AuditEntry.id)
        ).all()
    # The acceptance goes on; the dispatchers get an escalation (督办) task.
    assert (accept.warned, accept.overdue) == (True, True)
    assert escalation.candidate_group == "dispatcher"
    assert timers == ["accept_warning", "accept_overdue"]

    # A second sweep adds nothing.
    assert _sweep(sessions, engine_runtime, "2026-10-09 00:02").fired == 0
    with sessions() as session:
        count = session.scalar(
            select(func.count(HumanTask.id)).where(
                HumanTask.business_key == number,
                HumanTask.step_id == "escalate_acceptance",
            )
        )
    assert count == 1

    # Accepting late keeps the overdue mark for the timeliness report.
    _complete(
        sessions,
        engine_runtime,
        number,
        "accept_appeal",
        {"decision": "accept"},
        ZJJ,
        "2026-10-09 10:00",
    )
    with sessions() as session:
        done = session.scalar(
            select(HumanTask).where(
                HumanTask.business_key == number, HumanTask.step_id == "accept_appeal"
            )
        )
        assert done is not None and done.state == HumanTask.COMPLETED
        assert done.overdue is True


def test_extension_moves_the_deadline(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00")
    _accept(sessions, engine_runtime, number, "2026-10-08 09:00")
    extend = {"decision": "extend", "extension_days": 2, "material": "需现场勘查。"}
    _complete(
        sessions,
        engine_runtime,
        number,
        "handle_appeal",
        extend,
        ZJJ,
        "2026-10-09 09:00",
    )
    _complete(
        sessions,
        engine_runtime,
        number,
        "file_extension",
        {"decision": "approve"},
        REVIEWER,
        "2026-10-09 10:00",
    )

    with sessions() as session:
        handle = _open(session, number, "handle_appeal")
    # Due at the end of Saturday 10 October, plus Monday 12 and Tuesday 13.
    assert handle.due_at == at("2026-10-14 00:00")
    assert _sweep(sessions, engine_runtime, "2026-10-11 09:00").fired == 0


def test_downtime_catch_up_fires_in_due_order(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    late = _dispatched(sessions, engine_runtime, "2026-12-03 10:00")
    early = _dispatched(sessions, engine_runtime, "2026-12-01 10:00")

    # The service was down for weeks: everything fires on its first sweep.
    result = _sweep(sessions, engine_runtime, "2026-12-28 09:00")
    assert (result.instances, result.fired) == (2, 4)
    with sessions() as session:
        order = session.scalars(
            select(AuditEntry.business_key)
            .where(AuditEntry.action == "timer")
            .order_by(AuditEntry.id)
        ).all()
        assert session.scalar(select(func.count(PendingTimer.id))) == 0
    assert order == [early, early, late, late]


def test_two_timer_processes_fire_each_timer_once(
    sessions: sessionmaker[Session], app: Flask
) -> None:
    with app.app_context():
        shared = runtime()
    numbers = [_dispatched(sessions, shared, "2026-12-01 10:00") for _ in range(6)]

    # Two sweepers with their own runtimes and connections, as two processes.
    results = []

    def run() -> None:
        results.append(_sweep(sessions, Runtime(), "2026-12-28 09:00"))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(result.fired for result in results) == 12
    with sessions() as session:
        fired = session.execute(
            select(AuditEntry.business_key, func.count())
            .where(AuditEntry.action == "timer")
            .group_by(AuditEntry.business_key)
        ).all()
        escalations = session.scalar(
            select(func.count(HumanTask.id)).where(
                HumanTask.step_id == "escalate_acceptance"
            )
        )
    assert dict(fired) == {number: 2 for number in numbers}
    assert escalations == 6


def test_a_deadline_in_a_year_without_holiday_data_stops_the_dispatch(
    sessions: sessionmaker[Session], app: Flask, tmp_path: Path
) -> None:
    # Only 2026 is known: five working days from 28 December reach into 2027.
    shutil.copy(REPOSITORY / "holidays" / "2026.json", tmp_path / "2026.json")
    rt = Runtime(helpers=make_helpers(WorkingCalendar.load(tmp_path)))
    rt.add_listener(follow_instance)

    with pytest.raises(ScriptFailed) as raised:
        _dispatched(sessions, rt, "2026-12-28 10:00", co=["rsj"])
    assert raised.value.message.startswith(
        "2027年的节假日安排尚未录入，无法计算工作日期限。"
    )
    with sessions() as session:
        assert session.scalar(select(func.count(PendingTimer.id))) == 0


def test_late_acceptance_is_overdue_without_a_sweep(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00")
    # No sweep ran; the department accepts a day after the deadline.
    _complete(
        sessions,
        engine_runtime,
        number,
        "accept_appeal",
        {"decision": "accept"},
        ZJJ,
        "2026-10-09 10:00",
    )
    with sessions() as session:
        accept = session.scalar(
            select(HumanTask).where(
                HumanTask.business_key == number, HumanTask.step_id == "accept_appeal"
            )
        )
        assert accept is not None and accept.overdue is True
        handle = _open(session, number, "handle_appeal")
        assert handle.due_at == at("2026-10-11 00:00")


def test_a_step_reopened_past_its_deadline_is_marked_at_once(
    sessions: sessionmaker[Session], engine_runtime: Runtime
) -> None:
    number = _dispatched(sessions, engine_runtime, "2026-09-30 17:00")
    _accept(sessions, engine_runtime, number, "2026-10-08 09:00")
    _complete(
        sessions,
        engine_runtime,
        number,
        "handle_appeal",
        {"decision": "reply", "reply": "已处理。"},
        ZJJ,
        "2026-10-09 09:00",
    )
    # The reviewer sends the reply back after the handling deadline (11 October).
    _complete(
        sessions,
        engine_runtime,
        number,
        "review_reply",
        {"decision": "send_back", "comment": "请补充措施。"},
        REVIEWER,
        "2026-10-12 09:00",
    )

    with sessions() as session:
        handle = _open(session, number, "handle_appeal")
        # Staff notices; the appellant's texts (sms_phone set) are not theirs.
        notices = session.scalars(
            select(Notification.kind).where(
                Notification.business_key == number,
                Notification.sms_phone.is_(None),
            )
        ).all()
        timers = session.scalars(
            select(AuditEntry.step_id).where(
                AuditEntry.business_key == number, AuditEntry.action == "timer"
            )
        ).all()
        escalation = _open(session, number, "escalate_handling")
    assert handle.due_at == at("2026-10-11 00:00")
    assert (handle.warned, handle.overdue) == (True, True)
    assert sorted(notices) == ["overdue", "warned"]
    # The acceptance came after its warning time, so that warning fired too.
    assert sorted(timers) == ["accept_warning", "handle_overdue", "handle_warning"]
    assert escalation.candidate_group == "dispatcher"
