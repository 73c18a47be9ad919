"""Staff pages with the Flask test client: inbox, claiming, task forms, access."""

from __future__ import annotations

from datetime import datetime

import time_machine
from click.testing import CliRunner
from flask import Flask

from conftest import APPEAL_BPMN, Driver, signed_in
from engine import deployment
from engine.clock import SHANGHAI
from webapp.cli import main
from webapp.extensions import db


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def dispatch_form(**changes: object) -> dict[str, object]:
    form: dict[str, object] = {
        "decision": "dispatch",
        "lead_department": "zjj",
        "comment": "诉求属实，请主办部门依职责办理。",
    }
    form.update(changes)
    return form


def test_inbox_lists_tasks_with_due_times_and_badges(
    pages: Flask, driver: Driver
) -> None:
    with time_machine.travel(at("2026-11-30 10:00"), tick=False):
        first = driver.submit()
        driver.dispatch(first.number, "zjj")
    with time_machine.travel(at("2026-12-02 10:00"), tick=False):
        driver.api.tokens.clear()
        second = driver.submit(title="园区路灯不亮")
        driver.dispatch(second.number, "zjj")

    with time_machine.travel(at("2026-12-03 09:00"), tick=False):
        result = CliRunner().invoke(
            main,
            ["timers", "run-once"],
            env={"BANGBAN_DATABASE_URL": pages.config["SQLALCHEMY_DATABASE_URI"]},
        )
        assert result.exit_code == 0, result.output
        client = signed_in(pages, "handler-zjj")
        page = client.get("/inbox").text

        assert page.index(first.number) < page.index(second.number)
        assert "厂区道路积水影响通行" in page and "园区路灯不亮" in page
        assert "部门签收" in page and "市住房和城乡建设局" in page
        # Each deadline is the end of its last working day, not the next 00:00.
        assert "2026-12-01 24:00" in page and "2026-12-03 24:00" in page
        assert "2026-12-02 00:00" not in page
        assert page.count('class="badge overdue">超期') == 1
        assert page.count('class="badge warned">预警') == 1
        assert 'data-label="办理时限"' in page
        assert "共 2 条，第 1/1 页" in page

        latest_first = client.get("/inbox?sort=-due").text
        assert latest_first.index(second.number) < latest_first.index(first.number)
        overdue = client.get("/inbox?overdue=1").text
        assert first.number in overdue and second.number not in overdue
        assert "共 1 条" in overdue

        escalations = signed_in(pages, "dispatcher").get("/inbox").text
        assert '<option value="escalate_acceptance"' in escalations
        only = signed_in(pages, "dispatcher").get("/inbox?step=escalate_acceptance")
        assert "督办：签收超期" in only.text and "共 1 条" in only.text


def test_claim_and_release(pages: Flask, driver: Driver) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    mine = signed_in(pages, "dispatcher")
    other = signed_in(pages, "dispatcher2")

    page = mine.get("/inbox").text
    assert "认领" in page and "退回待办池" not in page

    response = mine.post(f"/tasks/{task_id}/claim", data={"next": "/inbox?sort=-due"})
    assert response.headers["Location"] == "/inbox?sort=-due"
    page = mine.get("/inbox").text
    assert f"已认领：{appellant.number} 研判转派" in page
    assert "退回待办池" in page

    # The colleague no longer sees it, and cannot take it.
    assert appellant.number not in other.get("/inbox").text
    other.post(f"/tasks/{task_id}/claim")
    assert "该任务已由 dispatcher 认领，请刷新后查看。" in other.get("/inbox").text
    other.post(f"/tasks/{task_id}/release")
    assert "只能退回自己认领的任务。" in other.get("/inbox").text

    response = mine.post(f"/tasks/{task_id}/release", data={"next": "//evil.test/"})
    assert response.headers["Location"] == "/inbox"
    assert f"已退回待办池：{appellant.number} 研判转派" in mine.get("/inbox").text
    assert appellant.number in other.get("/inbox").text


def test_triage_form_renders_decisions_and_departments(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]

    page = signed_in(pages, "dispatcher").get(f"/tasks/{task_id}").text

    assert 'type="radio" name="decision" value="dispatch"' in page
    assert "转派部门办理" in page and "退回诉求" in page
    assert '<select id="field-lead_department" name="lead_department"' in page
    assert '<option value="zjj" >市住房和城乡建设局</option>' in page
    assert 'type="checkbox" name="co_departments" value="rsj"' in page
    assert '<textarea id="field-reason" name="reason" maxlength="1000"' in page
    assert '研判结果 <span class="required">*</span>' in page
    assert 'name="csrf_token"' in page
    assert '<select id="phrase" name="phrase"' in page
    # The appeal beside the form, contact data included, and its timeline.
    assert "园区南门道路每逢下雨积水严重" in page
    assert "镇江恒泰精密机械有限公司" in page and "138 0529 1234" in page
    assert "诉求已提交，等待平台研判" in page and "待研判" in page


