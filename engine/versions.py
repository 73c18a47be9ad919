"""Versions of a process (流程版本) and what changed between two of them.

The difference is told in the words a process owner uses: steps (环节) added,
removed or changed, form fields (表单字段) added, removed or changed, deadlines
(期限: timer expressions) changed, scripts and conditions changed. It is computed
from the deployed files and the steps stored with each version.
"""

from __future__ import annotations

import ast
import logging
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import NotFound
from engine.forms import FIELD_TYPES
from engine.models import ProcessDefinition, ProcessInstance
from engine.parsing import BPMN_NS, NS, safe_parser

logger = logging.getLogger(__name__)

# Flow nodes a process owner calls steps, with their Chinese kind.
NODE_KINDS = {
    "userTask": "人工环节",
    "scriptTask": "自动环节",
    "serviceTask": "自动环节",
    "manualTask": "人工环节",
    "task": "环节",
    "subProcess": "子流程",
    "callActivity": "调用流程",
    "startEvent": "开始事件",
    "endEvent": "结束事件",
    "boundaryEvent": "边界事件",
    "intermediateCatchEvent": "中间事件",
    "intermediateThrowEvent": "中间事件",
    "exclusiveGateway": "排他网关",
    "parallelGateway": "并行网关",
    "inclusiveGateway": "包容网关",
    "eventBasedGateway": "事件网关",
}
TIMER_TAGS = ("timeDate", "timeDuration", "timeCycle")


@dataclass(frozen=True)
class Change:
    """One difference between two versions, in plain Chinese."""

    category: str  # "step", "form", "deadline", "logic", "flow"
    kind: str  # "added", "removed", "changed"
    element: str
    text: str


