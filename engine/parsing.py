"""Reading and validating a BPMN file before it is deployed.

A file is checked in three passes and every problem is reported at once, each with
file, line and element id: the XML is parsed without entities or network access
(an uploaded file may be hostile), validated against the BPMN 2.0 schema, then
parsed by SpiffWorkflow. Bangban's own rules follow: every user task names a role
or department, every form field has a known type, every expression compiles in the
restricted environment.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH, full_tag
from SpiffWorkflow.bpmn.parser.TaskParser import TaskParser
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import UserTask
from SpiffWorkflow.exceptions import SpiffWorkflowException

from engine import forms, serialization
from engine.errors import DefinitionInvalid, Problem
from engine.scripting import check_expression

logger = logging.getLogger(__name__)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = forms.CAMUNDA_NS
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS}

MAX_FILE_BYTES = 2 * 1024 * 1024

# A candidate group is a role or department code, or ``${expression}`` evaluated on
# the task data when the task opens (a department chosen at triage).
EXPRESSION = re.compile(r"^\$\{(.+)\}$", re.DOTALL)


@dataclass(frozen=True)
class Step:
    """What the inbox and the forms need to know about one human step."""

    id: str
    name: str
    lane: str | None
    candidate_group: str
    form: list[forms.FormField] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)
    # Reusable comments (审批意见常用语), in the order drawn.
    phrases: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description, stored with the deployed version."""
        return {
            "id": self.id,
            "name": self.name,
            "lane": self.lane,
            "candidate_group": self.candidate_group,
            "form": [form_field.to_dict() for form_field in self.form],
            "properties": self.properties,
            "phrases": self.phrases,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Step:
        """Rebuild a step from ``to_dict`` output."""
        return cls(
            id=data["id"],
            name=data["name"],
            lane=data.get("lane"),
            candidate_group=data["candidate_group"],
            form=[forms.FormField.from_dict(item) for item in data["form"]],
            properties=dict(data.get("properties", {})),
            phrases=list(data.get("phrases", [])),
        )


@dataclass
class ParsedDefinition:
    """A validated BPMN file, ready to be stored as a new version."""

    process_key: str
    name: str
    filename: str
    source: bytes
    checksum: str
    spec: dict[str, Any]
    steps: dict[str, Step]
    statuses: dict[str, str]
    markers: dict[str, dict[str, str]] = field(default_factory=dict)
    # The process's own extension properties (see ``PROCESS_PROPERTIES``).
    properties: dict[str, str] = field(default_factory=dict)


# Process properties that name a variable of the task data: the business key
# (number) and the title the inbox shows for the process's tasks.
PROCESS_PROPERTIES = ("businessKeyVariable", "titleVariable")


class _UserTaskParser(UserTaskParser):
    """Camunda user tasks that also accept standard BPMN multi-instance data.

    Camunda Modeler writes ``camunda:collection``; other modelers (bpmn.io,
    SpiffArena) write ``loopDataInputRef`` and ``inputDataItem``. Both are read.
    """

    def _add_multiinstance_task(self, loop_characteristics: Any) -> None:
        if loop_characteristics.get(f"{{{CAMUNDA_NS}}}collection") is not None:
            super()._add_multiinstance_task(loop_characteristics)
        else:
            TaskParser._add_multiinstance_task(self, loop_characteristics)


class _Parser(CamundaParser):
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("userTask"): (_UserTaskParser, UserTask),
    }


@cache
def _schema() -> etree.XMLSchema:
    """The BPMN 2.0 schema shipped with SpiffWorkflow, loaded once."""
    return etree.XMLSchema(etree.parse(XSD_PATH))


def safe_parser() -> etree.XMLParser:
    """An XML parser for untrusted input: no DTD, no entities, no network."""
    # No entity expansion, no DTD, no network: an uploaded file may be hostile.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=False,
    )


def parse_file(path: str | Path) -> ParsedDefinition:
    """Read and validate the BPMN file at ``path``."""
    path = Path(path)
    return parse_bytes(path.read_bytes(), path.name)


