"""Projections of workflow state into queryable rows (投影).

The serialized workflow is the truth, but nobody queries it: after every write
the runtime copies what people and the timer service look for into indexed
tables. Human tasks (the inbox), pending timers (what is due when) and the
business status of the instance are computed here from the restored workflow.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimerEventDefinition as TimerEvent,
)
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import deadline_text, now
from engine.models import HumanTask, PendingTimer, ProcessInstance
from engine.notifications import notify
from engine.parsing import Step

logger = logging.getLogger(__name__)


def sync_tasks(
    session: Session,
    instance: ProcessInstance,
    ready_tasks: list[Any],
    steps: dict[str, Step],
    deadlines: dict[tuple[str, str], datetime],
    group_of: Callable[[Step, dict[str, Any]], str],
    *,
    title: str | None = None,
) -> None:
    """Keep the human-task rows equal to the tasks waiting for a person.

    New ready tasks get a row with their candidate group (``group_of``) and the
    due and warning times of their marking timers (``deadlines``); rows whose
    task is no longer ready and was not completed here are cancelled. Open rows
    take the instance's business key once it has one, and ``title`` if given.
    """
    ready = {str(task.id): task for task in ready_tasks}
    # No autoflush: the caller flushes the instance once, where a stale
    # revision is turned into a conflict. Rows closed in memory (the task just
    # completed) are left as they are.
    with session.no_autoflush:
        rows = session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id,
                HumanTask.state == HumanTask.OPEN,
            )
        ).all()
    open_rows = [row for row in rows if row.state == HumanTask.OPEN]
    for row in open_rows:
        if row.id not in ready:
            row.state = HumanTask.CANCELLED
            row.completed_at = now()
        row.business_key = row.business_key or instance.business_key
        row.title = title or row.title

    known = {row.id for row in rows}
    for task_id, spiff_task in ready.items():
        if task_id in known:
            continue
        step = steps[spiff_task.task_spec.bpmn_id]
        session.add(
            HumanTask(
                id=task_id,
                instance_id=instance.id,
                business_key=instance.business_key,
                title=title,
                step_id=step.id,
                step_name=step.name,
                lane=step.lane,
                candidate_group=group_of(step, spiff_task.data),
                created_at=now(),
                due_at=deadlines.get((step.id, "overdue")),
                warn_at=deadlines.get((step.id, "warned")),
            )
        )


def refresh_open_tasks(
    session: Session,
    instance: ProcessInstance,
    ready_tasks: list[Any],
    steps: dict[str, Step],
) -> None:
    """After a migration: open rows take their step and deadlines from the new
    version (a step may be renamed, a deadline changed)."""
    ready = {str(task.id): task for task in ready_tasks}
    timers = session.scalars(
        select(PendingTimer).where(PendingTimer.instance_id == instance.id)
    ).all()
    due = {(row.attached_to, row.marks): row.due_at for row in timers if row.marks}
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.state == HumanTask.OPEN
        )
    ).all()
    for row in rows:
        spiff_task = ready.get(row.id)
        if spiff_task is None:
            continue
        step = steps[spiff_task.task_spec.bpmn_id]
        row.step_id, row.step_name, row.lane = step.id, step.name, step.lane
        row.due_at = due.get((step.id, "overdue"), row.due_at)
        row.warn_at = due.get((step.id, "warned"), row.warn_at)


def all_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """Every task of the workflow and of its subprocesses."""
    workflows = [workflow, *workflow.subprocesses.values()]
    return [task for each in workflows for task in each.tasks.values()]


def waiting_timers(workflow: BpmnWorkflow) -> list[Any]:
    """Timer events waiting for their time."""
    return [
        task
        for task in all_tasks(workflow)
        if task.state == TaskState.WAITING
        and isinstance(getattr(task.task_spec, "event_definition", None), TimerEvent)
    ]


def timer_due(task: Any) -> datetime | None:
    """When a waiting timer fires, from the value SpiffWorkflow evaluated."""
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):  # a cycle timer keeps its next time
        value = value.get("next")
    if not isinstance(value, str):
        return None
    due: datetime = TimerEvent.get_datetime(value)
    return due


# Set in a fired timer's internal data once its firing is recorded, so that it is
# recorded exactly once; the flag is saved with the instance's state.
RECORDED = "bangban_recorded"

# A timer that fired is caught (ready, started or completed); one cancelled with
# its activity is CANCELLED, and SpiffWorkflow clears ``event_fired`` either way.
_FIRED = TaskState.READY | TaskState.STARTED | TaskState.COMPLETED


def take_fired_timers(workflow: BpmnWorkflow) -> list[Any]:
    """Date and duration timers that fired and are not recorded yet; marks them.

    The caller records them in the same transaction that saves the state.
    """
    fired = [
        task
        for task in all_tasks(workflow)
        if isinstance(getattr(task.task_spec, "event_definition", None), TimerEvent)
        and task.has_state(_FIRED)
        and not task.internal_data.get(RECORDED)
    ]
    for task in fired:
        task.internal_data[RECORDED] = True
    return fired


def sync_timers(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    markers: dict[str, dict[str, str]],
    fired: list[Any],
) -> dict[tuple[str, str], datetime]:
    """Keep the pending-timer rows equal to the instance's waiting timers.

    Returns the due times of marking timers by (attached activity, marks), from
    which new task rows take their due and warning times.
    """
    waiting = {str(task.id): task for task in waiting_timers(workflow)}
    with session.no_autoflush:
        rows = session.scalars(
            select(PendingTimer).where(PendingTimer.instance_id == instance.id)
        ).all()
    for row in rows:
        if row.id not in waiting:
            session.delete(row)

    known = {row.id for row in rows}
    deadlines: dict[tuple[str, str], datetime] = {}
    for task in fired:  # a task that starts late still shows its deadline
        due = timer_due(task)
        marker = markers.get(task.task_spec.bpmn_id or "")
        if due is not None and marker:
            deadlines[(marker["attached_to"], marker["marks"])] = due
    for timer_id, task in waiting.items():
        due = timer_due(task)
        if due is None:
            continue
        element = task.task_spec.bpmn_id or ""
        marker = markers.get(element, {})
        if marker:
            deadlines[(marker["attached_to"], marker["marks"])] = due
        if timer_id not in known:
            session.add(
                PendingTimer(
                    id=timer_id,
                    instance_id=instance.id,
                    business_key=instance.business_key,
                    element_id=element,
                    attached_to=marker.get("attached_to"),
                    marks=marker.get("marks"),
                    due_at=due,
                )
            )
    return deadlines


def mark_tasks(session: Session, instance_id: int, marker: dict[str, str]) -> None:
    """Flag the attached activity's open tasks and tell whoever holds them."""
    tasks = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance_id,
            HumanTask.step_id == marker["attached_to"],
            HumanTask.state == HumanTask.OPEN,
        )
    ).all()
    for task in tasks:
        setattr(task, marker["marks"], True)
        due = deadline_text(task.due_at) if task.due_at else ""
        what = f"诉求 {task.business_key} 的“{task.step_name}”"
        if marker["marks"] == "warned":
            text = f"预警：{what}将于 {due} 到期，请抓紧办理。"
        else:
            text = f"超期：{what}已超过办理期限（{due}），平台已督办。"
        notify(
            session,
            kind=marker["marks"],
            message=text,
            user=task.assignee,
            group=task.candidate_group,
            business_key=task.business_key,
        )


def ready_human_tasks(workflow: BpmnWorkflow) -> list[Any]:
    """The tasks waiting for a person, in creation order.

    Reads the task maps of the workflow and its subprocesses directly: cheaper
    than SpiffWorkflow's tree walk, which the runtime would otherwise do twice
    per step.
    """
    return [
        task
        for task in all_tasks(workflow)
        if task.state == TaskState.READY and task.task_spec.manual
    ]


def business_status(
    workflow: BpmnWorkflow, ready: list[Any], statuses: dict[str, str]
) -> str | None:
    """The business status: the open step's, or the end event's once finished."""
    if not workflow.completed:
        for task in ready:
            status = statuses.get(task.task_spec.bpmn_id or "")
            if status:
                return status
        return None
    finished = sorted(
        workflow.get_tasks(state=TaskState.COMPLETED),
        key=lambda task: task.last_state_change,
    )
    for task in reversed(finished):
        status = statuses.get(task.task_spec.bpmn_id or "")
        if status:
            return status
    return None
