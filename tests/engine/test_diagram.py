"""The appeal flow's diagram as people read it: names clear of the shapes and of
each other, and a drawing that scales to the page's width."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from engine import diagram
from engine.diagram import FONT_SIZE, LINE_HEIGHT, Box, text_width

SVG = "{http://www.w3.org/2000/svg}"
APPEAL_BPMN = Path(__file__).resolve().parents[2] / "workflows" / "appeal.bpmn"


def _shape_box(group: etree._Element) -> Box:
    rect = group.find(f"{SVG}rect")
    if rect is not None:
        x, y, w, h = (float(rect.get(k, "0")) for k in ("x", "y", "width", "height"))
        return Box(x, y, w, h)
    circle = group.find(f"{SVG}circle")
    if circle is not None:
        cx, cy, r = (float(circle.get(k, "0")) for k in ("cx", "cy", "r"))
        return Box(cx - r, cy - r, 2 * r, 2 * r)
    points = [
        tuple(map(float, pair.split(",")))
        for pair in group.find(f"{SVG}polygon").get("points", "").split()
    ]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))


def _text_box(text: etree._Element) -> tuple[str, Box]:
    """Where a centred, possibly wrapped name sits (as diagram._lines puts it)."""
    lines = [span.text or "" for span in text.iter(f"{SVG}tspan")]
    width = max(map(text_width, lines))
    first = float(text.get("y", "0"))
    top = first - FONT_SIZE / 3 - LINE_HEIGHT / 2
    cx = float(text.get("x", "0"))
    return "".join(lines), Box(cx - width / 2, top, width, LINE_HEIGHT * len(lines))


def _overlap(one: Box, other: Box) -> bool:
    return (
        one.x < other.x + other.width - 2
        and other.x < one.x + one.width - 2
        and one.y < other.y + other.height - 2
        and other.y < one.y + one.height - 2
    )


def test_names_in_the_appeal_flow_cover_no_shape_and_no_other_name() -> None:
    svg = etree.fromstring(diagram.render(APPEAL_BPMN.read_bytes()).encode())
    shapes = {
        group.get("id"): _shape_box(group)
        for group in svg.iter(f"{SVG}g")
        if "shape" in (group.get("class") or "").split()
    }
    labels = [
        _text_box(text)
        for group in svg.iter(f"{SVG}g")
        if {"label", "flow"} & set((group.get("class") or "").split())
        for text in group.findall(f"{SVG}text")
    ]
    # The file itself puts an end event (已预警) on top of an activity; its
    # name has nowhere free to go and is the one exception.
    crowded = {
        shape_id
        for shape_id, box in shapes.items()
        if any(_overlap(box, o) for i, o in shapes.items() if i != shape_id)
    }
    crowded_names = {"已预警"} if crowded else set()

    clashes = [
        (name, shape_id)
        for name, box in labels
        for shape_id, shape in shapes.items()
        if name not in crowded_names and _overlap(box, shape)
    ]
    clashes += [
        (name, other)
        for index, (name, box) in enumerate(labels)
        for other, other_box in labels[index + 1 :]
        if _overlap(box, other_box)
    ]
    assert clashes == []
    names = {name for name, _ in labels}
    assert {"退回", "转派", "满意或基本满意", "5个工作日未评价"} <= names


def test_a_small_diagram_keeps_its_size_and_a_wide_one_may_scale() -> None:
    wide = etree.fromstring(diagram.render(APPEAL_BPMN.read_bytes()).encode())
    small_file = APPEAL_BPMN.parents[1] / "tests" / "data" / "simple.bpmn"
    small = etree.fromstring(diagram.render(small_file.read_bytes()).encode())

    # The pages' CSS scales a diagram by its viewBox to the card's width, except
    # a compact one, which is never stretched beyond its natural size.
    _, _, width, height = map(float, wide.get("viewBox", "").split())
    assert (wide.get("width"), wide.get("height")) == (f"{width:g}", f"{height:g}")
    assert wide.get("class") == "bpmn"
    assert small.get("class") == "bpmn compact"
