"""Starting and advancing process instances (流程运行).

Each operation runs inside the caller's database transaction and flushes; the
caller commits once. The instance row carries a revision counter, so a completion
based on a state someone else has changed meanwhile fails at flush time and changes
nothing (optimistic locking).

Workflows restored in this process are kept in a small cache keyed by instance and
revision, and put back only after the transaction commits: a cached object is never
one that a rolled-back transaction touched.
"""

from __future__ import annotations

import copy
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine import (
    attachments,
    audit,
    forms,
    migration,
    projection,
    records,
    serialization,
)
from engine.calendar import CalendarError
from engine.clock import now
from engine.directory import active_department_codes
from engine.errors import (
    Conflict,
    EngineError,
    NotDeployed,
    NotFound,
    PermissionDenied,
    ScriptFailed,
)
from engine.helpers import make_helpers
from engine.models import (
    HumanTask,
    PendingTimer,
    ProcessDefinition,
    ProcessInstance,
)
from engine.names import NameBook
from engine.notifications import notify
from engine.parsing import EXPRESSION, Step
from engine.scripting import make_script_engine

logger = logging.getLogger(__name__)

SYSTEM = "system"
ADMIN_GROUP = "admin"
# The role that escalates and urges (督办, 催办).
URGER_GROUP = "dispatcher"

# Called after every write of an instance, in the same transaction, with its
# process key and the data of its most advanced task: how business records (an
# appeal) follow their flow.
Listener = Callable[[Session, ProcessInstance, str, dict[str, Any]], None]


@dataclass(frozen=True)
class Actor:
    """Who acts: a username and the candidate groups they belong to."""

    username: str
    groups: frozenset[str] = frozenset()

    def may_work(self, task: HumanTask) -> bool:
        """Whether the actor may claim or complete ``task``."""
        if task.assignee is not None:
            return task.assignee == self.username
        return task.candidate_group in self.groups


@dataclass
class _Version:
    """A deployed version as the runtime needs it, built once per process."""

    process_key: str
    spec: Any
    subprocess_specs: dict[str, Any]
    steps: dict[str, Step]
    statuses: dict[str, str]
    markers: dict[str, dict[str, str]]
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class TaskView:
    """A human task with its form and the data the form is filled against."""

    task: HumanTask
    step: Step
    data: dict[str, Any] = field(default_factory=dict)


