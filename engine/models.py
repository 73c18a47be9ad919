"""Tables of the workflow engine: definitions, instances, human tasks, audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.clock import now
from engine.db import Base, UTCDateTime


class ProcessDefinition(Base):
    """One deployed version of a BPMN process (流程定义版本).

    The uploaded file is kept byte for byte, next to the parsed spec (stored once
    here, never copied into instances), the human steps with their forms, and the
    business statuses declared on elements.
    """

    __tablename__ = "process_definition"
    __table_args__ = (UniqueConstraint("process_key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    checksum: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    # The large columns load only when read: the runtime builds a version once
    # per process and caches it.
    source: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    steps: Mapped[dict[str, Any]] = mapped_column(JSON, deferred=True)
    statuses: Mapped[dict[str, str]] = mapped_column(JSON)
    # Boundary timers that mark the task they are attached to, by element id:
    # ``{"marks": "warned" | "overdue", "attached_to": activity id}``.
    markers: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    # Extension properties of the process itself (``camunda:property`` on
    # ``bpmn:process``), e.g. the variables that number and title its tasks.
    properties: Mapped[dict[str, str] | None] = mapped_column(JSON, default=dict)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    deployed_by: Mapped[str] = mapped_column(String(100))


class ProcessInstance(Base):
    """A running or finished instance of one definition version (流程实例).

    ``revision`` is SQLAlchemy's version counter: every write checks that nobody
    else wrote in between, which is how a stale completion is refused.
    """

    __tablename__ = "process_instance"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("process_definition.id"), index=True
    )
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str | None] = mapped_column(String(50))
    completed: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    definition: Mapped[ProcessDefinition] = relationship()

    # SQLAlchemy reads this mapping from the class; it is never mutated.
    __mapper_args__ = {"version_id_col": revision}  # noqa: RUF012


class HumanTask(Base):
    """The queryable projection of one human task (人工任务), open or finished.

    Kept in step with the workflow state on every write, so the inbox is one
    indexed query and never a scan of serialized workflows.
    """

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_open_group", "state", "candidate_group"),
        Index("ix_human_task_open_assignee", "state", "assignee"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    # What the inbox shows beside the number, for a process that names a title
    # variable (an appeal's title comes from the appeal itself).
    title: Mapped[str | None] = mapped_column(String(200))
    step_id: Mapped[str] = mapped_column(String(100))
    step_name: Mapped[str] = mapped_column(String(200))
    lane: Mapped[str | None] = mapped_column(String(100))
    candidate_group: Mapped[str] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    warned: Mapped[bool] = mapped_column(default=False)
    # Kept after completion: the timeliness report counts overdue steps.
    overdue: Mapped[bool] = mapped_column(default=False)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(100))

    OPEN = "open"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PendingTimer(Base):
    """A timer waiting in some instance (待触发定时器), indexed by due time.

    The timer service finds what is due with one query on ``due_at``, never by
    loading instances; a row disappears when its timer fires or is cancelled.
    """

    __tablename__ = "pending_timer"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    business_key: Mapped[str | None] = mapped_column(String(100))
    element_id: Mapped[str] = mapped_column(String(100))
    attached_to: Mapped[str | None] = mapped_column(String(100))
    marks: Mapped[str | None] = mapped_column(String(20))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEntry(Base):
    """One line of the audit trail (有据可查): who did what, when, at which step."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(
        ForeignKey("process_instance.id"), index=True
    )
    business_key: Mapped[str | None] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50))
    step_id: Mapped[str | None] = mapped_column(String(100))
    step_name: Mapped[str | None] = mapped_column(String(200))
    candidate_group: Mapped[str | None] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    values: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