def parse_bytes(source: bytes, filename: str) -> ParsedDefinition:
    """Validate ``source`` and return what deployment stores.

    Raises ``DefinitionInvalid`` listing every problem found.
    """
    if len(source) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // 1024
        raise DefinitionInvalid([Problem(filename, f"文件超过 {limit} KB 上限")])

    # Checked before parsing: a DTD can declare entities that read files or
    # expand into gigabytes; BPMN never needs one.
    if b"<!DOCTYPE" in source or b"<!ENTITY" in source:
        raise DefinitionInvalid(
            [Problem(filename, "BPMN 文件不允许包含 DTD 或实体声明")]
        )
    try:
        root = etree.fromstring(source, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise DefinitionInvalid(
            [Problem(filename, f"不是合法的 XML：{exc.msg}", line=exc.lineno)]
        ) from exc

    problems = _schema_problems(root, filename)
    if problems:
        raise DefinitionInvalid(problems)

    process = _executable_process(root, filename)
    problems = _id_clashes(root, filename) + _reference_problems(root, filename)
    # Steps, expressions and properties are read from the XML alone, so they are
    # checked even when a broken reference keeps SpiffWorkflow from parsing: the
    # author sees every problem of the file at once, not one per upload.
    steps, step_problems = _read_steps(process, filename)
    checks = step_problems + _expression_problems(process, filename)
    checks += _process_property_problems(process, filename)
    if problems:
        raise DefinitionInvalid(problems + checks)
    spec, subprocess_specs = _spiff_parse(root, process, filename)
    if checks:
        raise DefinitionInvalid(checks)

    return ParsedDefinition(
        process_key=process.get("id", ""),
        name=process.get("name") or process.get("id") or "",
        filename=filename,
        source=source,
        checksum=hashlib.sha256(source).hexdigest(),
        spec=serialization.specs_to_dict(spec, subprocess_specs),
        steps=steps,
        statuses=_statuses(process),
        markers=_markers(process),
        properties=_properties(process),
    )


def declared_steps(source: bytes, filename: str) -> dict[str, Step]:
    """The human steps of a file that failed validation, as far as they can be
    read; none when the file is no well-formed BPMN with one executable process.

    Deployment checks their candidate groups, so that an unknown group is
    reported together with the file's other problems.
    """
    if b"<!DOCTYPE" in source or b"<!ENTITY" in source:
        return {}
    try:
        root = etree.fromstring(source, safe_parser())
        process = _executable_process(root, filename)
    except (etree.XMLSyntaxError, DefinitionInvalid):
        return {}
    return _read_steps(process, filename)[0]


def _process_property_problems(process: etree._Element, filename: str) -> list[Problem]:
    """Process properties naming a variable must name a valid one."""
    problems = []
    for name, value in _properties(process).items():
        if name in PROCESS_PROPERTIES and not value.isidentifier():
            problems.append(
                Problem(
                    filename,
                    f"流程属性 {name} 应为流程变量名，“{value}”不是合法的变量名",
                    element=process.get("id", ""),
                    line=process.sourceline,
                )
            )
    return problems


def _schema_problems(root: etree._Element, filename: str) -> list[Problem]:
    schema = _schema()
    if schema.validate(root):
        return []
    return [
        Problem(filename, f"不符合 BPMN 2.0 规范：{error.message}", line=error.line)
        for error in schema.error_log
    ]


def _id_clashes(root: etree._Element, filename: str) -> list[Problem]:
    """Form field and option ids that repeat a BPMN element id.

    SpiffWorkflow looks elements up by id anywhere in the document, so an enum
    option ``accept`` would be taken for a task ``accept``.
    """
    element_ids = {
        node.get("id")
        for node in root.iter(f"{{{BPMN_NS}}}*")
        if node.get("id") is not None
    }
    problems = []
    for node in root.iter(f"{{{CAMUNDA_NS}}}formField", f"{{{CAMUNDA_NS}}}value"):
        if node.get("id") in element_ids:
            problems.append(
                Problem(
                    filename,
                    f"表单字段或选项的 id “{node.get('id')}” 与流程元素重名，请改名",
                    element=node.get("id", ""),
                    line=node.sourceline,
                )
            )
    return problems


# Attributes and elements that name another element of the file by its id.
_REFERENCE_ATTRIBUTES = ("sourceRef", "targetRef", "attachedToRef", "default")
_REFERENCE_ELEMENTS = ("incoming", "outgoing", "flowNodeRef")


def _reference_problems(root: etree._Element, filename: str) -> list[Problem]:
    """References to elements that do not exist, each with its line.

    SpiffWorkflow would stop at the first one with a confusing message.
    """
    ids = {node.get("id") for node in root.iter() if node.get("id") is not None}
    problems = []
    for node in root.iter(f"{{{BPMN_NS}}}*"):
        names = [node.get(attribute) for attribute in _REFERENCE_ATTRIBUTES]
        if etree.QName(node).localname in _REFERENCE_ELEMENTS:
            names.append((node.text or "").strip())
        for name in names:
            if name and name not in ids:
                owner = node if node.get("id") else node.getparent()
                problems.append(
                    Problem(
                        filename,
                        f"引用了不存在的元素“{name}”，请检查连线或泳道中的元素 id",
                        element=(owner.get("id", "") if owner is not None else ""),
                        line=node.sourceline,
                    )
                )
    return problems


def _executable_process(root: etree._Element, filename: str) -> etree._Element:
    processes = root.findall("bpmn:process", NS)
    executable = [node for node in processes if node.get("isExecutable") == "true"]
    if len(executable) != 1:
        found = len(executable)
        raise DefinitionInvalid(
            [
                Problem(
                    filename,
                    f"文件应当恰好包含一个可执行流程（isExecutable），现有 {found} 个",
                )
            ]
        )
    return executable[0]


def _spiff_parse(
    root: etree._Element, process: etree._Element, filename: str
) -> tuple[Any, dict[str, Any]]:
    """Let SpiffWorkflow build the spec; every failure becomes a located problem."""
    parser = _Parser()
    try:
        parser.add_bpmn_xml(root, filename)
        process_id = process.get("id")
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except SpiffWorkflowException as exc:
        element = getattr(exc, "id", "") or ""
        raise DefinitionInvalid(
            [
                Problem(
                    filename,
                    f"流程无法解析：{exc}",
                    element=element,
                    line=_line_of(root, element),
                    notes=list(getattr(exc, "notes", [])),
                )
            ]
        ) from exc
    except Exception as exc:
        # Some malformed inputs make SpiffWorkflow raise plain Python errors.
        logger.info("BPMN parser failed on %s: %r", filename, exc)
        raise DefinitionInvalid(
            [Problem(filename, f"流程无法解析（{type(exc).__name__}：{exc}）")]
        ) from exc
    return spec, subprocess_specs


def element_line(source: bytes, element_id: str) -> int | None:
    """The line of the element ``element_id`` in a file that parsed before."""
    return _line_of(etree.fromstring(source, safe_parser()), element_id)


def _line_of(root: etree._Element, element_id: str) -> int | None:
    if not element_id:
        return None
    found = root.xpath("//*[@id=$id]", id=element_id)
    return found[0].sourceline if found else None


def _properties(node: etree._Element) -> dict[str, str]:
    path = "bpmn:extensionElements/camunda:properties/camunda:property"
    return {
        prop.get("name", ""): prop.get("value", "") for prop in node.findall(path, NS)
    }


PHRASE = "phrase"


def _phrases(node: etree._Element) -> list[str]:
    """A user task's comment phrases: each ``camunda:property name="phrase"``.

    Camunda Modeler lists them under "Extension properties"; a name may repeat,
    so the process owner adds one property per phrase.
    """
    path = "bpmn:extensionElements/camunda:properties/camunda:property"
    texts = [
        (prop.get("value") or "").strip()
        for prop in node.findall(path, NS)
        if prop.get("name") == PHRASE
    ]
    return [text for text in texts if text]


def _lanes(process: etree._Element) -> dict[str, str]:
    lanes = {}
    for lane in process.iterfind(".//bpmn:lane", NS):
        for ref in lane.findall("bpmn:flowNodeRef", NS):
            lanes[(ref.text or "").strip()] = lane.get("name") or lane.get("id") or ""
    return lanes


def _read_steps(
    process: etree._Element, filename: str
) -> tuple[dict[str, Step], list[Problem]]:
    lanes = _lanes(process)
    steps: dict[str, Step] = {}
    problems: list[Problem] = []
    for node in process.iterfind(".//bpmn:userTask", NS):
        step_id = node.get("id", "")
        line = node.sourceline
        group = (node.get(f"{{{CAMUNDA_NS}}}candidateGroups") or "").strip()
        if not group:
            problems.append(
                Problem(
                    filename,
                    "人工步骤必须在 camunda:candidateGroups 中指定角色或部门",
                    element=step_id,
                    line=line,
                )
            )
        form = forms.read_form(node)
        for message in forms.check_form(form):
            problems.append(Problem(filename, message, element=step_id, line=line))
        steps[step_id] = Step(
            id=step_id,
            name=node.get("name") or step_id,
            lane=lanes.get(step_id),
            candidate_group=group,
            form=form,
            properties=_properties(node),
            phrases=_phrases(node),
        )
    return steps, problems


def _expression_problems(process: etree._Element, filename: str) -> list[Problem]:
    """Compile every condition, script and expression as the engine will run it."""
    checks: list[tuple[etree._Element, str, str]] = []
    for node in process.iterfind(".//bpmn:conditionExpression", NS):
        flow = node.getparent()
        if flow is not None:
            checks.append((flow, node.text or "", "eval"))
    for node in process.iterfind(".//bpmn:scriptTask", NS):
        script = node.find("bpmn:script", NS)
        source = script.text if script is not None else None
        checks.append((node, source or "", "exec"))
    # Timer expressions are compiled, not evaluated: they read task data (such
    # as accept_due) that exists only once the flow reaches them. A name that
    # is never set passes deployment and fails the step that starts the timer,
    # with the script's Chinese message for the person completing it.
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for node in process.iterfind(f".//bpmn:{tag}", NS):
            event = node.getparent()
            owner = event.getparent() if event is not None else None
            if owner is not None:
                checks.append((owner, node.text or "", "eval"))
    for node in process.iterfind(".//bpmn:userTask", NS):
        match = EXPRESSION.match(node.get(f"{{{CAMUNDA_NS}}}candidateGroups") or "")
        if match:
            checks.append((node, match.group(1), "eval"))
        for form_field in forms.read_form(node):
            for rule in forms.EXPRESSION_CONSTRAINTS:
                if rule in form_field.constraints:
                    checks.append((node, form_field.constraints[rule], "eval"))

    problems = []
    for node, source, mode in checks:
        if not source.strip():
            reason: str | None = "表达式或脚本为空"
        else:
            reason = check_expression(source, mode)
        if reason:
            problems.append(
                Problem(
                    filename, reason, element=node.get("id", ""), line=node.sourceline
                )
            )
    return problems


MARKS = {"warned", "overdue"}


def _markers(process: etree._Element) -> dict[str, dict[str, str]]:
    """Boundary timers that mark their task warned (预警) or overdue (超期).

    Declared as ``camunda:property name="marks"`` on the boundary event; when the
    timer fires, the engine flags the open tasks of the activity it is attached
    to, and a task's due time is its ``overdue`` timer's time.
    """
    markers = {}
    for node in process.iterfind(".//bpmn:boundaryEvent", NS):
        marks = _properties(node).get("marks")
        if marks in MARKS and node.find("bpmn:timerEventDefinition", NS) is not None:
            markers[node.get("id", "")] = {
                "marks": marks,
                "attached_to": node.get("attachedToRef", ""),
            }
    return markers


def _statuses(process: etree._Element) -> dict[str, str]:
    """Business statuses declared on elements (``camunda:property name="status"``)."""
    statuses = {}
    for node in process.iter():
        status = _properties(node).get("status") if isinstance(node.tag, str) else None
        if status:
            statuses[node.get("id", "")] = status
    return statuses
