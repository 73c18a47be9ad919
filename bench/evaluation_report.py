"""How long the evaluation report takes over 100,000 appeals (服务评价报表).

The appeals' facts (the columns the flow's listener records, and the events of
their extensions, hand-backs and reopenings) are inserted directly, spread over
the twelve months of 2025 and ten departments: a tenth with an approved
extension, a twentieth handed back once, the dissatisfied ones reopened. Then it
times the report by department, by month and by category, and one drill-down.
Run from the project root::

    .venv/bin/python bench/evaluation_report.py                  # SQLite file
    BANGBAN_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/evaluation_report.py

A PostgreSQL database named here is emptied first.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

import engine.appeals.models
import engine.enterprises  # the table Appeal.enterprise_id refers to
import engine.evaluation.assessments  # noqa: F401
from engine.appeals.facts import EXTENSION, HAND_BACK, REOPEN, AppealEvent
from engine.appeals.models import Appeal
from engine.clock import SHANGHAI
from engine.db import Base, configure_sqlite
from engine.directory import Department
from engine.evaluation import indicators
from engine.evaluation.periods import year

DEPARTMENTS = ["fgw", "gxj", "rsj", "zjj", "sthj", "jtj", "swj", "scjg", "swj2", "wjw"]
CATEGORIES = ["工业和信息化", "人力资源和社会保障", "交通运输", "城乡建设", "商贸"]
RATINGS = ["satisfied", "satisfied", "basically_satisfied", "dissatisfied", None]
BATCH = 5000


def appeal_facts(number: int, rng: random.Random) -> tuple[dict[str, Any], list[str]]:
    """One appeal's row and the kinds of its recorded events."""
    submitted = datetime(2025, 1, 1, 9, tzinfo=SHANGHAI) + timedelta(
        minutes=rng.randrange(0, 360 * 24 * 60)
    )
    dispatched = submitted + timedelta(hours=rng.randrange(1, 30))
    finished = dispatched + timedelta(hours=rng.randrange(2, 200))
    extended = rng.random() < 0.1
    # Calendar days stand in for working days: the report only compares them.
    due = dispatched + timedelta(days=5 if extended else 3)
    rating = rng.choice(RATINGS)
    row = {
        "id": number + 1,
        "number": f"{submitted:%Y%m%d}-{number:06d}",
        "query_code_hash": "x",
        "channel": "pc",
        "category": rng.choice(CATEGORIES),
        "title": "诉求",
        "content": "内容",
        "status": "closed" if rating else "published",
        "rating": rating,
        "submitted_at": submitted,
        "updated_at": finished,
        "published_at": finished,
        "closed_at": finished if rating else None,
        "lead_department": rng.choice(DEPARTMENTS),
        "dispatched_at": dispatched,
        "accept_due_at": dispatched + timedelta(days=1),
        "accepted_at": dispatched + timedelta(hours=rng.randrange(1, 40)),
        "handling_due_at": due,
        "finished_at": finished,
        "handling_days": round(rng.uniform(0.2, 6.0), 4),
        "followup_at": finished if rating is None else None,
    }
    events = [EXTENSION] if extended else []
    if rng.random() < 0.05:
        events.append(HAND_BACK)
    if rating == "dissatisfied":
        events.append(REOPEN)
    return row, events


def fill(session: Session, count: int) -> None:
    rng = random.Random(2025)
    session.execute(
        insert(Department), [{"code": code, "name": code} for code in DEPARTMENTS]
    )
    appeals: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    for number in range(count):
        row, kinds = appeal_facts(number, rng)
        appeals.append(row)
        events.extend(
            {"appeal_id": row["id"], "kind": kind, "at": row["finished_at"]}
            for kind in kinds
        )
        if len(appeals) == BATCH or number == count - 1:
            session.execute(insert(Appeal), appeals)
            if events:
                session.execute(insert(AppealEvent), events)
            appeals, events = [], []
    session.commit()


def timed(label: str, work: Any, repeat: int = 1) -> Any:
    """Run ``work`` ``repeat`` times; print the first (cold) and the best time."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    if repeat == 1:
        print(f"{label}: {times[0]:.2f} s")
    else:
        print(f"{label}: first {times[0]:.2f} s, best of {repeat} {min(times):.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=100_000)
    arguments = parser.parse_args()

    url = os.environ.get("BANGBAN_BENCH_DATABASE_URL")
    if not url:
        folder = Path(tempfile.mkdtemp(prefix="bangban-bench-"))
        url = f"sqlite:///{folder / 'evaluation.sqlite3'}"
    engine = create_engine(url)
    configure_sqlite(engine)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    print(f"database: {engine.url.render_as_string(hide_password=True)}")

    with Session(engine) as session:
        timed(
            f"insert {arguments.appeals} appeals' facts",
            lambda: fill(session, arguments.appeals),
        )
    # Statistics for the query planner, as SQLite's ``PRAGMA optimize`` or
    # PostgreSQL's autovacuum gather them on a live database: without them SQLite
    # reads a year-long period through the submitted_at index, row by row,
    # instead of scanning the table.
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    period = year(2025)
    with Session(engine) as session:
        for grouping in ("department", "month", "category"):
            report = timed(
                f"report 2025 by {grouping}",
                lambda g=grouping: indicators.compute(session, period, g),
                repeat=3,
            )
        total = report.total.values
        print(
            f"  {total['received']} appeals, on time {total['on_time_rate']}, "
            f"satisfied {total['satisfaction_rate']}, p90 {total['p90_days']} days"
        )
        listed = timed(
            "drill-down: zjj's on-time appeals",
            lambda: indicators.appeals_behind(
                session, period, "on_time", "department", "zjj"
            ),
            repeat=3,
        )
        print(f"  {len(listed)} appeals listed")


if __name__ == "__main__":
    main()
