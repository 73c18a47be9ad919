"""Every branch of the appeal flow (clause 5.2), driven through the JSON API."""

from __future__ import annotations

from conftest import Api, Driver


def test_dispatch_to_one_department_and_close_satisfied(driver: Driver) -> None:
    appeal = driver.submit()
    assert driver.public(appeal)["status"] == "submitted"

    driver.dispatch(appeal.number, "zjj")
    assert driver.public(appeal)["status"] == "handling"
    driver.accept(appeal.number, "zjj")
    driver.reply(appeal.number, "zjj", "已安排市政养护单位疏通排水管网，本周内完成。")
    assert driver.public(appeal)["status"] == "reviewing"
    assert driver.public(appeal)["result"] is None

    driver.review(appeal.number, "publish")
    view = driver.public(appeal)
    assert view["status"] == "published"
    assert view["status_label"] == "已答复"
    assert view["result"] == "已安排市政养护单位疏通排水管网，本周内完成。"

    response = driver.rate(appeal, "satisfied", "处理及时")
    assert response.status_code == 200, response.json
    view = driver.public(appeal)
    assert view["status"] == "closed"
    assert view["status_label"] == "已办结"
    assert view["rating"] == "satisfied"
    texts = [event["text"] for event in view["timeline"]]
    assert texts[0] == "诉求已提交，等待平台研判"
    assert "平台已转派：主办 市住房和城乡建设局" in texts
    assert "服务对象评价：满意" in texts[-1]


