"""A revised appeal flow, built from workflows/appeal.bpmn as a process owner would.

The revision adds a step (核实诉求, ``verify_appeal``) with a new form field
(核实情况, ``verification``) between the department's acceptance and its reply,
and gives departments two working days instead of one to accept (the acceptance
timers change their expressions). The original file is left untouched.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

REPOSITORY = Path(__file__).resolve().parent.parent
APPEAL_BPMN = REPOSITORY / "workflows" / "appeal.bpmn"

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"

NEW_STEP = "verify_appeal"
NEW_STEP_NAME = "核实诉求"
NEW_FIELD = "verification"
NEW_FIELD_LABEL = "核实情况"
NEW_ACCEPT_DAYS = 2


def _one(root: etree._Element, xpath: str) -> etree._Element:
    [node] = root.xpath(xpath, namespaces={"bpmn": BPMN, "di": BPMNDI})
    return node


def _sub(parent: etree._Element, ns: str, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{ns}}}{tag}", attrib=attrs)


def _new_step(process: etree._Element, after: etree._Element) -> None:
    task = etree.Element(
        f"{{{BPMN}}}userTask",
        id=NEW_STEP,
        name=NEW_STEP_NAME,
        attrib={f"{{{CAMUNDA}}}candidateGroups": "${lead_department}"},
    )
    extensions = _sub(task, BPMN, "extensionElements")
    form = _sub(extensions, CAMUNDA, "formData")
    field = _sub(form, CAMUNDA, "formField", id=NEW_FIELD, label=NEW_FIELD_LABEL)
    field.set("type", "text")
    validation = _sub(field, CAMUNDA, "validation")
    _sub(validation, CAMUNDA, "constraint", name="required")
    properties = _sub(extensions, CAMUNDA, "properties")
    _sub(properties, CAMUNDA, "property", name="status", value="handling")
    _sub(task, BPMN, "incoming").text = "f_handle"
    _sub(task, BPMN, "outgoing").text = "f_verified"
    after.addnext(task)


def revised_appeal_bpmn(source: bytes | None = None) -> bytes:
    """workflows/appeal.bpmn with one step added and a longer acceptance deadline."""
    root = etree.fromstring(source or APPEAL_BPMN.read_bytes())
    process = _one(root, "//bpmn:process[@id='appeal']")
    handle = _one(process, "bpmn:userTask[@id='handle_appeal']")
    _new_step(process, after=handle)

    # to_handle -> verify_appeal -> handle_appeal
    _one(process, "bpmn:sequenceFlow[@id='f_handle']").set("targetRef", NEW_STEP)
    _one(handle, "bpmn:incoming[text()='f_handle']").text = "f_verified"
    flow = _sub(process, BPMN, "sequenceFlow", id="f_verified", sourceRef=NEW_STEP)
    flow.set("targetRef", "handle_appeal")
    lane = _one(process, ".//bpmn:lane[@id='lane_department']")
    _sub(lane, BPMN, "flowNodeRef").text = NEW_STEP

    # Two working days to accept instead of one.
    due = f"deadline(dispatched_at, {NEW_ACCEPT_DAYS})"
    _one(
        process, ".//bpmn:boundaryEvent[@id='accept_overdue']//bpmn:timeDate"
    ).text = due
    _one(
        process, ".//bpmn:boundaryEvent[@id='accept_warning']//bpmn:timeDate"
    ).text = f"warning({due})"

    # Where the modeler would draw it.
    plane = _one(root, "//di:BPMNPlane")
    shape = _sub(plane, BPMNDI, "BPMNShape", id=f"{NEW_STEP}_di", bpmnElement=NEW_STEP)
    _sub(shape, DC, "Bounds", x="1460", y="610", width="100", height="60")
    edge = _one(plane, "di:BPMNEdge[@bpmnElement='f_handle']")
    for point in list(edge):
        edge.remove(point)
    for x, y in (("1475", "595"), ("1475", "640"), ("1460", "640")):
        _sub(edge, DI, "waypoint", x=x, y=y)
    edge = _sub(plane, BPMNDI, "BPMNEdge", id="f_verified_di", bpmnElement="f_verified")
    for x, y in (("1560", "640"), ("1625", "640"), ("1625", "610")):
        _sub(edge, DI, "waypoint", x=x, y=y)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
