"""Deploying process definitions (流程部署): validated, versioned, idempotent."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import now
from engine.directory import GROUP_LABELS, department_names
from engine.errors import DefinitionInvalid, Problem
from engine.models import ProcessDefinition, ProcessInstance
from engine.parsing import (
    EXPRESSION,
    ParsedDefinition,
    Step,
    declared_steps,
    element_line,
    parse_bytes,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeployResult:
    """What a deployment did: the version in service and whether it is new."""

    definition: ProcessDefinition
    created: bool


def latest(session: Session, process_key: str) -> ProcessDefinition | None:
    """The newest version of ``process_key``; new instances start on it."""
    return session.scalars(
        select(ProcessDefinition)
        .where(ProcessDefinition.process_key == process_key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    ).first()


def deploy_bytes(
    session: Session, source: bytes, filename: str, *, deployed_by: str
) -> DeployResult:
    """Validate and store one BPMN file as a new version of its process.

    Identical content to the version in service is a no-op. Raises
    ``DefinitionInvalid`` with every problem; nothing is stored then.
    """
    parsed = parse_bytes(source, filename)
    return _store(session, parsed, deployed_by)


def deploy_many(
    session: Session,
    sources: list[tuple[bytes, str]],
    *,
    deployed_by: str,
    check_groups: bool = False,
    problems: list[Problem] | None = None,
) -> list[DeployResult]:
    """Validate every ``(content, filename)`` first, then deploy them all.

    If any file has a problem, ``DefinitionInvalid`` lists the problems of all
    files, after the caller's own ``problems`` (an upload that is no BPMN at
    all), and nothing is deployed. With ``check_groups`` (uploads by people),
    every literal candidate group must also be a role or a department.
    """
    parsed: list[ParsedDefinition] = []
    problems = list(problems or [])
    known = known_groups(session) if check_groups else set()
    for source, filename in sources:
        try:
            each = parse_bytes(source, filename)
        except DefinitionInvalid as exc:
            problems.extend(exc.problems)
            if check_groups:
                steps = declared_steps(source, filename)
                problems.extend(_unknown_groups(filename, source, steps, known))
            continue
        parsed.append(each)
        if check_groups:
            problems.extend(group_problems(each, known))
    if problems:
        raise DefinitionInvalid(problems)
    return [_store(session, each, deployed_by) for each in parsed]


def known_groups(session: Session) -> set[str]:
    """Candidate groups a step may name: the roles and every department code."""
    return set(GROUP_LABELS) | set(department_names(session))


def group_problems(parsed: ParsedDefinition, known: set[str]) -> list[Problem]:
    """Steps whose candidate group is neither a role nor a department.

    ``${...}`` groups are chosen when the step opens (a department picked at
    triage) and are checked then by the department form fields. Lanes are not
    checked: they only group shapes in the drawing, and their names (平台转派)
    decide nothing; a lane whose steps name other groups deploys without a word.
    """
    return _unknown_groups(parsed.filename, parsed.source, parsed.steps, known)


def _unknown_groups(
    filename: str, source: bytes, steps: dict[str, Step], known: set[str]
) -> list[Problem]:
    problems = []
    for step in steps.values():
        group = step.candidate_group
        if not group or EXPRESSION.match(group) or group in known:
            continue
        problems.append(
            Problem(
                filename,
                f"办理岗位或部门“{group}”不是已知的角色或部门代码；"
                "请改用角色代码（如 dispatcher、reviewer）或部门代码，"
                "或先在“部门管理”中添加该部门",
                element=step.id,
                line=element_line(source, step.id),
            )
        )
    return problems


def deploy_path(
    session: Session, path: str | Path, *, deployed_by: str
) -> DeployResult:
    """Deploy the BPMN file at ``path``."""
    path = Path(path)
    return deploy_bytes(session, path.read_bytes(), path.name, deployed_by=deployed_by)


def deploy_folder(
    session: Session, folder: str | Path, *, deployed_by: str
) -> list[DeployResult]:
    """Deploy every ``*.bpmn`` file in ``folder``, in name order."""
    return [
        deploy_path(session, path, deployed_by=deployed_by)
        for path in sorted(Path(folder).glob("*.bpmn"))
    ]


def _store(
    session: Session, parsed: ParsedDefinition, deployed_by: str
) -> DeployResult:
    current = latest(session, parsed.process_key)
    if current is not None and current.checksum == parsed.checksum:
        logger.info(
            "%s v%s unchanged, nothing deployed", parsed.process_key, current.version
        )
        return DeployResult(current, created=False)

    definition = ProcessDefinition(
        process_key=parsed.process_key,
        name=parsed.name,
        version=(current.version + 1) if current else 1,
        checksum=parsed.checksum,
        filename=parsed.filename,
        source=parsed.source,
        spec=parsed.spec,
        steps={key: step.to_dict() for key, step in parsed.steps.items()},
        statuses=parsed.statuses,
        markers=parsed.markers,
        properties=parsed.properties,
        deployed_at=now(),
        deployed_by=deployed_by,
    )
    session.add(definition)
    session.flush()
    audit.record(
        session,
        "deploy",
        deployed_by,
        business_key=f"{parsed.process_key}:v{definition.version}",
        values={"checksum": parsed.checksum, "filename": parsed.filename},
    )
    logger.info(
        "%s v%s deployed by %s from %s",
        parsed.process_key,
        definition.version,
        deployed_by,
        parsed.filename,
    )
    return DeployResult(definition, created=True)


def running_counts(session: Session, process_key: str) -> dict[int, int]:
    """How many unfinished instances run on each version of ``process_key``."""
    rows = session.execute(
        select(ProcessDefinition.version, func.count(ProcessInstance.id))
        .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessDefinition.process_key == process_key)
        .where(ProcessInstance.completed.is_(False))
        .group_by(ProcessDefinition.version)
    )
    return {version: count for version, count in rows}
