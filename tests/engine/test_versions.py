"""What the version comparison (版本比较) says when a process owner changes a
deadline: the working days before and after, not only that a script changed."""

from __future__ import annotations

from revised_appeal import APPEAL_BPMN, revised_appeal_bpmn
from sqlalchemy.orm import Session

from engine import deployment, versions
from engine.models import ProcessDefinition


def _deploy(session: Session, source: bytes) -> ProcessDefinition:
    deployment.deploy_bytes(session, source, "appeal.bpmn", deployed_by="owner")
    found = deployment.latest(session, "appeal")
    assert found is not None
    return found


def _texts(result: versions.VersionDiff) -> list[str]:
    return [change.text for change in result.of("deadline")]


def test_deadlines_changed_in_a_script_are_told_in_working_days(
    session: Session,
) -> None:
    # The session fixture's app deployed workflows/appeal.bpmn as version 1.
    original = _deploy(session, APPEAL_BPMN.read_bytes())
    source = APPEAL_BPMN.read_text(encoding="utf-8")
    longer = source.replace(
        "accept_due = deadline(dispatched_at, 1)",
        "accept_due = deadline(dispatched_at, 2)",
    ).replace(
        "handling_due = deadline(dispatched_at, 5 if co_departments else 3)",
        "handling_due = deadline(dispatched_at, 6 if co_departments else 4)",
    )
    revised = _deploy(session, longer.encode("utf-8"))

    texts = _texts(versions.diff(original, revised))

    assert "部门签收时限：1 个工作日 → 2 个工作日" in texts
    # The handling deadline is set when dispatching and again when reopening.
    handling = next(text for text in texts if text.startswith("办理答复时限"))
    assert "转派部门时 4 个工作日（有“协办部门”时 6 个工作日）" in handling
    assert "重新办理时 3 个工作日（有“协办部门”时 5 个工作日）" in handling


def test_a_timer_expression_change_keeps_its_expressions(session: Session) -> None:
    original = _deploy(session, APPEAL_BPMN.read_bytes())
    revised = _deploy(session, revised_appeal_bpmn())

    texts = _texts(versions.diff(original, revised))

    assert (
        "部门签收时限：1 个工作日 → 2 个工作日"
        "（计时表达式由 accept_due 改为 deadline(dispatched_at, 2)）"
    ) in texts
    # Timers that did not change are not mentioned.
    assert not any(text.startswith("办理答复时限") for text in texts)


def test_changed_flows_are_named_as_the_diagram_names_them(session: Session) -> None:
    original = _deploy(session, APPEAL_BPMN.read_bytes())
    revised = _deploy(session, revised_appeal_bpmn())
    stricter = APPEAL_BPMN.read_text(encoding="utf-8").replace(
        "len(co_departments) &gt; 0", "len(co_departments) &gt; 1"
    )
    conditioned = _deploy(session, stricter.encode("utf-8"))

    flows = [change.text for change in versions.diff(original, revised).of("flow")]
    logic = versions.diff(revised, conditioned).of("logic")

    assert "新增连线 f_verified：“核实诉求” → “办理答复”" in flows
    assert (
        "连线 “有” 的条件由 len(co_departments) > 0 改为 len(co_departments) > 1"
        in [change.text for change in logic]
    )