@dataclass
class VersionDiff:
    """Every difference from ``old`` to ``new``, grouped as people read them."""

    process_key: str
    old_version: int
    new_version: int
    changes: list[Change] = field(default_factory=list)

    def of(self, category: str) -> list[Change]:
        """The changes of one category (``step``, ``form``, ``deadline``, ...)."""
        return [change for change in self.changes if change.category == category]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API."""
        return {
            "process_key": self.process_key,
            "from_version": self.old_version,
            "to_version": self.new_version,
            "changes": [change.__dict__ for change in self.changes],
        }


def versions(session: Session, process_key: str) -> list[ProcessDefinition]:
    """Every deployed version of ``process_key``, newest first."""
    return list(
        session.scalars(
            select(ProcessDefinition)
            .where(ProcessDefinition.process_key == process_key)
            .order_by(ProcessDefinition.version.desc())
        )
    )


def get_version(session: Session, process_key: str, version: int) -> ProcessDefinition:
    """One version; ``NotFound`` in Chinese when there is none."""
    found = session.scalars(
        select(ProcessDefinition).where(
            ProcessDefinition.process_key == process_key,
            ProcessDefinition.version == version,
        )
    ).first()
    if found is None:
        raise NotFound(f"流程 {process_key} 没有第 {version} 版。")
    return found


def process_keys(session: Session) -> list[str]:
    """The keys of every deployed process, in order."""
    query = select(ProcessDefinition.process_key).distinct()
    return sorted(session.scalars(query))


def diff(old: ProcessDefinition, new: ProcessDefinition) -> VersionDiff:
    """What changed from ``old`` to ``new`` (two versions of one process)."""
    result = VersionDiff(old.process_key, old.version, new.version)
    old_nodes, new_nodes = _nodes(old.source), _nodes(new.source)

    for node_id, node in new_nodes.items():
        if node_id not in old_nodes:
            result.changes.append(
                Change("step", "added", node_id, f"新增{_describe(node)}")
            )
    for node_id, node in old_nodes.items():
        if node_id not in new_nodes:
            result.changes.append(
                Change("step", "removed", node_id, f"删除{_describe(node)}")
            )
    for node_id in old_nodes.keys() & new_nodes.keys():
        result.changes.extend(_node_changes(old_nodes[node_id], new_nodes[node_id]))

    # A deadline told in working days replaces the bare change of its timer's
    # expression; the expressions stay in the text for the process owner.
    plain = _deadline_changes(old, new)
    covered = {change.element for change in plain}
    result.changes = [
        change
        for change in result.changes
        if not (change.category == "deadline" and change.element in covered)
    ]
    result.changes.extend(plain)
    result.changes.extend(_form_changes(old.steps, new.steps))
    result.changes.extend(_flow_changes(old.source, new.source))
    order = {"step": 0, "form": 1, "deadline": 2, "logic": 3, "flow": 4}
    result.changes.sort(key=lambda change: (order[change.category], change.element))
    return result


def _nodes(source: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(source, safe_parser())
    process = root.find("bpmn:process[@isExecutable='true']", NS)
    if process is None:
        return {}
    return {
        node.get("id", ""): node
        for node in process.iter(*(f"{{{BPMN_NS}}}{kind}" for kind in NODE_KINDS))
    }


def _kind(node: etree._Element) -> str:
    return etree.QName(node).localname


def _describe(node: etree._Element) -> str:
    kind = NODE_KINDS.get(_kind(node), "元素")
    name = node.get("name")
    label = f"“{name}”" if name else ""
    return f"{kind}{label}（{node.get('id')}）"


def _text(node: etree._Element, path: str) -> str:
    found = node.find(path, NS)
    return (found.text or "").strip() if found is not None else ""


def _node_changes(old: etree._Element, new: etree._Element) -> list[Change]:
    node_id = new.get("id", "")
    what = _describe(new)
    changes = []
    if _kind(old) != _kind(new):
        changes.append(
            Change("step", "changed", node_id, f"{what}的类型由{_describe(old)}改变")
        )
    if (old.get("name") or "") != (new.get("name") or ""):
        changes.append(
            Change(
                "step",
                "changed",
                node_id,
                f"{what}改名：“{old.get('name') or ''}”→“{new.get('name') or ''}”",
            )
        )
    for tag in TIMER_TAGS:
        before = _text(old, f".//bpmn:{tag}")
        after = _text(new, f".//bpmn:{tag}")
        if before != after:
            changes.append(
                Change(
                    "deadline",
                    "changed",
                    node_id,
                    f"{what}的期限由 {before or '（无）'} 改为 {after or '（无）'}",
                )
            )
    if _text(old, "bpmn:script") != _text(new, "bpmn:script"):
        changes.append(Change("logic", "changed", node_id, f"{what}的脚本已修改"))
    group = "{http://camunda.org/schema/1.0/bpmn}candidateGroups"
    if old.get(group) != new.get(group):
        changes.append(
            Change(
                "step",
                "changed",
                node_id,
                f"{what}的办理岗位或部门由 {old.get(group)} 改为 {new.get(group)}",
            )
        )
    return changes


def _field_text(data: dict[str, Any]) -> str:
    kind = FIELD_TYPES.get(data["type"], data["type"])
    required = "，必填" if "required" in data.get("constraints", {}) else ""
    return f"“{data['label']}”（{data['id']}，{kind}{required}）"


def _form_changes(old_steps: dict[str, Any], new_steps: dict[str, Any]) -> list[Change]:
    changes = []
    for step_id in old_steps.keys() & new_steps.keys():
        where = f"环节“{new_steps[step_id]['name']}”的表单"
        before = {item["id"]: item for item in old_steps[step_id]["form"]}
        after = {item["id"]: item for item in new_steps[step_id]["form"]}
        for field_id in after.keys() - before.keys():
            text = f"{where}新增字段{_field_text(after[field_id])}"
            changes.append(Change("form", "added", step_id, text))
        for field_id in before.keys() - after.keys():
            text = f"{where}删除字段{_field_text(before[field_id])}"
            changes.append(Change("form", "removed", step_id, text))
        for field_id in sorted(before.keys() & after.keys()):
            if before[field_id] != after[field_id]:
                text = (
                    f"{where}字段 {_field_text(before[field_id])} 改为 "
                    f"{_field_text(after[field_id])}"
                )
                if _field_text(before[field_id]) == _field_text(after[field_id]):
                    rules = "的选项或校验规则已修改"
                    text = f"{where}字段 {_field_text(after[field_id])} {rules}"
                changes.append(Change("form", "changed", step_id, text))
    for step_id in new_steps.keys() - old_steps.keys():
        for item in new_steps[step_id]["form"]:
            text = f"新环节“{new_steps[step_id]['name']}”的表单字段{_field_text(item)}"
            changes.append(Change("form", "added", step_id, text))
    return changes


@dataclass(frozen=True)
class _Deadline:
    """A step's deadline as people read it: ``部门签收时限``, ``1 个工作日``."""

    label: str
    days: str
    expression: str


def _deadline_changes(old: ProcessDefinition, new: ProcessDefinition) -> list[Change]:
    before, after = _deadlines(old), _deadlines(new)
    changes = []
    for timer_id in sorted(before.keys() & after.keys()):
        was, now = before[timer_id], after[timer_id]
        if was.days == now.days:
            continue
        text = f"{now.label}：{was.days} → {now.days}"
        if was.expression != now.expression:
            text += f"（计时表达式由 {was.expression} 改为 {now.expression}）"
        changes.append(Change("deadline", "changed", timer_id, text))
    return changes


def _deadlines(definition: ProcessDefinition) -> dict[str, _Deadline]:
    """The deadlines of a version in working days, by the id of their timer.

    A deadline is a boundary timer (not a warning: ``warning(...)``) whose
    expression is ``deadline(start, n)`` or a variable a script set so, e.g.
    ``accept_due = deadline(dispatched_at, 1)``. Other timers have no entry.
    """
    nodes = _nodes(definition.source)
    labels = {
        item["id"]: item["label"]
        for step in definition.steps.values()
        for item in step["form"]
    }
    rules = _deadline_rules(nodes.values(), labels)

    found = {}
    for node_id, node in nodes.items():
        attached = nodes.get(node.get("attachedToRef", ""))
        expression = next(
            filter(None, (_text(node, f".//bpmn:{t}") for t in TIMER_TAGS)), ""
        )
        if attached is None or not expression:
            continue
        days = _expression_days(expression, rules, labels)
        if days:
            label = f"{attached.get('name') or attached.get('id')}时限"
            found[node_id] = _Deadline(label, days, expression)
    return found