def test_invalid_submit_shows_every_error_and_keeps_values(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    client = signed_in(pages, "dispatcher")

    empty = client.post(f"/tasks/{task_id}", data={})
    assert empty.status_code == 422
    assert "请填写“研判结果”" in empty.text

    form = dispatch_form(
        lead_department="", co_departments=["rsj", "jtj"], reason="长" * 1001
    )
    response = client.post(f"/tasks/{task_id}", data=form)

    assert response.status_code == 422
    page = response.text
    assert "提交的内容有误，请按提示修改后重新提交。" in page
    assert '<p class="field-error" id="field-lead_department-error">' in page
    assert "请填写“主办部门”" in page
    assert "不能超过 1000 个字（现有 1001 个）" in page
    assert 'value="dispatch"\n          checked' in page
    assert 'value="rsj"\n          checked' in page
    assert 'value="jtj"\n          checked' in page
    assert 'value="gxj"\n           >' in page
    assert "长" * 1001 in page
    assert 'value="诉求属实，请主办部门依职责办理。"' in page
    # Nothing moved.
    assert driver.task("dispatcher", appellant.number, "triage")["id"] == task_id


def test_valid_dispatch_moves_the_appeal(pages: Flask, driver: Driver) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    client = signed_in(pages, "dispatcher")

    form = dispatch_form(co_departments=["rsj"])
    response = client.post(f"/tasks/{task_id}", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/inbox"
    assert "已提交：研判转派" in client.get("/inbox").text

    lead_inbox = signed_in(pages, "handler-zjj").get("/inbox").text
    assert appellant.number in lead_inbox and "部门签收" in lead_inbox
    assert appellant.number in signed_in(pages, "handler-rsj").get("/inbox").text
    accept = driver.task("handler-zjj", appellant.number, "accept_appeal")
    page = signed_in(pages, "handler-zjj").get(f"/tasks/{accept['id']}").text
    assert "平台已转派：主办 市住房和城乡建设局，协办 市人力资源和社会保障局" in page
    assert "意见：</span>诉求属实，请主办部门依职责办理。" in page
    assert "签收办理" in page and "非本部门职责，退回平台" in page


def test_double_submit_is_a_conflict_and_changes_nothing(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    client = signed_in(pages, "dispatcher")
    assert client.post(f"/tasks/{task_id}", data=dispatch_form()).status_code == 302
    assert "已提交：研判转派" in client.get("/inbox").text

    again = client.post(f"/tasks/{task_id}", data=dispatch_form(lead_department="rsj"))

    assert again.status_code == 302 and again.headers["Location"] == "/inbox"
    page = client.get("/inbox").text
    assert "该任务已由 dispatcher 办理完毕，请勿重复提交。" in page
    assert "已提交" not in page
    zjj = driver.api.get("/tasks", user="handler-zjj").json["items"]
    assert [t["step_id"] for t in zjj] == ["accept_appeal"]
    assert driver.api.get("/tasks", user="handler-rsj").json["items"] == []
    # The completed task stays readable, without a form, for who worked it.
    done = client.get(f"/tasks/{task_id}").text
    assert "该任务已由 dispatcher 于" in done and 'name="decision"' not in done


def test_other_departments_get_404_and_overseers_read_only(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")
    task_id = driver.task("handler-zjj", appellant.number, "accept_appeal")["id"]

    outsider = signed_in(pages, "handler-rsj")
    response = outsider.get(f"/tasks/{task_id}")
    assert response.status_code == 404 and "页面不存在" in response.text
    assert "镇江恒泰" not in response.text
    posted = outsider.post(f"/tasks/{task_id}", data={"decision": "accept"})
    assert posted.status_code == 404
    assert signed_in(pages, "hotline").get(f"/tasks/{task_id}").status_code == 404
    assert outsider.get("/tasks/no-such-task").status_code == 404
    assert outsider.post("/tasks/no-such-task").status_code == 404

    overseer = signed_in(pages, "dispatcher").get(f"/tasks/{task_id}")
    assert overseer.status_code == 200
    assert "您可以查看该任务，但不能办理" in overseer.text
    assert 'name="decision"' not in overseer.text
    assert "镇江恒泰精密机械有限公司" in overseer.text

    # Still open for the department.
    assert driver.task("handler-zjj", appellant.number, "accept_appeal")["id"] == (
        task_id
    )


def test_lead_department_sees_contributions_and_acceptances(
    pages: Flask, driver: Driver
) -> None:
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj", ["rsj"])
    driver.accept(appellant.number, "zjj", "rsj")
    driver.complete(
        "handler-rsj", appellant.number, "contribute", {"opinion": "社保补贴可申请。"}
    )
    task_id = driver.task("handler-zjj", appellant.number, "handle_appeal")["id"]

    page = signed_in(pages, "handler-zjj").get(f"/tasks/{task_id}").text

    assert "协办意见" in page
    assert "<dt>市人力资源和社会保障局</dt><dd>社保补贴可申请。</dd>" in page
    assert "部门签收" in page and "<dd>签收办理</dd>" in page
    assert '<input id="field-extension_days" name="extension_days" type="number"' in (
        page
    )


def test_a_field_added_in_the_bpmn_shows_after_redeploying(
    pages: Flask, driver: Driver
) -> None:
    source = APPEAL_BPMN.read_text(encoding="utf-8")
    marker = '<camunda:formField id="lead_department"'
    assert source.count(marker) == 1
    changed = source.replace(
        marker,
        '<camunda:formField id="visit_date" label="走访日期" type="date" />' + marker,
    )
    with pages.app_context():
        deployment.deploy_bytes(
            db.session, changed.encode("utf-8"), "appeal.bpmn", deployed_by="owner"
        )
        db.session.commit()

    appellant = driver.submit()
    task_id = driver.task("dispatcher", appellant.number, "triage")["id"]
    client = signed_in(pages, "dispatcher")
    page = client.get(f"/tasks/{task_id}").text
    assert "走访日期" in page
    assert '<input id="field-visit_date" name="visit_date" type="date"' in page

    bad = client.post(f"/tasks/{task_id}", data=dispatch_form(visit_date="12/03"))
    assert bad.status_code == 422 and "日期格式应为 年-月-日" in bad.text
    assert 'value="12/03"' in bad.text
    good = client.post(f"/tasks/{task_id}", data=dispatch_form(visit_date="2026-12-03"))
    assert good.status_code == 302
