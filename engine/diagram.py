"""Process diagrams (流程图) drawn on the server as SVG from the BPMN's DI.

The diagram interchange part of a BPMN file (``bpmndi``) places every shape and
edge: bounds of pools, lanes, events, gateways and activities, waypoints of flows
and the boxes of their labels. This module draws them with lxml, so that every
piece of text from the file is escaped by the serializer, and the page needs no
JavaScript. Events are circles, gateways diamonds, activities rounded rectangles,
with their Chinese names wrapped to fit.

On an instance, shapes carry the CSS classes ``done`` (completed), ``current``
(waiting for someone) and ``overdue`` (past its deadline); ``STYLE`` colours them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import pairwise, product

from lxml import etree

from engine.parsing import BPMN_NS, safe_parser

logger = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

FONT_SIZE = 12
LINE_HEIGHT = 15
PADDING = 20
# Labels of events, gateways and flows wrap at about eight Chinese characters.
LABEL_WIDTH = 96
# Diagrams at most this wide are shown at their natural size, not stretched.
COMPACT_WIDTH = 700
# Marks an instance can put on a shape, most important last (it wins).
MARKS = ("done", "current", "overdue")

STYLE = """
.bpmn text { font: 12px system-ui, "Noto Sans CJK SC", "Microsoft YaHei", sans-serif;
  fill: #1f2933; }
.bpmn .pool > rect, .bpmn .lane > rect { fill: none; stroke: #7b8794; }
.bpmn .header { fill: #f0f4f8; stroke: #7b8794; }
.bpmn .activity > rect, .bpmn .event > circle, .bpmn .gateway > polygon {
  fill: #fff; stroke: #3e4c59; stroke-width: 1.5; }
.bpmn .event.end > circle.outline { stroke-width: 4; }
.bpmn .event.non-interrupting > circle { stroke-dasharray: 4 3; }
.bpmn .icon { fill: none; stroke: #3e4c59; stroke-width: 1.2; }
.bpmn .flow polyline { fill: none; stroke: #3e4c59; stroke-width: 1.2; }
.bpmn .flow.message polyline { stroke-dasharray: 6 4; }
.bpmn .flow.association polyline { stroke-dasharray: 2 3; }
.bpmn .arrow { fill: #3e4c59; }
.bpmn .done > rect, .bpmn .done > circle, .bpmn .done > polygon {
  fill: #e3f9e5; stroke: #2f855a; }
.bpmn .current > rect, .bpmn .current > circle, .bpmn .current > polygon {
  fill: #dbeafe; stroke: #0b5cad; stroke-width: 3; }
.bpmn .overdue > rect, .bpmn .overdue > circle, .bpmn .overdue > polygon {
  fill: #fde8e8; stroke: #c53030; stroke-width: 3; }
"""

_ACTIVITIES = {
    "task", "userTask", "scriptTask", "serviceTask", "manualTask", "sendTask",
    "receiveTask", "businessRuleTask", "subProcess", "callActivity", "transaction",
}  # fmt: skip
_EVENTS = {
    "startEvent", "endEvent", "boundaryEvent", "intermediateCatchEvent",
    "intermediateThrowEvent",
}  # fmt: skip
_GATEWAYS = {
    "exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○",
    "eventBasedGateway": "◇", "complexGateway": "*",
}  # fmt: skip


@dataclass(frozen=True)
class Box:
    """A rectangle of the diagram, in the file's coordinates."""

    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True)
class _Size:
    width: float
    height: float

    def __iter__(self) -> Iterator[float]:
        return iter((self.width, self.height))


@dataclass(frozen=True)
class _Label:
    """A name to draw in ``parent`` at the first free place of ``candidates``,
    each a box with the name's lines wrapped to fit it."""

    parent: etree._Element
    candidates: list[tuple[Box, list[str]]]


def _unique(layouts: list[list[str]]) -> list[list[str]]:
    return [lines for n, lines in enumerate(layouts) if lines not in layouts[:n]]


def _label_size(lines: list[str]) -> _Size:
    return _Size(max(map(text_width, lines)) + 4, LINE_HEIGHT * len(lines))


def _overlap(one: Box, other: Box) -> bool:
    """Whether two boxes share more than a hairline (a 1px margin is allowed)."""
    return (
        one.x < other.x + other.width - 1
        and other.x < one.x + one.width - 1
        and one.y < other.y + other.height - 1
        and other.y < one.y + one.height - 1
    )


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname


def _box(node: etree._Element | None) -> Box | None:
    bounds = node.find(f"{{{DC_NS}}}Bounds") if node is not None else None
    if bounds is None:
        return None
    try:
        return Box(
            *(float(bounds.get(key, "0")) for key in ("x", "y", "width", "height"))
        )
    except ValueError:
        return None


def text_width(text: str) -> float:
    """Approximate width in pixels: CJK characters are square, others narrower."""
    return sum(FONT_SIZE if ord(char) > 0x2E80 else FONT_SIZE * 0.6 for char in text)


def wrap(text: str, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (Chinese breaks anywhere)."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for char in paragraph:
            if line and text_width(line + char) > width:
                lines.append(line.rstrip())
                line = char.lstrip()
            else:
                line += char
        lines.append(line)
    return [line for line in lines if line] or [""]


class _Drawing:
    """Builds one SVG document from a parsed BPMN file."""

    def __init__(self, root: etree._Element, marks: Mapping[str, str]) -> None:
        self.root = root
        self.marks = marks
        self.elements = {
            node.get("id"): node
            for node in root.iter(f"{{{BPMN_NS}}}*")
            if node.get("id") is not None
        }
        self.extent: list[float] = []
        # Shapes labels must not cover, and labels waiting to be placed once
        # every shape is known (see _place_labels).
        self.obstacles: list[Box] = []
        self.pending: list[_Label] = []
        self.svg = etree.Element(
            f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS}, attrib={"class": "bpmn"}
        )
        defs = etree.SubElement(self.svg, f"{{{SVG_NS}}}defs")
        marker = self._add(
            defs,
            "marker",
            id="arrow",
            viewBox="0 0 10 10",
            refX="10",
            refY="5",
            markerWidth="7",
            markerHeight="7",
            orient="auto-start-reverse",
        )
        self._add(marker, "path", d="M0,0 L10,5 L0,10 z", **{"class": "arrow"})
        self.layers = {
            name: self._add(self.svg, "g", **{"class": name})
            for name in ("containers", "flows", "shapes")
        }

    def _add(
        self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str
    ) -> etree._Element:
        node = etree.SubElement(parent, f"{{{SVG_NS}}}{tag}", attrib=attrs)
        if text is not None:
            node.text = text
        return node

    def _grow(self, *points: tuple[float, float]) -> None:
        for x, y in points:
            self.extent.extend((x, y))

    def draw(self) -> etree._Element:
        plane = self.root.find(f".//{{{BPMNDI_NS}}}BPMNPlane")
        if plane is None:
            self._add(
                self.svg, "text", "该流程文件没有图形信息（BPMN DI）", x="10", y="20"
            )
            self.svg.set("viewBox", "0 0 400 40")
            self.svg.set("width", "400")
            self.svg.set("height", "40")
            self.svg.set("class", "bpmn compact")
            return self.svg
        for shape in plane.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
            self._shape(shape)
        for edge in plane.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
            self._edge(edge)
        self._place_labels()
        self._frame()
        return self.svg

    def _frame(self) -> None:
        xs, ys = self.extent[0::2] or [0.0], self.extent[1::2] or [0.0]
        left, top = min(xs) - PADDING, min(ys) - PADDING
        width, height = max(xs) - left + PADDING, max(ys) - top + PADDING
        self.svg.set("viewBox", f"{left:g} {top:g} {width:g} {height:g}")
        # The natural size; pages scale it to their width in CSS (see
        # webapp/static/admin.css), keeping the proportions of the viewBox.
        self.svg.set("width", f"{width:g}")
        self.svg.set("height", f"{height:g}")
        if width <= COMPACT_WIDTH:
            self.svg.set("class", "bpmn compact")

    def _shape(self, shape: etree._Element) -> None:
        box = _box(shape)
        element = self.elements.get(shape.get("bpmnElement"))
        if box is None or element is None:
            return
        self._grow((box.x, box.y), (box.x + box.width, box.y + box.height))
        kind = _local(element)
        name = element.get("name") or ""
        element_id = element.get("id", "")
        classes = [kind]
        mark = self.marks.get(element_id)
        if mark in MARKS:
            classes.append(mark)

        if kind in {"participant", "lane"}:
            group_class = "pool" if kind == "participant" else "lane"
            group = self._add(self.layers["containers"], "g", id=f"shape-{element_id}")
            group.set("class", " ".join([group_class, *classes]))
            self._add(group, "title", name or element_id)
            self._container(group, box, name)
            return

        self.obstacles.append(box)  # no label may cover a step, event or gateway
        if kind in _EVENTS:
            group = self._group(element_id, ["event", *classes], name)
            self._event(group, element, box)
            self._label(shape, box, name, below=True)
        elif kind in _GATEWAYS:
            group = self._group(element_id, ["gateway", *classes], name)
            self._gateway(group, kind, box)
            self._label(shape, box, name, below=True)
        elif kind in _ACTIVITIES:
            group = self._group(element_id, ["activity", *classes], name)
            self._add(
                group,
                "rect",
                x=f"{box.x:g}",
                y=f"{box.y:g}",
                width=f"{box.width:g}",
                height=f"{box.height:g}",
                rx="10",
            )
            self._lines(group, wrap(name, box.width - 10), box.cx, box.cy)
        else:
            group = self._group(element_id, ["artifact", *classes], name)
            self._add(
                group,
                "rect",
                x=f"{box.x:g}",
                y=f"{box.y:g}",
                width=f"{box.width:g}",
                height=f"{box.height:g}",
            )
            text = name or "".join(element.itertext()).strip()
            self._lines(group, wrap(text, box.width - 6), box.cx, box.cy)

    def _group(self, element_id: str, classes: list[str], name: str) -> etree._Element:
        group = self._add(self.layers["shapes"], "g", id=f"shape-{element_id}")
        group.set("class", " ".join(["shape", *classes]))
        self._add(group, "title", name or element_id)
        return group

    def _container(self, group: etree._Element, box: Box, name: str) -> None:
        attrs = {"x": f"{box.x:g}", "y": f"{box.y:g}"}
        self._add(
            group, "rect", width=f"{box.width:g}", height=f"{box.height:g}", **attrs
        )
        self._add(group, "rect", width="30", height=f"{box.height:g}", **attrs).set(
            "class", "header"
        )
        # Horizontal pools and lanes have their name written upwards on the left.
        cx, cy = box.x + 15, box.cy
        label = self._add(group, "g", transform=f"rotate(-90 {cx:g} {cy:g})")
        self._lines(label, wrap(name, box.height - 10)[:1], cx, cy)

    def _event(self, group: etree._Element, element: etree._Element, box: Box) -> None:
        r = min(box.width, box.height) / 2
        circle = {"cx": f"{box.cx:g}", "cy": f"{box.cy:g}"}
        self._add(group, "circle", r=f"{r:g}", **circle).set("class", "outline")
        kind = _local(element)
        if kind in {
            "boundaryEvent",
            "intermediateCatchEvent",
            "intermediateThrowEvent",
        }:
            self._add(group, "circle", r=f"{r - 3:g}", **circle)
        if kind == "boundaryEvent" and element.get("cancelActivity") == "false":
            group.set("class", group.get("class", "") + " non-interrupting")
        if kind == "endEvent":
            group.set("class", group.get("class", "") + " end")
        if element.find(f"{{{BPMN_NS}}}timerEventDefinition") is not None:
            self._clock(group, box, r - 7)
        if element.find(f"{{{BPMN_NS}}}terminateEventDefinition") is not None:
            dot = self._add(group, "circle", r=f"{r - 8:g}", **circle)
            dot.set("class", "arrow")

    def _clock(self, group: etree._Element, box: Box, r: float) -> None:
        face = self._add(
            group, "circle", cx=f"{box.cx:g}", cy=f"{box.cy:g}", r=f"{r:g}"
        )
        face.set("class", "icon")
        top, right = box.cy - r + 2, box.cx + r - 3
        hands = f"M{box.cx:g},{top:g} L{box.cx:g},{box.cy:g} L{right:g},{box.cy:g}"
        self._add(group, "path", d=hands).set("class", "icon")

    def _gateway(self, group: etree._Element, kind: str, box: Box) -> None:
        points = [
            (box.cx, box.y),
            (box.x + box.width, box.cy),
            (box.cx, box.y + box.height),
            (box.x, box.cy),
        ]
        self._add(group, "polygon", points=" ".join(f"{x:g},{y:g}" for x, y in points))
        symbol = self._add(
            group, "text", _GATEWAYS[kind], x=f"{box.cx:g}", y=f"{box.cy + 7:g}"
        )
        symbol.set("text-anchor", "middle")
        symbol.set("font-size", "20")

    def _label(self, shape: etree._Element, box: Box, name: str, below: bool) -> None:
        """Queue the name of an event or gateway: below it, else beside it."""
        if not name:
            return
        lines = wrap(name, LABEL_WIDTH)
        size = _label_size(lines)
        given = _box(shape.find(f"{{{BPMNDI_NS}}}BPMNLabel"))
        gap = 3
        candidates = [
            Box(box.cx - size.width / 2, box.y + box.height + gap, *size),
            Box(box.cx - size.width / 2, box.y - gap - size.height, *size),
            Box(box.x + box.width + gap, box.cy - size.height / 2, *size),
            Box(box.x - gap - size.width, box.cy - size.height / 2, *size),
        ]
        if given is not None:
            candidates.insert(0, Box(given.cx - size.width / 2, given.y, *size))
        if not below:
            candidates.insert(0, candidates.pop(2))
        parent = self._add(self.layers["shapes"], "g")
        parent.set("class", "label")
        self.pending.append(_Label(parent, [(c, lines) for c in candidates]))

    def _edge_label(
        self,
        parent: etree._Element,
        edge: etree._Element,
        points: list[tuple[float, float]],
        name: str,
    ) -> None:
        """Queue the name of a flow: beside its first segments, near its start.

        On one line first, then on two when a short segment between two shapes
        has no room for the long line; a step further from the line each time.
        """
        given = _box(edge.find(f"{{{BPMNDI_NS}}}BPMNLabel"))
        candidates = []
        for lines in _unique([wrap(name, LABEL_WIDTH), wrap(name, LABEL_WIDTH / 2)]):
            width, height = _label_size(lines)
            if given is not None:
                candidates.append(
                    (Box(given.cx - width / 2, given.y, width, height), lines)
                )
            for (x1, y1), (x2, y2) in list(pairwise(points))[:3]:
                horizontal = abs(y2 - y1) <= abs(x2 - x1)
                for share, away in product((0.5, 0.25, 0.75), (3, 3 + LINE_HEIGHT)):
                    x, y = x1 + (x2 - x1) * share, y1 + (y2 - y1) * share
                    if horizontal:  # above, then below
                        spots = [
                            (x - width / 2, y - away - height),
                            (x - width / 2, y + away),
                        ]
                    else:  # right, then left
                        spots = [
                            (x + away, y - height / 2),
                            (x - away - width, y - height / 2),
                        ]
                    candidates.extend(
                        (Box(left, top, width, height), lines) for left, top in spots
                    )
        self.pending.append(_Label(parent, candidates))

    def _place_labels(self) -> None:
        """Put each label at its first place clear of shapes and earlier labels.

        The modeler's own label bounds come first; a label that fits nowhere
        keeps its first place (a crowded layout still shows every name).
        """
        taken = list(self.obstacles)
        for label in self.pending:
            spot, lines = next(
                (
                    (box, lines)
                    for box, lines in label.candidates
                    if not any(_overlap(box, other) for other in taken)
                ),
                label.candidates[0],
            )
            taken.append(spot)
            self._grow((spot.x, spot.y), (spot.x + spot.width, spot.y + spot.height))
            self._lines(label.parent, lines, spot.cx, spot.cy)

    def _lines(
        self, parent: etree._Element, lines: list[str], cx: float, cy: float
    ) -> None:
        """Centred lines of text around (cx, cy)."""
        first = cy - LINE_HEIGHT * (len(lines) - 1) / 2 + FONT_SIZE / 3
        text = self._add(parent, "text", x=f"{cx:g}", y=f"{first:g}")
        text.set("text-anchor", "middle")
        for number, line in enumerate(lines):
            span = self._add(text, "tspan", line, x=f"{cx:g}")
            if number:
                span.set("dy", f"{LINE_HEIGHT}")

    def _edge(self, edge: etree._Element) -> None:
        points = []
        for point in edge.iter(f"{{{DI_NS}}}waypoint"):
            try:
                points.append((float(point.get("x", "")), float(point.get("y", ""))))
            except ValueError:
                continue
        element = self.elements.get(edge.get("bpmnElement"))
        if len(points) < 2 or element is None:
            return
        self._grow(*points)
        kind = _local(element)
        classes = {"messageFlow": "message", "association": "association"}
        group = self._add(self.layers["flows"], "g", id=f"flow-{element.get('id')}")
        group.set("class", " ".join(["flow", classes.get(kind, "sequence")]))
        line = self._add(
            group, "polyline", points=" ".join(f"{x:g},{y:g}" for x, y in points)
        )
        if kind != "association":
            line.set("marker-end", "url(#arrow)")
        name = element.get("name") or ""
        if name:
            self._edge_label(group, edge, points, name)


def render(
    source: bytes, marks: Mapping[str, str] | None = None, *, standalone: bool = False
) -> str:
    """The SVG of a deployed BPMN file, as text.

    ``marks`` maps element ids to ``done``, ``current`` or ``overdue``. A
    ``standalone`` document carries its own stylesheet (to be served as a file);
    otherwise the page that embeds it links ``STYLE``.
    """
    root = etree.fromstring(source, safe_parser())
    svg = _Drawing(root, marks or {}).draw()
    if standalone:
        style = etree.Element(f"{{{SVG_NS}}}style")
        style.text = STYLE
        svg.insert(0, style)
    return etree.tostring(svg, encoding="unicode")


def shape_ids(source: bytes) -> list[str]:
    """The ids of the elements the file's DI places, in document order."""
    root = etree.fromstring(source, safe_parser())
    return [
        shape.get("bpmnElement", "") for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape")
    ]


def merge_marks(*layers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Combine marks; a later, more important mark wins (overdue over current)."""
    merged: dict[str, str] = {}
    for layer in layers:
        for element_id, mark in layer:
            if MARKS.index(mark) >= MARKS.index(merged.get(element_id, "done")):
                merged[element_id] = mark
    return merged
