"""Deploying uploaded BPMN files and drawing diagrams, shared by the API and the
admin pages (流程部署).

An uploaded file is untrusted. The request body is capped by
``MAX_CONTENT_LENGTH`` before anything is parsed (a 50 MB upload is refused while
its headers are read), uploaded files are kept in memory rather than in the
server's temporary folder (``MemoryRequest``), and the engine's parser refuses
DTDs, entities and scripts that try to escape the restricted environment.
"""

from __future__ import annotations

import io
import logging
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Any

from flask import Request
from markupsafe import Markup
from werkzeug.datastructures import FileStorage

from engine import deployment, diagram
from engine.clock import local_iso
from engine.deployment import DeployResult
from engine.errors import Problem
from engine.models import HumanTask, ProcessDefinition, ProcessInstance
from engine.parsing import MAX_FILE_BYTES
from webapp.extensions import db, runtime, session

logger = logging.getLogger(__name__)

# Who may deploy and read versions; migrating instances is the admins' alone.
DEPLOYERS = {"admin", "owner"}
MIGRATORS = {"admin"}


class MemoryRequest(Request):
    """Uploaded files stay in memory, never in the server's temporary folder.

    The body is already capped by ``MAX_CONTENT_LENGTH``, so memory is bounded.
    """

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()


def upload_limit_message(limit: int | None) -> str:
    """Why an oversized upload was refused, in Chinese."""
    megabytes = (limit or 0) // (1024 * 1024)
    return f"上传内容超过 {megabytes} MB 上限，已拒绝，未部署任何内容。"


def _plain_name(name: str | None) -> str:
    # Browsers may send a full path; only the last part is a name.
    raw = name or ""
    return PureWindowsPath(PurePosixPath(raw).name).name or "未命名文件"


def read_uploads(
    files: list[FileStorage],
) -> tuple[list[tuple[bytes, str]], list[Problem]]:
    """The content and name of every uploaded BPMN file, and the problems of
    files that are not BPMN at all (wrong name, empty)."""
    sources: list[tuple[bytes, str]] = []
    problems: list[Problem] = []
    for upload in files:
        name = _plain_name(upload.filename)
        content = upload.stream.read(MAX_FILE_BYTES + 1)
        if not name.lower().endswith(".bpmn"):
            problems.append(Problem(name, "只能上传 .bpmn 文件"))
        elif not content:
            problems.append(Problem(name, "文件是空的"))
        else:
            sources.append((content, name))
    if not files:
        problems.append(Problem("（无文件）", "请选择至少一个 .bpmn 文件"))
    return sources, problems


def deploy_uploads(files: list[FileStorage], username: str) -> list[DeployResult]:
    """Validate every uploaded file, then deploy them all; nothing on any problem.

    The caller commits.
    """
    sources, problems = read_uploads(files)
    results = deployment.deploy_many(
        session(),
        sources,
        deployed_by=username,
        check_groups=True,
        problems=problems,
    )
    for result in results:
        logger.info(
            "upload by %s: %s v%s %s",
            username,
            result.definition.process_key,
            result.definition.version,
            "deployed" if result.created else "unchanged",
        )
    return results


def instance_marks(instance: ProcessInstance) -> dict[str, str]:
    """Diagram marks of an instance: done, current, and overdue open steps."""
    overdue = db.session.scalars(
        db.select(HumanTask.step_id).where(
            HumanTask.instance_id == instance.id,
            HumanTask.state == HumanTask.OPEN,
            HumanTask.overdue.is_(True),
        )
    )
    steps = runtime().step_marks(session(), instance)
    return diagram.merge_marks(steps.items(), ((step, "overdue") for step in overdue))


def instance_diagram(instance: ProcessInstance) -> str:
    """The SVG of the instance's version with its steps marked, for a page."""
    definition = db.session.get(ProcessDefinition, instance.definition_id)
    assert definition is not None
    return diagram.render(definition.source, instance_marks(instance))


def version_summary(
    definition: ProcessDefinition, running: dict[int, int]
) -> dict[str, Any]:
    """One version as the lists show it."""
    return {
        "process_key": definition.process_key,
        "name": definition.name,
        "version": definition.version,
        "checksum": definition.checksum,
        "filename": definition.filename,
        "deployed_by": definition.deployed_by,
        "deployed_at": local_iso(definition.deployed_at),
        "running_instances": running.get(definition.version, 0),
    }


def appeal_diagram(appeal: Any) -> Markup | None:
    """The marked diagram of an appeal's flow, for the staff appeal page."""
    instance = (
        db.session.get(ProcessInstance, appeal.instance_id)
        if appeal.instance_id
        else None
    )
    # The SVG is built with lxml, which escapes every text from the file.
    return Markup(instance_diagram(instance)) if instance is not None else None