def test_dispatch_with_co_handlers(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj", ["rsj", "jtj"])

    # Each department accepts on its own; the lead waits for all of them.
    assert driver.task("handler-rsj", appeal.number, "accept_appeal")
    driver.accept(appeal.number, "zjj", "rsj")
    inbox = api.get("/tasks", user="handler-zjj").json["items"]
    assert [t["step_id"] for t in inbox if t["appeal_number"] == appeal.number] == []
    driver.accept(appeal.number, "jtj")

    for code in ("rsj", "jtj"):
        values = {"opinion": f"{code} 已核实相关情况"}
        driver.complete(f"handler-{code}", appeal.number, "contribute", values)

    # The lead sees the co-handlers' contributions beside the form.
    task = driver.task("handler-zjj", appeal.number, "handle_appeal")
    detail = api.get(f"/tasks/{task['id']}", user="handler-zjj").json
    opinions = {
        c["co_department"]: c["opinion"] for c in detail["data"]["contributions"]
    }
    assert opinions == {"rsj": "rsj 已核实相关情况", "jtj": "jtj 已核实相关情况"}

    driver.reply(appeal.number, "zjj", "经三部门会商，已制定整改方案。")
    driver.review(appeal.number, "publish")
    assert driver.rate(appeal, "basically_satisfied").status_code == 200
    view = driver.public(appeal)
    assert view["status"] == "closed"
    assert "协办 市人力资源和社会保障局、市交通运输局" in view["timeline"][1]["text"]


def test_return_with_reason(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    values = {
        "decision": "return",
        "reason": "诉求内容不完整，请补充具体地点后重新提交。",
    }
    driver.complete("dispatcher", appeal.number, "triage", values)

    view = driver.public(appeal)
    assert view["status"] == "returned"
    assert view["status_label"] == "已退回"
    assert view["result"] == "诉求内容不完整，请补充具体地点后重新提交。"
    inbox = api.get("/tasks", user="dispatcher").json["items"]
    assert all(t["appeal_number"] != appeal.number for t in inbox)


def test_hand_back_goes_to_triage_again(driver: Driver) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "rsj")
    values = {"decision": "hand_back", "explanation": "道路排水不属于人社部门职责。"}
    driver.complete("handler-rsj", appeal.number, "accept_appeal", values)

    assert driver.public(appeal)["status"] == "submitted"
    driver.publish(appeal.number, "zjj", "已处理。")
    texts = [event["text"] for event in driver.public(appeal)["timeline"]]
    assert "市人力资源和社会保障局 认为不属本部门职责，退回平台重新研判" in texts


def test_extension_approved_and_rejected(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    driver.accept(appeal.number, "zjj")

    extend = {"decision": "extend", "extension_days": 5, "material": "需协调施工单位。"}
    driver.complete("handler-zjj", appeal.number, "handle_appeal", extend)
    driver.complete(
        "reviewer", appeal.number, "file_extension", {"decision": "approve"}
    )

    extend["extension_days"] = 3
    driver.complete("handler-zjj", appeal.number, "handle_appeal", extend)
    rejected = {"decision": "reject", "comment": "已延期一次，不再同意。"}
    driver.complete("reviewer", appeal.number, "file_extension", rejected)

    # Either way the department carries on with the handling step.
    task = driver.task("handler-zjj", appeal.number, "handle_appeal")
    detail = api.get(f"/tasks/{task['id']}", user="handler-zjj").json
    assert detail["data"]["approved_extension_days"] == 5
    texts = [event["text"] for event in detail["appeal"]["timeline"]]
    assert texts.count("平台已备案延期申请") == 1
    assert texts.count("平台不同意延期") == 1
    assert "市住房和城乡建设局 申请延期 3 个工作日" in texts


def test_termination(driver: Driver) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    driver.accept(appeal.number, "zjj")
    values = {"decision": "terminate", "reason": "该事项已进入诉讼程序。"}
    driver.complete("handler-zjj", appeal.number, "handle_appeal", values)

    view = driver.public(appeal)
    assert view["status"] == "terminated"
    assert view["status_label"] == "已终止"
    assert view["result"] == "终止办理：该事项已进入诉讼程序。"


def test_send_back_on_review(driver: Driver) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    driver.accept(appeal.number, "zjj")
    driver.reply(appeal.number, "zjj", "已处理。")
    driver.review(appeal.number, "send_back", "答复过于简单，请写明处理措施和时限。")

    assert driver.public(appeal)["status"] == "handling"
    driver.reply(appeal.number, "zjj", "已于12月5日完成管网疏通，并增设两处雨水口。")
    driver.review(appeal.number, "publish")
    assert (
        driver.public(appeal)["result"] == "已于12月5日完成管网疏通，并增设两处雨水口。"
    )


def test_dissatisfied_reopens_then_satisfied(driver: Driver) -> None:
    appeal = driver.submit()
    driver.publish(appeal.number, "zjj", "已处理。")

    assert driver.rate(appeal, "dissatisfied", "问题没有解决").status_code == 200
    view = driver.public(appeal)
    assert view["status"] == "handling"
    assert view["rating"] == "dissatisfied"

    driver.reply(appeal.number, "zjj", "重新勘查后更换了破损管道。")
    driver.review(appeal.number, "publish")
    assert driver.rate(appeal, "satisfied").status_code == 200
    view = driver.public(appeal)
    assert view["status"] == "closed"
    assert view["result"] == "重新勘查后更换了破损管道。"
    assert view["rating"] == "satisfied"


def test_rating_outside_rating_stage_is_refused(driver: Driver) -> None:
    appeal = driver.submit()
    response = driver.rate(appeal, "satisfied")
    assert response.status_code == 409
    assert response.json["error"]["message"] == "该诉求当前不在评价阶段。"


def test_lead_department_cannot_also_be_a_co_department(
    driver: Driver, api: Api
) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    values = {
        "decision": "dispatch",
        "lead_department": "zjj",
        "co_departments": ["zjj", "rsj"],
    }

    response = api.post(
        f"/tasks/{task['id']}/complete", {"values": values}, user="dispatcher"
    )

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors["co_departments"].startswith("主办部门不能同时作为协办部门")
    # Nothing happened: the appeal still waits for triage.
    assert driver.task("dispatcher", appeal.number, "triage")["id"] == task["id"]