def _deadline_call(node: ast.AST) -> ast.Call | None:
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "deadline"
        and len(node.args) == 2
    ):
        return node
    return None


def _deadline_rules(
    nodes: Any, labels: dict[str, str]
) -> dict[str, list[tuple[str, str]]]:
    """Variables scripts set to a deadline: name -> (script name, days) each."""
    rules: dict[str, list[tuple[str, str]]] = {}
    for node in nodes:
        try:
            tree = ast.parse(_text(node, "bpmn:script"))
        except SyntaxError:
            continue  # deployment refuses broken scripts; an old file may differ
        for statement in ast.walk(tree):
            if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
                continue
            target, call = statement.targets[0], _deadline_call(statement.value)
            if isinstance(target, ast.Name) and call is not None:
                where = node.get("name") or node.get("id", "")
                days = _days_text(call.args[1], labels)
                rules.setdefault(target.id, []).append((where, days))
    return rules


def _expression_days(
    expression: str, rules: dict[str, list[tuple[str, str]]], labels: dict[str, str]
) -> str | None:
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        return None
    call = _deadline_call(tree)
    if call is not None:
        return _days_text(call.args[1], labels)
    if not isinstance(tree, ast.Name) or tree.id not in rules:
        return None  # a warning(...) timer or one this module cannot read
    texts = dict.fromkeys(days for _, days in rules[tree.id])
    if len(texts) == 1:
        return next(iter(texts))
    return "；".join(f"{where}时 {days}" for where, days in rules[tree.id])


def _days_text(node: ast.AST, labels: dict[str, str]) -> str:
    """Working days in plain Chinese: ``3 个工作日``, or both of a condition."""
    if _number(node):
        return f"{_number(node)} 个工作日"
    if isinstance(node, ast.IfExp) and _number(node.body) and _number(node.orelse):
        test = node.test
        when = (
            f"有“{labels[test.id]}”"
            if isinstance(test, ast.Name) and test.id in labels
            else ast.unparse(test)
        )
        return (
            f"{_number(node.orelse)} 个工作日（{when}时 {_number(node.body)} 个工作日）"
        )
    return f"{ast.unparse(node)} 个工作日"


def _number(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return str(node.value)
    return None


@dataclass(frozen=True)
class _Flow:
    """A sequence flow (连线), its ends and condition, and how a person names
    each: the ``name`` in the file where it has one, its id otherwise."""

    source: str
    target: str
    condition: str
    label: str
    ends: str


def _flows(source: bytes) -> dict[str, _Flow]:
    root = etree.fromstring(source, safe_parser())
    names = {
        node.get("id", ""): f"“{node.get('name')}”"
        for node in root.iterfind(".//bpmn:process//*[@name]", NS)
    }
    flows = {}
    for flow in root.iterfind(".//bpmn:process/bpmn:sequenceFlow", NS):
        flow_id = flow.get("id", "")
        start, end = flow.get("sourceRef", ""), flow.get("targetRef", "")
        flows[flow_id] = _Flow(
            start,
            end,
            _text(flow, "bpmn:conditionExpression"),
            names.get(flow_id, flow_id),
            f"{names.get(start, start)} → {names.get(end, end)}",
        )
    return flows


def _flow_changes(old_source: bytes, new_source: bytes) -> list[Change]:
    before, after = _flows(old_source), _flows(new_source)
    changes = []
    for flow_id in sorted(after.keys() - before.keys()):
        flow = after[flow_id]
        text = f"新增连线 {flow.label}：{flow.ends}"
        changes.append(Change("flow", "added", flow_id, text))
    for flow_id in sorted(before.keys() - after.keys()):
        flow = before[flow_id]
        text = f"删除连线 {flow.label}：{flow.ends}"
        changes.append(Change("flow", "removed", flow_id, text))
    for flow_id in sorted(before.keys() & after.keys()):
        was, now = before[flow_id], after[flow_id]
        if (was.source, was.target) != (now.source, now.target):
            text = f"连线 {now.label} 由 {was.ends} 改为 {now.ends}"
            changes.append(Change("flow", "changed", flow_id, text))
        if was.condition != now.condition:
            old, new = was.condition or "（无）", now.condition or "（无）"
            text = f"连线 {now.label} 的条件由 {old} 改为 {new}"
            changes.append(Change("logic", "changed", flow_id, text))
    return changes


def running_instances(session: Session, definition_id: int) -> list[ProcessInstance]:
    """The unfinished instances on one version, oldest first."""
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.definition_id == definition_id,
                ProcessInstance.completed.is_(False),
            )
            .order_by(ProcessInstance.id)
        )
    )
