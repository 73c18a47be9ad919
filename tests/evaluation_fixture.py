"""Appeals with known outcomes for the evaluation tests, walked with time moved.

Every appeal is submitted on Wednesday 30 September 2026 and dispatched at 17:00,
just before the National Day week (1-7 October off, Saturday 10 October a make-up
working day), so each deadline and duration crosses the holiday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import VALID_APPEAL
from engine.appeals import service
from engine.clock import SHANGHAI
from engine.models import HumanTask
from engine.runtime import Actor, Runtime

DISPATCHER = Actor("dispatcher", frozenset({"dispatcher"}))
REVIEWER = Actor("reviewer", frozenset({"reviewer"}))
FOLLOWUP = Actor("followup", frozenset({"followup"}))


def at(text: str) -> datetime:
    """A Beijing time, e.g. ``at("2026-10-08 08:00")``."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def handler(code: str) -> Actor:
    return Actor(f"handler-{code}", frozenset({code}))


@dataclass
class Walk:
    """Moves appeals through the flow at given Beijing times."""

    sessions: sessionmaker[Session]
    runtime: Runtime

    def submit(self, when: str, **changes: Any) -> tuple[str, str]:
        with time_machine.travel(at(when), tick=False), self.sessions() as session:
            values = {**VALID_APPEAL, **changes}
            made = service.submit(session, self.runtime, values, actor=Actor("public"))
            session.commit()
            return made.appeal.number, made.query_code

    def open_task(self, session: Session, number: str, step: str, group: str) -> str:
        task_id = session.scalar(
            select(HumanTask.id).where(
                HumanTask.business_key == number,
                HumanTask.step_id == step,
                HumanTask.candidate_group == group,
                HumanTask.state == HumanTask.OPEN,
            )
        )
        assert task_id is not None, (number, step, group)
        return task_id

    def do(
        self, when: str, number: str, step: str, actor: Actor, **values: Any
    ) -> None:
        group = next(iter(actor.groups))
        with time_machine.travel(at(when), tick=False), self.sessions() as session:
            task_id = self.open_task(session, number, step, group)
            self.runtime.complete(session, task_id, values, actor)
            session.commit()

    def dispatch(self, when: str, number: str, lead: str) -> None:
        values = {"decision": "dispatch", "lead_department": lead}
        self.do(when, number, "triage", DISPATCHER, co_departments=[], **values)

    def accept(self, when: str, number: str, lead: str) -> None:
        self.do(when, number, "accept_appeal", handler(lead), decision="accept")

    def reply(self, when: str, number: str, lead: str) -> None:
        self.do(
            when, number, "handle_appeal", handler(lead), decision="reply", reply="已办"
        )

    def publish(self, when: str, number: str) -> None:
        self.do(when, number, "review_reply", REVIEWER, decision="publish")

    def rate(self, when: str, number: str, code: str, rating: str) -> None:
        with time_machine.travel(at(when), tick=False), self.sessions() as session:
            comment = "仍未解决" if rating == "dissatisfied" else None
            service.rate(session, self.runtime, number, code, rating, comment)
            session.commit()


def walk_known_outcomes(walk: Walk) -> dict[str, str]:
    """Five appeals with hand-worked outcomes; their numbers by letter.

    A: accepted and replied in time, rated 满意.
    B: accepted late, replied late (after the 3 working days), left unrated.
    C: replied after the original deadline but within an approved 2-day
       extension, rated 基本满意.
    D: handed back by rsj, dispatched again to zjj, terminated in time.
    E: returned at triage, never dispatched.
    """
    numbers = {}
    codes = {}
    for letter in "ABCDE":
        numbers[letter], codes[letter] = walk.submit("2026-09-30 16:00")
    a, b, c, d, e = (numbers[letter] for letter in "ABCDE")
    for number in (a, b, c):
        walk.dispatch("2026-09-30 17:00", number, "zjj")
    walk.dispatch("2026-09-30 17:00", d, "rsj")

    walk.accept("2026-10-08 09:00", a, "zjj")
    walk.reply("2026-10-09 12:00", a, "zjj")
    walk.publish("2026-10-09 14:00", a)
    walk.rate("2026-10-09 20:00", a, codes["A"], "satisfied")

    walk.accept("2026-10-09 09:00", b, "zjj")
    walk.reply("2026-10-12 10:00", b, "zjj")
    walk.publish("2026-10-12 11:00", b)

    walk.accept("2026-10-08 10:00", c, "zjj")
    extend = {"decision": "extend", "extension_days": 2, "material": "需现场勘查"}
    walk.do("2026-10-09 09:00", c, "handle_appeal", handler("zjj"), **extend)
    walk.do("2026-10-09 10:00", c, "file_extension", REVIEWER, decision="approve")
    walk.reply("2026-10-13 15:00", c, "zjj")
    walk.publish("2026-10-13 16:00", c)
    walk.rate("2026-10-13 17:00", c, codes["C"], "basically_satisfied")

    back = {"decision": "hand_back", "explanation": "不属本部门职责"}
    walk.do("2026-10-08 09:00", d, "accept_appeal", handler("rsj"), **back)
    walk.dispatch("2026-10-08 10:00", d, "zjj")
    walk.accept("2026-10-09 09:00", d, "zjj")
    stop = {"decision": "terminate", "reason": "已进入行政复议程序"}
    walk.do("2026-10-09 11:00", d, "handle_appeal", handler("zjj"), **stop)

    walk.do(
        "2026-09-30 17:00", e, "triage", DISPATCHER, decision="return", reason="重复"
    )
    return {**numbers, **{f"code_{k}": v for k, v in codes.items()}}
