"""Moving a running instance to a newer version of its process (实例迁移).

SpiffWorkflow's ``diff_workflow`` aligns the tasks of the running instance with
the task specs of the new version (by element id, then by position in the flow);
``migrate_workflow`` swaps the specs. Bangban refuses a migration whenever a task
of the instance, open or finished, has no counterpart in the new version: its
state could not be saved against the new spec, and an open step would have
nowhere to go. Waiting timers are reset so that they evaluate the new version's
expressions (a changed deadline); open human steps keep their task ids, data and
claims.

A step that the instance has only predicted (a later step on its likely path)
and that the new version removes also makes the migration refuse, although
dropping it would be safe: the predicted task would have to be cut out of the
task tree by hand. The admin then sees "已排定的后续环节…已删除" and the
instance finishes on its version.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.util.diff import diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine import serialization
from engine.errors import Conflict

logger = logging.getLogger(__name__)


class MigrationRefused(Conflict):
    """The instance cannot move to that version; ``reasons`` say why."""

    code = "migration_refused"

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("该实例不能迁移到新版本：" + "；".join(reasons))
        self.reasons = reasons


@dataclass
class Plan:
    """A checked migration, ready to apply to the workflow it was made for."""

    top: Any
    subprocesses: dict[Any, Any]
    changed_steps: list[str]


def _name(task: Any) -> str:
    spec = task.task_spec
    label = spec.bpmn_name or spec.bpmn_id or spec.name
    return f"“{label}”"


def plan(workflow: BpmnWorkflow, spec: Any, subprocess_specs: dict[str, Any]) -> Plan:
    """Compare the instance with the new specs; ``MigrationRefused`` when unsafe."""
    registry = serialization.spec_registry()
    top, subprocesses = diff_workflow(registry, workflow, spec, subprocess_specs)

    reasons = []
    for task in top.removed:
        if task.has_state(TaskState.READY | TaskState.STARTED | TaskState.WAITING):
            reasons.append(f"正在办理的环节{_name(task)}在新版本中已删除")
        elif task.has_state(TaskState.FINISHED_MASK):
            reasons.append(
                f"已办理的环节{_name(task)}在新版本中已删除，办理记录无法对应"
            )
        else:
            reasons.append(f"已排定的后续环节{_name(task)}在新版本中已删除")
    for sub_id, sub_diff in subprocesses.items():
        if sub_diff is None:
            reasons.append(f"子流程 {sub_id} 在新版本中不存在")
        elif sub_diff.removed:
            names = "、".join(_name(task) for task in sub_diff.removed)
            reasons.append(f"子流程中的环节{names}在新版本中已删除")
    if reasons:
        # One reason per step, in the order found.
        raise MigrationRefused(list(dict.fromkeys(reasons)))

    changed = sorted(
        {
            task.task_spec.bpmn_id or task.task_spec.name
            for task in top.changed
            if task.has_state(TaskState.READY | TaskState.WAITING)
        }
    )
    return Plan(top, subprocesses, changed)


def apply(
    checked: Plan,
    workflow: BpmnWorkflow,
    spec: Any,
    subprocess_specs: dict[str, Any],
) -> None:
    """Put the instance on the new specs; waiting timers start over."""
    migrate_workflow(checked.top, workflow, spec, reset_mask=TaskState.WAITING)
    for sub_id, sub_diff in checked.subprocesses.items():
        sub = workflow.subprocesses[sub_id]
        new_spec = subprocess_specs[sub.spec.name]
        migrate_workflow(sub_diff, sub, new_spec, reset_mask=TaskState.WAITING)
    workflow.subprocess_specs = subprocess_specs
