"""Comment phrases (审批意见常用语) drawn in the BPMN, offered on the task form."""

from __future__ import annotations

from flask import Flask

from conftest import APPEAL_BPMN, Driver, signed_in
from engine import deployment
from engine.parsing import parse_file
from webapp.extensions import db


def test_every_human_step_of_the_appeal_flow_has_phrases() -> None:
    steps = parse_file(APPEAL_BPMN).steps
    staff_steps = [step for step in steps.values() if step.id != "rate_result"]

    assert all(step.phrases for step in staff_steps)
    assert steps["file_extension"].phrases == [
        "延期理由充分，同意备案。",
        "延期理由不充分，请按期办结。",
    ]


def test_a_phrase_edited_in_the_modeler_shows_after_redeploying(
    pages: Flask, driver: Driver
) -> None:
    source = APPEAL_BPMN.read_text(encoding="utf-8").replace(
        'value="已电话联系企业核实情况。"', 'value="已约企业负责人面谈。"'
    )
    with pages.app_context():
        deployment.deploy_bytes(
            db.session, source.encode("utf-8"), "appeal.bpmn", deployed_by="owner"
        )
        db.session.commit()
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]

    page = signed_in(pages, "dispatcher").get(f"/tasks/{task_id}").text

    assert '<option value="已约企业负责人面谈。">已约企业负责人面谈。</option>' in page
    assert "已电话联系企业核实情况。" not in page
    assert "phrases.js" in page


def test_without_javascript_the_chosen_phrase_becomes_the_comment(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    form = {
        "decision": "dispatch",
        "lead_department": "zjj",
        "phrase": "诉求属实，请主办部门依职责办理。",
        "comment": "请于本周内联系企业。",
    }

    response = signed_in(pages, "dispatcher").post(f"/tasks/{task_id}", data=form)

    assert response.status_code == 302
    detail = signed_in(pages, "dispatcher").get(f"/staff/appeals/{appellant.number}")
    assert "意见：</span>诉求属实，请主办部门依职责办理。请于本周内联系企业。" in (
        detail.text
    )
