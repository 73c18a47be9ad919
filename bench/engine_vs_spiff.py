"""Throughput of the appeal flow: Bangban's engine against bare SpiffWorkflow.

What is measured
----------------
The same representative full run of ``workflows/appeal.bpmn`` is driven N times
two ways, and the flows completed per second are compared:

1. **Engine**: through ``engine.runtime.Runtime`` on a SQLite database in a
   temporary file. Every step is one transaction, as a web request would make it:
   a fresh session, the open human tasks of the appeal queried by business key,
   ``Runtime.start`` or ``Runtime.complete``, commit. This includes form
   validation, the human-task projection, the audit trail, serializing the
   workflow state and SQLite's commits. One ``Runtime`` serves the whole run, so
   its per-process caches (parsed versions, committed workflows) work as in a
   long-running web process.
2. **Bare SpiffWorkflow**: a new in-memory ``BpmnWorkflow`` per flow on spec
   objects parsed once, driven along the same path by updating task data and
   calling ``task.run()`` and ``workflow.do_engine_steps()``. Nothing is stored.

Both use the engine's restricted script engine (``make_script_engine``), so the
ratio reflects what the engine adds around SpiffWorkflow (persistence, projection,
validation, audit), not the cost of scripting. For reference the bare path is also
timed with SpiffWorkflow's default ``PythonScriptEngine``.

The path has seven human steps: triage dispatches to lead department ``zjj`` with
co-department ``rsj``, both accept, ``rsj`` contributes, ``zjj`` replies, the
reviewer publishes and the appellant rates "satisfied". Starting the flow is one
more transaction; its cost is included in the time per flow, and "ms per step"
is the time per flow divided by the human steps. One warm-up flow per path runs
before timing. The last line printed is ``ratio X.XX``: engine flows per second
divided by bare flows per second (restricted scripts).

Run from the project root::

    .venv/bin/python bench/engine_vs_spiff.py --n 50
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Engine, create_engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import directory, forms, models
from engine.appeals import models as appeal_models
from engine.db import Base, configure_sqlite
from engine.deployment import deploy_path
from engine.directory import Department
from engine.helpers import make_helpers
from engine.models import HumanTask, ProcessInstance
from engine.parsing import Step, parse_file
from engine.runtime import (
    Actor,
    Runtime,
    candidate_group,
    collect_multi_instance_output,
)
from engine.scripting import make_script_engine
from engine.serialization import specs_from_dict

ROOT = Path(__file__).resolve().parent.parent
BPMN_PATH = ROOT / "workflows" / "appeal.bpmn"
PROCESS_KEY = "appeal"
DEPARTMENTS = {"zjj": "住建局", "rsj": "人社局"}
STARTER = Actor("bench", frozenset({"hotline"}))

# The modules whose tables ``create_all`` builds: the engine's and the appeals'.
TABLE_MODULES = (models, directory, appeal_models)


@dataclass(frozen=True)
class HumanStep:
    """One human task on the path: which step, for which group, with what form."""

    step_id: str
    group: str
    values: dict[str, Any] = field(default_factory=dict)


PATH: tuple[HumanStep, ...] = (
    HumanStep(
        "triage",
        "dispatcher",
        {"decision": "dispatch", "lead_department": "zjj", "co_departments": ["rsj"]},
    ),
    HumanStep("accept_appeal", "zjj", {"decision": "accept"}),
    HumanStep("accept_appeal", "rsj", {"decision": "accept"}),
    HumanStep("contribute", "rsj", {"opinion": "协办意见：同意主办部门方案。"}),
    HumanStep(
        "handle_appeal", "zjj", {"decision": "reply", "reply": "已按规定办理完毕。"}
    ),
    HumanStep("review_reply", "reviewer", {"decision": "publish"}),
    HumanStep("rate_result", "appellant", {"rating": "satisfied"}),
)


def start_data(business_key: str) -> dict[str, Any]:
    """The data an appeal starts its flow with (as ``engine.appeals`` passes it)."""
    return {
        "appeal_number": business_key,
        "title": "厂房消防验收进度咨询",
        "category": "审批服务",
        "channel": "web",
    }


# Engine path ----------------------------------------------------------------


def engine_flow(sessions: sessionmaker[Session], runtime: Runtime, key: str) -> None:
    """Run one appeal through the engine, one committed transaction per step."""
    with sessions() as session:
        runtime.start(
            session, PROCESS_KEY, actor=STARTER, data=start_data(key), business_key=key
        )
        session.commit()

    for step in PATH:
        with sessions() as session:
            open_tasks = session.scalars(
                select(HumanTask).where(
                    HumanTask.business_key == key, HumanTask.state == HumanTask.OPEN
                )
            ).all()
            task_id = next(
                task.id
                for task in open_tasks
                if task.step_id == step.step_id and task.candidate_group == step.group
            )
            actor = Actor(f"u-{step.group}", frozenset({step.group}))
            runtime.complete(session, task_id, step.values, actor)
            session.commit()


def run_engine(n: int, warmup: int) -> float:
    """Seconds the engine takes for ``n`` flows on a fresh SQLite file database."""
    with tempfile.TemporaryDirectory(prefix="bangban-bench-") as folder:
        database = create_engine(f"sqlite:///{Path(folder) / 'bench.sqlite3'}")
        configure_sqlite(database)  # the settings the web app runs with
        try:
            return _run_engine_on(database, n, warmup)
        finally:
            database.dispose()


def _run_engine_on(database: Engine, n: int, warmup: int) -> float:
    Base.metadata.create_all(database)
    sessions = sessionmaker(database)
    with sessions() as session:
        session.add_all(
            Department(code=code, name=name) for code, name in DEPARTMENTS.items()
        )
        deploy_path(session, BPMN_PATH, deployed_by="bench")
        session.commit()

    runtime = Runtime()
    for i in range(warmup):
        engine_flow(sessions, runtime, f"W{i}")

    started = time.perf_counter()
    for i in range(n):
        engine_flow(sessions, runtime, f"B{i}")
    elapsed = time.perf_counter() - started

    with sessions() as session:
        closed = session.scalar(
            select(func.count(ProcessInstance.id)).where(
                ProcessInstance.business_key.like("B%"),
                ProcessInstance.completed.is_(True),
                ProcessInstance.status == "closed",
            )
        )
    if closed != n:
        raise SystemExit(f"engine path: {closed} of {n} flows closed")
    return elapsed


# Bare SpiffWorkflow path ----------------------------------------------------


@dataclass(frozen=True)
class BareFlow:
    """What the bare path needs, prepared once: specs, steps and cleaned values."""

    spec: Any
    subprocess_specs: dict[str, Any]
    steps: dict[str, Step]
    values: tuple[dict[str, Any], ...]


def prepare_bare() -> BareFlow:
    """Parse the BPMN once; clean each step's form as the engine would.

    The engine stores the cleaned form (every field present, blanks as None), so
    the bare path gets exactly those values, computed here outside the timing.
    """
    parsed = parse_file(BPMN_PATH)
    spec, subprocess_specs = specs_from_dict(parsed.spec)
    restricted = make_script_engine(make_helpers())
    values = tuple(
        forms.validate(
            parsed.steps[step.step_id].form,
            step.values,
            context={},
            evaluate=lambda expr, scope: restricted.environment.evaluate(
                expr, dict(scope)
            ),
            departments=set(DEPARTMENTS),
        )
        for step in PATH
    )
    return BareFlow(spec, subprocess_specs, dict(parsed.steps), values)


def bare_flow(flow: BareFlow, script_engine: PythonScriptEngine, key: str) -> None:
    """Run one appeal on an in-memory workflow along the same path."""
    workflow = BpmnWorkflow(
        flow.spec, flow.subprocess_specs, script_engine=script_engine
    )
    workflow.get_tasks(state=TaskState.READY)[0].data.update(start_data(key))
    workflow.do_engine_steps()

    evaluate = script_engine.environment.evaluate
    for step, values in zip(PATH, flow.values, strict=True):
        definition = flow.steps[step.step_id]
        task = next(
            task
            for task in workflow.get_tasks(state=TaskState.READY)
            if task.task_spec.manual
            and task.task_spec.bpmn_id == step.step_id
            and candidate_group(definition, task.data, evaluate) == step.group
        )
        task.data.update(values)
        collect_multi_instance_output(task, dict(values))
        task.run()
        workflow.do_engine_steps()

    ended = {t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.COMPLETED)}
    if not workflow.completed or "closed" not in ended:
        raise SystemExit(f"bare path: flow {key} did not end at 'closed'")


def run_bare(
    flow: BareFlow, script_engine: PythonScriptEngine, n: int, warmup: int
) -> float:
    """Seconds bare SpiffWorkflow takes for ``n`` flows in memory."""
    for i in range(warmup):
        bare_flow(flow, script_engine, f"W{i}")

    started = time.perf_counter()
    for i in range(n):
        bare_flow(flow, script_engine, f"B{i}")
    return time.perf_counter() - started


# Report ---------------------------------------------------------------------


def report_line(label: str, n: int, seconds: float) -> str:
    """One result: flows per second and milliseconds per human step."""
    flows_per_second = n / seconds
    ms_per_step = seconds * 1000 / (n * len(PATH))
    return f"{label:<48} {flows_per_second:9.1f} flows/s {ms_per_step:8.3f} ms/step"


def main(argv: Sequence[str] | None = None) -> None:
    """Time both paths and print the figures, the ratio last."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50, help="flows per path")
    parser.add_argument(
        "--warmup", type=int, default=1, help="untimed flows per path first"
    )
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0:
        parser.error("--n must be at least 1 and --warmup not negative")

    flow = prepare_bare()
    engine_seconds = run_engine(args.n, args.warmup)
    bare_seconds = run_bare(
        flow, make_script_engine(make_helpers()), args.n, args.warmup
    )
    default_engine = PythonScriptEngine(TaskDataEnvironment(make_helpers()))
    default_seconds = run_bare(flow, default_engine, args.n, args.warmup)

    print(f"N {args.n}")
    print(f"steps per flow {len(PATH)} (human steps; plus the start transaction)")
    for label, seconds in (
        ("engine (SQLite file, restricted scripts)", engine_seconds),
        ("bare SpiffWorkflow (restricted scripts)", bare_seconds),
        ("bare SpiffWorkflow (default PythonScriptEngine)", default_seconds),
    ):
        print(report_line(label, args.n, seconds))
    print(f"ratio {bare_seconds / engine_seconds:.2f}")


if __name__ == "__main__":
    main()
