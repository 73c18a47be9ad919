"""The runtime: persisted state, version pinning, failures that change nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from conftest import bpmn_fixture
from engine import deployment
from engine.errors import FormInvalid, ScriptFailed
from engine.models import AuditEntry, HumanTask, ProcessInstance
from engine.runtime import Actor, Runtime

CLERK = Actor("clerk-1", frozenset({"clerk"}))


def _deploy(session: Session, script: str) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT=script)
    deployment.deploy_bytes(session, source, "simple.bpmn", deployed_by="owner")
    session.commit()


def _open_task(session: Session, instance: ProcessInstance) -> HumanTask:
    task = session.scalar(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == HumanTask.OPEN
        )
    )
    assert task is not None
    return task


def test_state_survives_a_fresh_runtime(session: Session) -> None:
    _deploy(session, "total = amount * 2")
    instance = Runtime().start(session, "simple", actor=CLERK, business_key="S-1")
    session.commit()
    task = _open_task(session, instance)

    # A new process (empty caches) reads the instance back from the database.
    session.expunge_all()
    other = Runtime()
    stored = session.get(ProcessInstance, instance.id)
    assert stored is not None
    other.complete(session, task.id, {"amount": "21"}, CLERK)
    session.commit()

    assert stored.completed is True
    assert stored.status == "done"
    assert other.workflow_data(session, stored)["total"] == 42


def test_only_the_instance_state_is_stored(session: Session) -> None:
    _deploy(session, "total = amount")
    instance = Runtime().start(session, "simple", actor=CLERK)
    session.commit()

    state = json.loads(instance.state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert len(instance.state) < len(json.dumps(instance.definition.spec))


def test_running_instances_keep_their_version(session: Session) -> None:
    runtime = Runtime()
    _deploy(session, "total = amount * 2")
    old = runtime.start(session, "simple", actor=CLERK)
    session.commit()
    _deploy(session, "total = amount * 3")
    new = runtime.start(session, "simple", actor=CLERK)
    session.commit()

    assert (old.definition.version, new.definition.version) == (1, 2)
    assert deployment.running_counts(session, "simple") == {1: 1, 2: 1}
    for instance in (old, new):
        runtime.complete(
            session, _open_task(session, instance).id, {"amount": 10}, CLERK
        )
    session.commit()
    assert runtime.workflow_data(session, old)["total"] == 20
    assert runtime.workflow_data(session, new)["total"] == 30
    assert deployment.running_counts(session, "simple") == {}


def test_a_failing_script_changes_nothing(session: Session) -> None:
    _deploy(session, "total = amount / 0")
    runtime = Runtime()
    instance = runtime.start(session, "simple", actor=CLERK)
    session.commit()
    task = _open_task(session, instance)
    revision = instance.revision

    with pytest.raises(ScriptFailed) as raised:
        runtime.complete(session, task.id, {"amount": 5}, CLERK)
    session.rollback()

    assert "流程执行出错" in raised.value.message
    assert "division by zero" in raised.value.message
    session.refresh(instance)
    assert instance.revision == revision
    assert _open_task(session, instance).id == task.id


def test_invalid_values_change_nothing(session: Session) -> None:
    _deploy(session, "total = amount")
    runtime = Runtime()
    instance = runtime.start(session, "simple", actor=CLERK)
    session.commit()
    task = _open_task(session, instance)

    with pytest.raises(FormInvalid) as raised:
        runtime.complete(session, task.id, {"amount": "十"}, CLERK)
    session.rollback()

    assert [(e.field, e.message) for e in raised.value.errors] == [
        ("amount", "请填写整数")
    ]
    assert _open_task(session, instance).state == HumanTask.OPEN


def test_audit_trail_records_who_did_what(session: Session) -> None:
    _deploy(session, "total = amount")
    runtime = Runtime()
    instance = runtime.start(session, "simple", actor=CLERK, business_key="S-9")
    task = _open_task(session, instance)
    runtime.claim(session, task.id, CLERK)
    runtime.complete(session, task.id, {"amount": 7}, CLERK, comment="核对无误")
    session.commit()

    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.business_key == "S-9")
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor, e.step_id) for e in entries] == [
        ("start", "clerk-1", None),
        ("claim", "clerk-1", "fill"),
        ("complete", "clerk-1", "fill"),
    ]
    assert entries[2].values == {"amount": 7}
    assert entries[2].comment == "核对无误"
    assert entries[2].at.utcoffset() is not None
