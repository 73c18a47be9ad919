"""How long one sweep of the timer service takes with many pending timers.

Two figures, as asked of the timer service:

1. **100,000 pending, none due**: the sweep's only work is the indexed query on
   ``pending_timer.due_at``; it must not grow with the number of instances.
2. **1,000 due**: 1,000 appeals dispatched long ago, each with its early warning
   and its acceptance deadline due, fired in one sweep (one transaction per
   appeal: restore, fire, write the projections, audit).

The 100,000 far-future timers are rows added directly to ``pending_timer`` and
spread over parked appeals, so that the index holds them as in production; the
due ones come from real dispatched appeals. Run from the project root::

    .venv/bin/python bench/timer_sweep.py                      # SQLite file
    .venv/bin/python bench/timer_sweep.py \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench

A PostgreSQL database given here is emptied first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import time_machine
from sqlalchemy import create_engine, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

import engine.appeals.models  # noqa: F401  (registers the appeal tables)
from engine.appeals import service
from engine.clock import SHANGHAI
from engine.db import Base, configure_sqlite
from engine.deployment import deploy_path
from engine.directory import Department
from engine.models import HumanTask, PendingTimer
from engine.runtime import Actor, Runtime
from engine.timers import sweep

BPMN = Path(__file__).resolve().parent.parent / "workflows" / "appeal.bpmn"
APPEAL = {
    "enterprise_name": "镇江恒泰精密机械有限公司",
    "credit_code": "91321100MA1N2K3L4E",
    "contact_name": "刘建国",
    "phone": "13805291234",
    "title": "厂区道路积水影响通行",
    "content": "园区南门道路每逢下雨积水严重。",
}
DISPATCHER = Actor("dispatcher", frozenset({"dispatcher"}))
DISPATCHED = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)  # a Monday
SWEPT = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)


def dispatch(
    sessions: sessionmaker[Session], runtime: Runtime, count: int
) -> list[int]:
    """Dispatch ``count`` appeals at ``DISPATCHED``; return their instance ids."""
    ids = []
    with time_machine.travel(DISPATCHED, tick=False):
        for _ in range(count):
            with sessions() as session:
                appeal = service.submit(
                    session, runtime, APPEAL, actor=Actor("public")
                ).appeal
                task_id = session.scalar(
                    select(HumanTask.id).where(HumanTask.business_key == appeal.number)
                )
                values = {"decision": "dispatch", "lead_department": "zjj"}
                runtime.complete(session, str(task_id), values, DISPATCHER)
                session.commit()
                assert appeal.instance_id is not None
                ids.append(appeal.instance_id)
    return ids


def park_timers(sessions: sessionmaker[Session], parked: list[int], total: int) -> None:
    """Add ``total`` far-future timers spread over the ``parked`` instances."""
    far = datetime(2030, 1, 1, tzinfo=SHANGHAI)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "instance_id": parked[i % len(parked)],
            "element_id": "handle_overdue",
            "due_at": far + timedelta(minutes=i),
        }
        for i in range(total)
    ]
    with sessions() as session:
        for start in range(0, total, 10_000):
            session.execute(insert(PendingTimer), rows[start : start + 10_000])
        session.commit()


def timed_sweep(sessions: sessionmaker[Session], runtime: Runtime) -> tuple[float, int]:
    with time_machine.travel(SWEPT, tick=True):
        started = time.perf_counter()
        result = sweep(sessions, runtime, limit=5000)
        return time.perf_counter() - started, result.fired


def run(url: str, due: int, pending: int) -> None:
    database = create_engine(url)
    configure_sqlite(database)
    Base.metadata.drop_all(database)
    Base.metadata.create_all(database)
    sessions = sessionmaker(database)
    runtime = Runtime()
    with sessions() as session:
        session.add(Department(code="zjj", name="市住房和城乡建设局"))
        deploy_path(session, BPMN, deployed_by="bench")
        session.commit()

    print(f"database {database.dialect.name}")
    parked = dispatch(sessions, runtime, 100)
    with sessions() as session:  # the parked appeals' own timers are not due
        session.execute(delete(PendingTimer))
        session.commit()
    park_timers(sessions, parked, pending)

    idle = []
    for _ in range(5):
        seconds, fired = timed_sweep(sessions, runtime)
        assert fired == 0
        idle.append(seconds)
    print(f"{pending} pending, none due: sweep {statistics.median(idle) * 1000:.2f} ms")

    dispatch(sessions, runtime, due)
    with sessions() as session:
        total = session.scalar(select(func.count(PendingTimer.id)))
    seconds, fired = timed_sweep(sessions, runtime)
    print(
        f"{total} pending, {fired} due in {due} appeals: sweep {seconds:.2f} s "
        f"({seconds / due * 1000:.1f} ms per appeal)"
    )
    database.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--pending", type=int, default=100_000)
    args = parser.parse_args()
    if args.database_url:
        run(args.database_url, args.due, args.pending)
        return
    with tempfile.TemporaryDirectory(prefix="bangban-timers-") as folder:
        run(f"sqlite:///{Path(folder) / 'timers.sqlite3'}", args.due, args.pending)


if __name__ == "__main__":
    main()