class Runtime:
    """The engine's entry point for instances; one per process is enough."""

    def __init__(
        self,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        cache_size: int = 512,
    ) -> None:
        # By default expressions get the working-day helpers (engine.helpers);
        # always the business-record functions (engine.records).
        functions = dict(make_helpers() if helpers is None else helpers)
        self.script_engine = make_script_engine(
            {**records.script_functions(), **functions}
        )
        self.listeners: list[Listener] = []
        self._versions: dict[int, _Version] = {}
        self._workflows: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    # Versions and workflows -------------------------------------------------

    def version(self, definition: ProcessDefinition) -> _Version:
        """The parsed spec, steps and statuses of ``definition`` (cached)."""
        cached = self._versions.get(definition.id)
        if cached is None:
            spec, subprocess_specs = serialization.specs_from_dict(definition.spec)
            steps = {
                key: Step.from_dict(item) for key, item in definition.steps.items()
            }
            cached = _Version(
                definition.process_key,
                spec,
                subprocess_specs,
                steps,
                dict(definition.statuses),
                dict(definition.markers or {}),
                dict(definition.properties or {}),
            )
            self._versions[definition.id] = cached
        return cached

    def _version_of(self, session: Session, instance: ProcessInstance) -> _Version:
        """The version ``instance`` runs on, without loading the definition row
        when it is cached."""
        cached = self._versions.get(instance.definition_id)
        if cached is not None:
            return cached
        definition = session.get(ProcessDefinition, instance.definition_id)
        assert definition is not None
        return self.version(definition)

    def _restore(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        # Taking the object out of the cache gives this thread sole use of it; a
        # concurrent request for the same instance restores its own copy.
        with self._lock:
            cached = self._workflows.pop(instance.id, None)
        if cached is not None and cached[0] == instance.revision:
            return cached[1]
        version = self._version_of(session, instance)
        workflow = serialization.load_state(
            instance.state, version.spec, version.subprocess_specs
        )
        workflow.script_engine = self.script_engine
        return workflow

    def _remember_after_commit(
        self, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow
    ) -> None:
        pending = session.info.setdefault("bangban_workflows", [])
        pending.append((instance.id, instance.revision, workflow))
        session.info["bangban_runtime"] = self

    def _keep(self, instance_id: int, revision: int, workflow: BpmnWorkflow) -> None:
        with self._lock:
            self._workflows[instance_id] = (revision, workflow)
            self._workflows.move_to_end(instance_id)
            while len(self._workflows) > self._cache_size:
                self._workflows.popitem(last=False)

    def clear_caches(self) -> None:
        """Forget cached versions and workflows.

        The caches are keyed by row ids, which Bangban never deletes or reuses;
        whoever empties the tables (the test suite) must call this.
        """
        with self._lock:
            self._versions.clear()
            self._workflows.clear()

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener`` after every write of an instance."""
        self.listeners.append(listener)

    def workflow_data(
        self, session: Session, instance: ProcessInstance
    ) -> dict[str, Any]:
        """The data of the instance's most advanced task (read-only use)."""
        workflow = self._restore(session, instance)
        source = workflow.last_task.data if workflow.last_task else workflow.data
        data = copy.deepcopy(source)
        self._keep(instance.id, instance.revision, workflow)
        return data

    def step_marks(self, session: Session, instance: ProcessInstance) -> dict[str, str]:
        """Element ids of the instance's finished (``done``) and open
        (``current``) steps, for its diagram."""
        workflow = self._restore(session, instance)
        marks: dict[str, str] = {}
        for task in projection.all_tasks(workflow):
            element = task.task_spec.bpmn_id
            if element is None:
                continue
            if task.state == TaskState.COMPLETED:
                marks.setdefault(element, "done")
            elif task.state in (TaskState.READY, TaskState.STARTED):
                marks[element] = "current"
        self._keep(instance.id, instance.revision, workflow)
        return marks

    # Operations -------------------------------------------------------------

    def start(
        self,
        session: Session,
        process_key: str,
        *,
        actor: Actor,
        data: Mapping[str, Any] | None = None,
        business_key: str | None = None,
        started_at: datetime | None = None,
    ) -> ProcessInstance:
        """Start an instance of the newest version of ``process_key``.

        ``started_at`` back-dates the start of an instance that carries history
        on (an imported appeal); by default it starts now.
        """
        definition = session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_key == process_key)
            .order_by(ProcessDefinition.version.desc())
            .limit(1)
        ).first()
        if definition is None:
            raise NotDeployed(
                f"流程 {process_key} 尚未部署，暂时无法受理，请联系技术支持。"
            )

        version = self.version(definition)
        workflow = BpmnWorkflow(
            version.spec, version.subprocess_specs, script_engine=self.script_engine
        )
        start_task = workflow.get_tasks(state=TaskState.READY)[0]
        start_task.data.update(data or {})
        instance = ProcessInstance(
            definition_id=definition.id,
            business_key=business_key,
            started_at=started_at or now(),
        )
        with records.bound(session):
            self._advance(workflow)
            self._write(session, instance, workflow)
        audit.record(
            session,
            "start",
            actor.username,
            instance_id=instance.id,
            business_key=business_key,
            values=dict(data or {}),
            at=instance.started_at,
        )
        logger.info(
            "instance %s of %s v%s started by %s",
            business_key or instance.id,
            process_key,
            definition.version,
            actor.username,
            extra={"instance_id": instance.id},
        )
        return instance

    def claim(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        """Take an open task for ``actor``; refused if someone else has it."""
        task = self._open_task(session, task_id, actor)
        if task.assignee == actor.username:
            return task
        if task.assignee is not None:
            raise Conflict(
                f"该任务已由 {_name(session, task.assignee)} 认领，请刷新后查看。"
            )

        # A conditional update, so that two people claiming at once cannot both win.
        result = session.execute(
            update(HumanTask)
            .where(HumanTask.id == task.id, HumanTask.assignee.is_(None))
            .where(HumanTask.state == HumanTask.OPEN)
            .values(assignee=actor.username)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("该任务刚被他人认领，请刷新后查看。")
        session.refresh(task)
        self._audit_task(session, "claim", task, actor)
        return task

    def release(self, session: Session, task_id: str, actor: Actor) -> HumanTask:
        """Give a claimed task back to its group."""
        task = self._open_task(session, task_id, actor, admin=True)
        # An admin frees tasks held by someone absent.
        if task.assignee != actor.username and ADMIN_GROUP not in actor.groups:
            raise PermissionDenied("只能退回自己认领的任务。")
        task.assignee = None
        self._audit_task(session, "release", task, actor)
        session.flush()
        return task

    def transfer(
        self, session: Session, task_id: str, actor: Actor, to: Actor
    ) -> HumanTask:
        """Hand an open task to a colleague who may do the step (转办)."""
        task = self._open_task(session, task_id, actor)
        if not actor.may_work(task):
            raise Conflict(
                f"该任务已由 {_name(session, task.assignee)} 认领，您不能转办。"
            )
        if task.candidate_group not in to.groups:
            raise PermissionDenied(
                f"{_name(session, to.username)} 所在的岗位或部门不能办理该环节。"
            )

        task.assignee = to.username
        self._audit_task(session, "transfer", task, actor, {"to": to.username})
        notify(
            session,
            kind="transfer",
            message=f"{_name(session, actor.username)} 将诉求 {task.business_key} 的"
            f"“{task.step_name}”"
            "转办给您，请及时办理。",
            user=to.username,
            business_key=task.business_key,
        )
        session.flush()
        return task

    def urge(
        self, session: Session, task_id: str, actor: Actor, note: str | None = None
    ) -> HumanTask:
        """A dispatcher nudges whoever holds an open task (催办); they are told."""
        if URGER_GROUP not in actor.groups:
            raise PermissionDenied("只有转派岗可以催办。")
        task = session.get(HumanTask, task_id)
        if task is None:
            raise NotFound("任务不存在。")
        if task.state != HumanTask.OPEN:
            raise Conflict("该任务已办理完毕，无需催办。")

        self._audit_task(session, "urge", task, actor, comment=note)
        message = f"催办：诉求 {task.business_key} 的“{task.step_name}”请尽快办理。"
        notify(
            session,
            kind="urge",
            message=message + (f"（{note}）" if note else ""),
            user=task.assignee,
            group=task.candidate_group,
            business_key=task.business_key,
        )
        session.flush()
        return task

    def view(self, session: Session, task_id: str) -> TaskView:
        """A task with its step, form and current data."""
        task = session.get(HumanTask, task_id)
        if task is None:
            raise NotFound("任务不存在。")
        instance = session.get(ProcessInstance, task.instance_id)
        assert instance is not None
        version = self._version_of(session, instance)
        step = version.steps[task.step_id]
        data: dict[str, Any] = {}
        if task.state == HumanTask.OPEN:
            workflow = self._restore(session, instance)
            spiff_task = workflow.get_task_from_id(UUID(task.id))
            data = copy.deepcopy(spiff_task.data)
            self._keep(instance.id, instance.revision, workflow)
        # A ``records`` field shows the business records matching the task data.
        for form_field in step.form:
            if form_field.type == "records":
                data[form_field.id] = records.for_field(session, form_field, data)
        return TaskView(task=task, step=step, data=data)

    def complete(
        self,
        session: Session,
        task_id: str,
        values: Mapping[str, Any],
        actor: Actor,
        *,
        comment: str | None = None,
    ) -> ProcessInstance:
        """Submit a task's form and move the instance on.

        Raises ``FormInvalid`` with every field error, ``Conflict`` when the task
        is already done or was changed meanwhile, ``PermissionDenied`` when the
        actor may not work it. On any error nothing is written.
        """
        task = self._open_task(session, task_id, actor)
        if not actor.may_work(task):
            raise Conflict(
                f"该任务已由 {_name(session, task.assignee)} 认领，您不能提交。"
            )

        instance = session.get(ProcessInstance, task.instance_id)
        assert instance is not None
        workflow = self._restore(session, instance)
        spiff_task = workflow.get_task_from_id(UUID(task.id))
        if spiff_task is None or spiff_task.state != TaskState.READY:
            raise Conflict("该任务已办理或已失效，请刷新后查看。")

        step = self._version_of(session, instance).steps[task.step_id]
        cleaned = self._validate(session, task, step, values, spiff_task.data)
        spiff_task.data.update(cleaned)
        collect_multi_instance_output(spiff_task, cleaned)

        if task.assignee is None:
            task.assignee = actor.username
        task.state = HumanTask.COMPLETED
        task.completed_at = now()
        # Completed after its deadline: overdue, even if no sweep ran in between.
        if task.due_at is not None and task.completed_at > task.due_at:
            task.overdue = True
        task.completed_by = actor.username
        with records.bound(session):
            spiff_task.run()
            self._advance(workflow)
            self._audit_task(session, "complete", task, actor, cleaned, comment)
            self._write(session, instance, workflow)
        logger.info(
            "%s: step %s completed by %s",
            instance.business_key or instance.id,
            task.step_id,
            actor.username,
            extra={"instance_id": instance.id, "task_id": task.id},
        )
        return instance

    def migrate(
        self,
        session: Session,
        instance_id: int,
        target: ProcessDefinition,
        actor: Actor,
    ) -> ProcessInstance:
        """Move a running instance onto ``target``, a newer version of its process.

        Refused with the reasons (``MigrationRefused``) where SpiffWorkflow's diff
        finds a step of the instance missing from ``target``. The version, state,
        task and timer projections and an audit entry change in the caller's
        transaction; waiting timers are evaluated anew (changed deadlines).
        """
        instance = session.get(ProcessInstance, instance_id)
        if instance is None:
            raise NotFound("流程实例不存在。")
        current = session.get(ProcessDefinition, instance.definition_id)
        assert current is not None
        if instance.completed:
            raise Conflict("该实例已办结，无需迁移。")
        if target.process_key != current.process_key:
            raise Conflict("只能迁移到同一流程的其他版本。")
        if target.version <= current.version:
            raise Conflict(
                f"该实例运行在第 {current.version} 版，只能迁移到更新的版本。"
            )

        workflow = self._restore(session, instance)
        version = self.version(target)
        checked = migration.plan(workflow, version.spec, version.subprocess_specs)
        migration.apply(checked, workflow, version.spec, version.subprocess_specs)
        self._advance(workflow)

        instance.definition_id = target.id
        instance.definition = target
        # The timers start over: their rows are made again with the new due times.
        session.execute(
            delete(PendingTimer).where(PendingTimer.instance_id == instance.id)
        )
        self._write(session, instance, workflow)
        projection.refresh_open_tasks(
            session, instance, projection.ready_human_tasks(workflow), version.steps
        )
        audit.record(
            session,
            "migrate",
            actor.username,
            instance_id=instance.id,
            business_key=instance.business_key,
            values={
                "from_version": current.version,
                "to_version": target.version,
                "changed_steps": checked.changed_steps,
            },
        )
        session.flush()
        logger.info(
            "%s migrated from %s v%s to v%s by %s",
            instance.business_key or instance.id,
            target.process_key,
            current.version,
            target.version,
            actor.username,
            extra={"instance_id": instance.id},
        )
        return instance

    def check_form(
        self, session: Session, task_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Validate ``values`` against an open task's form without completing it.

        For a page that must show every problem at once when something outside
        the form (an upload) was already refused. Raises ``FormInvalid``.
        """
        view = self.view(session, task_id)
        return self._validate(session, view.task, view.step, values, view.data)

    # Internals --------------------------------------------------------------

    def _validate(
        self,
        session: Session,
        task: HumanTask,
        step: Step,
        values: Mapping[str, Any],
        data: Mapping[str, Any],
    ) -> dict[str, Any]:
        uploads = any(f.type == "file" for f in step.form)
        # Conditions of the form may read business records (``record_status``).
        with records.bound(session):
            return forms.validate(
                step.form,
                values,
                context=data,
                evaluate=lambda expr, scope: self._evaluate(expr, scope),
                departments=_departments_for(session, step),
                attachments=attachments.of_task(session, task.id) if uploads else (),
            )

    def fire_timers(self, session: Session, instance_id: int) -> list[str]:
        """Fire every timer of the instance whose time has come; flush.

        What a firing does to the task projection, the notices and the audit
        trail is recorded by ``_write``, as for timers that fire while a step is
        completed. Returns the element ids fired.
        """
        instance = session.get(ProcessInstance, instance_id)
        if instance is None or instance.completed:
            return []
        workflow = self._restore(session, instance)
        waiting = projection.waiting_timers(workflow)

        with records.bound(session):
            workflow.refresh_timers()
            self._advance(workflow)
            fired = [task for task in waiting if task.state != TaskState.WAITING]
            if fired:
                self._write(session, instance, workflow)
        if not fired:
            self._keep(instance.id, instance.revision, workflow)
        return [task.task_spec.bpmn_id or "" for task in fired]

    def _record_firing(
        self,
        session: Session,
        instance: ProcessInstance,
        version: _Version,
        timer: Any,
    ) -> None:
        """Audit a timer that fired; a marking timer also flags its tasks."""
        element = timer.task_spec.bpmn_id or ""
        marker = version.markers.get(element)
        if marker:
            projection.mark_tasks(session, instance.id, marker)
        audit.record(
            session,
            "timer",
            SYSTEM,
            instance_id=instance.id,
            business_key=instance.business_key,
            step_id=element,
            step_name=timer.task_spec.bpmn_name,
            values={"due": timer.internal_data.get("event_value"), **(marker or {})},
        )
        logger.info(
            "%s: timer %s fired",
            instance.business_key or instance.id,
            element,
            extra={"instance_id": instance.id, "task_id": str(timer.id)},
        )

    def _evaluate(self, expression: str, scope: Mapping[str, Any]) -> Any:
        return self.script_engine.environment.evaluate(expression, dict(scope))

    def _open_task(
        self, session: Session, task_id: str, actor: Actor, *, admin: bool = False
    ) -> HumanTask:
        """The open task, if ``actor`` may touch it (an admin too when ``admin``)."""
        task = session.get(HumanTask, task_id)
        if task is None:
            raise NotFound("任务不存在。")

        # Outsiders learn nothing about who holds or finished the task.
        involved = {task.assignee, task.completed_by}
        insider = task.candidate_group in actor.groups
        insider = insider or (admin and ADMIN_GROUP in actor.groups)
        if not insider and actor.username not in involved:
            raise PermissionDenied("您所在的岗位或部门不能办理该任务。")
        if task.state != HumanTask.OPEN:
            who = task.completed_by or "系统"
            raise Conflict(f"该任务已由 {who} 办理完毕，请勿重复提交。")
        return task

    def _advance(self, workflow: BpmnWorkflow) -> None:
        try:
            workflow.do_engine_steps()
        except EngineError:
            raise
        except SpiffWorkflowException as exc:
            # The step is refused and nothing is saved; operators must hear of it.
            cause = _root_cause(exc)
            logger.error("workflow step failed: %s", cause or exc)
            if isinstance(cause, CalendarError):
                # Missing holiday data is the admin's to add, not a BPMN fault.
                raise ScriptFailed(cause.chinese_message) from exc
            message = cause.message if isinstance(cause, EngineError) else str(exc)
            raise ScriptFailed(
                f"流程执行出错，请联系流程负责人修正流程定义：{message}"
            ) from exc

    def _audit_task(
        self,
        session: Session,
        action: str,
        task: HumanTask,
        actor: Actor,
        values: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> None:
        audit.record(
            session,
            action,
            actor.username,
            instance_id=task.instance_id,
            business_key=task.business_key,
            step_id=task.step_id,
            step_name=task.step_name,
            group=task.candidate_group,
            values=values,
            comment=comment,
        )

    def _write(
        self, session: Session, instance: ProcessInstance, workflow: BpmnWorkflow
    ) -> None:
        """Persist the state, the task projection and the status; flush."""
        version = self._version_of(session, instance)
        # Timers fire in sweeps, but also while a step completes, when the next
        # activity starts past its deadline: either way they are recorded here.
        fired = projection.take_fired_timers(workflow)
        ready = projection.ready_human_tasks(workflow)
        status = projection.business_status(workflow, ready, version.statuses)
        instance.status = status or instance.status
        data = workflow.last_task.data if workflow.last_task else workflow.data
        instance.business_key = instance.business_key or _named(
            version, BUSINESS_KEY_VARIABLE, data
        )
        instance.completed = workflow.completed
        instance.state = serialization.dump_state(workflow)
        instance.updated_at = now()
        if instance.id is None:
            # A new instance: insert it first, its task rows need its id.
            session.add(instance)
            session.flush()
        records.attach(instance.id)
        deadlines = projection.sync_timers(
            session, instance, workflow, version.markers, fired
        )
        projection.sync_tasks(
            session,
            instance,
            ready,
            version.steps,
            deadlines,
            self._group,
            title=_named(version, TITLE_VARIABLE, data),
        )
        try:
            session.flush()
        except (StaleDataError, IntegrityError) as exc:
            # Another transaction wrote this instance first: its revision moved,
            # or it already inserted the same next task (task ids come from the
            # shared state, so both would create the same rows).
            raise Conflict(
                "该事项已被他人更新，您的提交未生效，请刷新后重试。"
            ) from exc

        for timer in fired:
            self._record_firing(session, instance, version, timer)

        # Listeners run after the revision check, so they never act on a stale write.
        for listener in self.listeners:
            listener(session, instance, version.process_key, data)
        session.flush()
        self._remember_after_commit(session, instance, workflow)

    def _group(self, step: Step, data: dict[str, Any]) -> str:
        return candidate_group(step, data, self._evaluate)


def _name(session: Session, code: str | None) -> str:
    """A person's display name for a message people read, not their username."""
    return NameBook(session).person(code)


# Process properties (``camunda:property`` on the process) naming the variables
# whose values number and title the instance's tasks in the inbox, for a process
# without a business record of its own: the business key is set once, when the
# variable first has a value; the title follows the variable.
BUSINESS_KEY_VARIABLE = "businessKeyVariable"
TITLE_VARIABLE = "titleVariable"


def _named(version: _Version, prop: str, data: Mapping[str, Any]) -> str | None:
    """The value of the variable the process property ``prop`` names, as text."""
    name = version.properties.get(prop)
    value = data.get(name) if name else None
    if value is None or value == "":
        return None
    return str(value)[: 100 if prop == BUSINESS_KEY_VARIABLE else 200]


def _root_cause(exc: BaseException) -> BaseException | None:
    """The engine or calendar error behind a SpiffWorkflow exception, if any.

    SpiffWorkflow wraps what a script raised, sometimes as the cause and
    sometimes only as the context of its own exception.
    """
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, CalendarError | EngineError):
        cause = cause.__cause__ or cause.__context__
    return cause


def candidate_group(
    step: Step, data: Mapping[str, Any], evaluate: Callable[[str, Any], Any]
) -> str:
    """The group of a task of ``step``: literal, or ``${...}`` on the task data."""
    match = EXPRESSION.match(step.candidate_group)
    if not match:
        return step.candidate_group
    return str(evaluate(match.group(1), data))


def _departments_for(session: Session, step: Step) -> set[str]:
    if any(f.type in {"department", "departments"} for f in step.form):
        return active_department_codes(session)
    return set()


def collect_multi_instance_output(spiff_task: Any, values: dict[str, Any]) -> None:
    """In a multi-instance step, the submitted form becomes the instance's output.

    Each department's answer in a parallel step (acceptance per department) is
    collected into the output collection as one dictionary, with the input item
    (the department) beside the submitted values, unless the form itself has a
    field named like the output item.
    """
    parent_spec = spiff_task.parent.task_spec if spiff_task.parent else None
    if (
        not isinstance(parent_spec, MultiInstanceTask)
        or parent_spec.output_item is None
    ):
        return
    output_name = parent_spec.output_item.bpmn_id
    if output_name in values:
        return
    item: dict[str, Any] = {}
    if parent_spec.input_item is not None:
        input_name = parent_spec.input_item.bpmn_id
        item[input_name] = spiff_task.data.get(input_name)
    item.update(values)
    spiff_task.data[output_name] = item


@event.listens_for(Session, "after_commit")
def _keep_committed_workflows(session: Session) -> None:
    runtime = session.info.pop("bangban_runtime", None)
    pending = session.info.pop("bangban_workflows", [])
    if runtime is not None:
        for instance_id, revision, workflow in pending:
            runtime._keep(instance_id, revision, workflow)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_workflows(session: Session) -> None:
    session.info.pop("bangban_runtime", None)
    session.info.pop("bangban_workflows", None)
