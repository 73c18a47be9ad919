"""Deploying definitions: validation with located problems, versions, idempotence."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from conftest import APPEAL_BPMN, bpmn_fixture
from engine import deployment
from engine.errors import DefinitionInvalid
from engine.models import AuditEntry, ProcessDefinition


def _count(session: Session) -> int:
    return session.scalar(select(func.count(ProcessDefinition.id))) or 0


def _deploy(session: Session, source: bytes, name: str = "test.bpmn") -> Any:
    return deployment.deploy_bytes(session, source, name, deployed_by="owner")


def test_versions_and_identical_redeploy(session: Session) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="total = amount * 2")
    first = _deploy(session, source)
    again = _deploy(session, source)
    changed = _deploy(session, source.replace("金额".encode(), "总金额".encode()))

    assert (first.created, first.definition.version) == (True, 1)
    assert (again.created, again.definition.id) == (False, first.definition.id)
    assert (changed.created, changed.definition.version) == (True, 2)
    assert changed.definition.steps["fill"]["form"][0]["label"] == "总金额"
    assert first.definition.checksum != changed.definition.checksum
    assert changed.definition.source == source.replace(
        "金额".encode(), "总金额".encode()
    )
    trail = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "deploy", AuditEntry.business_key.like("simple%"))
        .order_by(AuditEntry.id)
    )
    assert [entry.business_key for entry in trail] == ["simple:v1", "simple:v2"]


def test_the_appeal_flow_deploys_with_its_steps(session: Session) -> None:
    definition = deployment.latest(session, "appeal")
    assert definition is not None
    assert definition.source == APPEAL_BPMN.read_bytes()
    assert set(definition.steps) == {
        "triage",
        "accept_appeal",
        "contribute",
        "handle_appeal",
        "file_extension",
        "review_reply",
        "rate_result",
        "follow_up",
        "escalate_acceptance",
        "escalate_contribution",
        "escalate_handling",
    }
    assert definition.markers["handle_overdue"] == {
        "marks": "overdue",
        "attached_to": "handle_appeal",
    }
    assert definition.steps["accept_appeal"]["candidate_group"] == "${department}"
    assert definition.steps["triage"]["lane"] == "平台转派"
    assert definition.statuses["returned"] == "returned"


def test_script_that_imports_is_refused_with_its_location(session: Session) -> None:
    before = _count(session)
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="import os")

    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, source, "hostile.bpmn")

    [problem] = raised.value.problems
    assert (problem.file, problem.element) == ("hostile.bpmn", "compute")
    assert problem.line == 26
    assert problem.message == "流程脚本不允许导入模块（import）。"
    assert _count(session) == before


def test_every_problem_is_reported_at_once(session: Session) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="", SCRIPT="total = (")
    source = source.replace(b'type="long"', b'type="money"')

    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, source)

    messages = sorted(p.message for p in raised.value.problems)
    assert len(messages) == 3
    assert messages[0].startswith("人工步骤必须在 camunda:candidateGroups")
    assert "类型 “money” 未知" in messages[1]
    assert messages[2].startswith("表达式语法错误")
    assert "test.bpmn:11 <fill>" in raised.value.message


def test_a_broken_flow_still_reports_its_steps_and_unknown_groups(
    session: Session,
) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")
    source = source.replace(b'targetRef="compute"', b'targetRef="nowhere"')
    source = source.replace(b'type="long"', b'type="money"')
    before = _count(session)

    with pytest.raises(DefinitionInvalid) as raised:
        deployment.deploy_many(
            session, [(source, "two.bpmn")], deployed_by="owner", check_groups=True
        )

    messages = [p.message for p in raised.value.problems]
    assert len(messages) == 3, messages
    assert "nowhere" in messages[0]
    assert "类型 “money” 未知" in messages[1]
    assert messages[2].startswith("办理岗位或部门“clerk”不是已知的角色或部门代码")
    assert _count(session) == before


def test_broken_xml_and_schema_errors_name_the_line(session: Session) -> None:
    with pytest.raises(DefinitionInvalid) as broken:
        _deploy(session, b"<bpmn:definitions>\n  <oops\n")
    assert broken.value.problems[0].message.startswith("不是合法的 XML")
    assert broken.value.problems[0].line is not None

    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")
    source = source.replace(b'sourceRef="start" ', b"")
    with pytest.raises(DefinitionInvalid) as invalid:
        _deploy(session, source)
    assert invalid.value.problems[0].message.startswith("不符合 BPMN 2.0 规范")
    assert invalid.value.problems[0].line == 10


def test_hostile_xml_is_refused_without_reading_files(session: Session) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, bpmn_fixture("entity_expansion.bpmn"))
    assert raised.value.problems[0].message == "BPMN 文件不允许包含 DTD 或实体声明"
    assert "root:" not in raised.value.message


def test_oversized_file_is_refused(session: Session) -> None:
    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, b" " * (3 * 1024 * 1024))
    assert raised.value.problems[0].message == "文件超过 2048 KB 上限"


def test_option_ids_may_not_collide_with_element_ids(session: Session) -> None:
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")
    source = source.replace(
        b'<camunda:formField id="amount" label="\xe9\x87\x91\xe9\xa2\x9d" type="long">',
        b'<camunda:formField id="compute" label="x" type="long">',
    )
    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, source)
    assert "compute" in raised.value.message


def _with_new_kinds(source: bytes, *, field: str, process: str) -> bytes:
    """simple.bpmn with ``field`` added to its form and ``process`` properties."""
    source = source.replace(
        b"</camunda:formData>", field.encode() + b"</camunda:formData>"
    )
    return source.replace(
        b'isExecutable="true">',
        b'isExecutable="true"><bpmn:extensionElements><camunda:properties>'
        + process.encode()
        + b"</camunda:properties></bpmn:extensionElements>",
    )


def test_credit_code_records_fields_and_task_titles_deploy(session: Session) -> None:
    field = """
      <camunda:formField id="code" label="统一社会信用代码" type="credit_code">
        <camunda:properties><camunda:property id="refuse-message" value="不行" />
        </camunda:properties>
        <camunda:validation>
          <camunda:constraint name="refuse-when" config="record_status('x', code)" />
        </camunda:validation>
      </camunda:formField>
      <camunda:formField id="past" label="历史" type="records">
        <camunda:properties>
          <camunda:property id="collection" value="history" />
          <camunda:property id="match" value="code" />
          <camunda:property id="columns" value="event:事项,detail:说明" />
        </camunda:properties>
        <camunda:validation><camunda:constraint name="readonly" /></camunda:validation>
      </camunda:formField>"""
    process = '<camunda:property name="titleVariable" value="code" />'
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")

    result = _deploy(session, _with_new_kinds(source, field=field, process=process))

    assert result.definition.properties == {"titleVariable": "code"}
    (past,) = [f for f in result.definition.steps["fill"]["form"] if f["id"] == "past"]
    assert past["type"] == "records"


def test_misdrawn_records_refusals_and_titles_are_refused(session: Session) -> None:
    field = """
      <camunda:formField id="past" label="历史" type="records">
        <camunda:validation>
          <camunda:constraint name="refuse-when" config="code ==" />
        </camunda:validation>
      </camunda:formField>"""
    process = '<camunda:property name="businessKeyVariable" value="the key" />'
    source = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="x = 1")

    with pytest.raises(DefinitionInvalid) as raised:
        _deploy(session, _with_new_kinds(source, field=field, process=process))

    messages = sorted(p.message for p in raised.value.problems)
    assert any("只能只读" in m for m in messages)
    assert any("缺少属性：collection、match、columns" in m for m in messages)
    assert any(m.startswith("表达式语法错误") for m in messages)
    assert any("businessKeyVariable" in m and "the key" in m for m in messages)
