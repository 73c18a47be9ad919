"""What the API tells people when something is wrong, and that nothing changes then."""

from __future__ import annotations

import json
import threading

from flask import Flask

from conftest import VALID_APPEAL, Api, Driver


def test_double_completion_is_refused_and_changes_nothing(
    driver: Driver, api: Api
) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    body = {"values": {"decision": "dispatch", "lead_department": "zjj"}}

    first = api.post(f"/tasks/{task['id']}/complete", body, user="dispatcher")
    second = api.post(f"/tasks/{task['id']}/complete", body, user="dispatcher")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json["error"]["code"] == "conflict"
    assert "请勿重复提交" in second.json["error"]["message"]
    # Still exactly one acceptance task: the second submit did not advance again.
    inbox = api.get("/tasks", user="handler-zjj").json["items"]
    assert [t["step_id"] for t in inbox if t["appeal_number"] == appeal.number] == [
        "accept_appeal"
    ]


def test_two_people_completing_one_task_at_once(driver: Driver, app: Flask) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    tokens = {u: driver.api.login(u) for u in ("dispatcher", "dispatcher2")}
    leads = {"dispatcher": "zjj", "dispatcher2": "rsj"}
    statuses: dict[str, int] = {}

    def submit(user: str) -> None:
        client = app.test_client()
        response = client.post(
            f"/api/v1/tasks/{task['id']}/complete",
            json={"values": {"decision": "dispatch", "lead_department": leads[user]}},
            headers={"Authorization": f"Bearer {tokens[user]}"},
        )
        statuses[user] = response.status_code

    threads = [threading.Thread(target=submit, args=(user,)) for user in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [200, 409]
    winner = next(user for user, status in statuses.items() if status == 200)
    lead = leads[winner]
    other = "rsj" if lead == "zjj" else "zjj"
    assert driver.task(f"handler-{lead}", appeal.number, "accept_appeal")
    other_inbox = driver.api.get("/tasks", user=f"handler-{other}").json["items"]
    assert all(t["appeal_number"] != appeal.number for t in other_inbox)


def test_task_claimed_by_someone_else(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")

    assert api.post(f"/tasks/{task['id']}/claim", user="dispatcher").status_code == 200
    claim = api.post(f"/tasks/{task['id']}/claim", user="dispatcher2")
    assert claim.status_code == 409
    body = {"values": {"decision": "return", "reason": "重复诉求"}}
    complete = api.post(f"/tasks/{task['id']}/complete", body, user="dispatcher2")
    assert complete.status_code == 409
    assert driver.public(appeal)["status"] == "submitted"

    # The claimed task leaves the colleague's inbox but stays in the claimant's.
    assert all(
        t["id"] != task["id"]
        for t in api.get("/tasks", user="dispatcher2").json["items"]
    )
    assert (
        driver.task("dispatcher", appeal.number, "triage")["assignee"] == "dispatcher"
    )


def test_completing_an_unclaimed_task_claims_it(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    result = driver.complete(
        "dispatcher", appeal.number, "triage", {"decision": "return", "reason": "重复"}
    )
    assert result["assignee"] == "dispatcher"
    assert result["completed_by"] == "dispatcher"


def test_wrong_department_may_not_complete(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    task = driver.task("handler-zjj", appeal.number, "accept_appeal")
    body = {"values": {"decision": "accept"}}
    response = api.post(f"/tasks/{task['id']}/complete", body, user="handler-rsj")
    assert response.status_code == 403
    assert response.json["error"]["message"] == "您所在的岗位或部门不能办理该任务。"


def test_invalid_form_lists_every_field_error(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    body = {
        "values": {
            "decision": "dispatch",
            "co_departments": ["zjj", "nosuch"],
            "reson": "typo",
        }
    }
    response = api.post(f"/tasks/{task['id']}/complete", body, user="dispatcher")

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {
        "reson": "表单中没有这个字段",
        "co_departments": "部门 nosuch 不存在或已停用",
        "lead_department": "请填写“主办部门”",
    }
    # Nothing moved: the task is still open in the dispatcher's inbox.
    assert driver.task("dispatcher", appeal.number, "triage")["state"] == "open"


def test_form_types_and_limits(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    driver.dispatch(appeal.number, "zjj")
    driver.accept(appeal.number, "zjj")
    task = driver.task("handler-zjj", appeal.number, "handle_appeal")
    body = {"values": {"decision": "extend", "extension_days": "九十", "material": ""}}
    response = api.post(f"/tasks/{task['id']}/complete", body, user="handler-zjj")
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {
        "extension_days": "请填写整数",
        "material": "请填写“延期书面材料”",
    }

    body = {"values": {"decision": "extend", "extension_days": 90, "material": "x"}}
    response = api.post(f"/tasks/{task['id']}/complete", body, user="handler-zjj")
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {"extension_days": "不能大于 30"}

    body = {"values": {"decision": "escalate"}}
    response = api.post(f"/tasks/{task['id']}/complete", body, user="handler-zjj")
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {"decision": "请从以下选项中选择：办结答复、申请延期、终止办理"}


def test_task_detail_describes_the_form(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    detail = api.get(f"/tasks/{task['id']}", user="dispatcher").json

    fields = {f["id"]: f for f in detail["form"]["fields"]}
    assert list(fields) == ["decision", "lead_department", "co_departments", "reason"]
    assert fields["decision"]["required"] is True
    assert [o["id"] for o in fields["decision"]["options"]] == ["dispatch", "return"]
    assert fields["co_departments"]["type"] == "departments"
    assert {o["id"] for o in fields["lead_department"]["options"]} == {
        "zjj",
        "rsj",
        "jtj",
        "gxj",
    }
    assert detail["appeal"]["content"] == VALID_APPEAL["content"]
    assert detail["appeal_number"] == appeal.number


def test_submission_errors_are_listed_in_chinese(api: Api) -> None:
    bad = {**VALID_APPEAL, "credit_code": "91321100MA1N2K3L4X", "phone": "12345"}
    del bad["title"]
    response = api.post("/appeals", bad)

    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert set(errors) == {"credit_code", "phone", "title"}
    assert errors["title"] == "请填写“诉求标题”"
    assert "校验位" in errors["credit_code"]


def test_hotline_operator_sets_channel_hotline(driver: Driver, api: Api) -> None:
    appeal = driver.submit(user="hotline", channel="pc")
    assert driver.public(appeal)["channel"] == "hotline"
    anonymous = driver.submit(channel="hotline")
    assert driver.public(anonymous)["channel"] == "pc"


def test_public_lookup_refuses_wrong_code_like_unknown_number(
    driver: Driver, api: Api
) -> None:
    appeal = driver.submit()
    wrong = api.get(f"/appeals/{appeal.number}", query_code="ABCDEFGH")
    unknown = api.get("/appeals/20991231-9999", query_code=appeal.query_code)
    missing = api.get(f"/appeals/{appeal.number}")

    assert wrong.status_code == unknown.status_code == missing.status_code == 404
    assert wrong.json == unknown.json == missing.json
    # Codes are read out over the phone: case and spaces do not matter.
    spaced = appeal.query_code.lower()[:4] + " " + appeal.query_code.lower()[4:]
    assert api.get(f"/appeals/{appeal.number}", query_code=spaced).status_code == 200


def test_public_lookup_never_shows_personal_data(driver: Driver) -> None:
    appeal = driver.submit()
    driver.publish(appeal.number, "zjj", "已处理。")

    text = json.dumps(driver.public(appeal), ensure_ascii=False)
    for private in ("enterprise_name", "credit_code", "contact_name", "phone"):
        assert VALID_APPEAL[private] not in text
    assert VALID_APPEAL["content"] not in text
    assert "handler-zjj" not in text and "dispatcher" not in text


def test_tokens(api: Api) -> None:
    wrong = api.client.post(
        "/api/v1/auth/token", json={"username": "dispatcher", "password": "nope"}
    )
    assert wrong.status_code == 401
    assert wrong.json["error"]["message"] == "用户名或密码错误。"
    forged = api.client.get(
        "/api/v1/tasks", headers={"Authorization": "Bearer forged.token.value"}
    )
    assert forged.status_code == 401
    assert api.get("/tasks").status_code == 401
    bad_json = api.client.post(
        "/api/v1/appeals", data="not json", content_type="application/json"
    )
    assert bad_json.status_code == 400


def test_departments(api: Api) -> None:
    response = api.get("/departments")
    assert response.json["items"][0] == {"code": "gxj", "name": "市工业和信息化局"}


def test_unknown_api_path_answers_json(api: Api) -> None:
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json["error"] == {
        "code": "http_404",
        "message": "请求的地址不存在。",
    }
    wrong_method = api.client.delete("/api/v1/appeals")
    assert wrong_method.status_code == 405
    assert wrong_method.json["error"]["code"] == "http_405"


def test_channel_is_checked(api: Api) -> None:
    for channel in ("import", ["pc"], "fax"):
        response = api.post("/appeals", {**VALID_APPEAL, "channel": channel})
        assert response.status_code == 422
        assert response.json["error"]["fields"] == [
            {"field": "channel", "message": "渠道应为 pc、mobile 或 hotline"}
        ]


def test_outsiders_learn_nothing_about_a_task(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    api.post(f"/tasks/{task['id']}/claim", user="dispatcher")

    for path in ("claim", "complete"):
        response = api.post(
            f"/tasks/{task['id']}/{path}", {"values": {}}, user="handler-zjj"
        )
        assert response.status_code == 403
        assert "dispatcher" not in response.json["error"]["message"]
    assert api.get(f"/tasks/{task['id']}", user="handler-zjj").status_code == 404


def test_task_answers_carry_the_appeal_title(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    claimed = api.post(f"/tasks/{task['id']}/claim", user="dispatcher").json
    assert claimed["title"] == VALID_APPEAL["title"]
    assert claimed["group_name"] == "转派岗"


def test_invisible_characters_are_refused(api: Api) -> None:
    control = api.post("/appeals", {**VALID_APPEAL, "contact_name": "刘\u202e建国"})
    nul = api.post("/appeals", {**VALID_APPEAL, "title": "厂区\x00道路"})

    for response, field in ((control, "contact_name"), (nul, "title")):
        assert response.status_code == 422
        assert response.json["error"]["fields"] == [
            {
                "field": field,
                "message": "含有不可见的控制字符或无法识别的字符，请删除后重新填写",
            }
        ]


def test_deeply_nested_json_is_a_bad_request(api: Api) -> None:
    body = "[" * 100_000 + "]" * 100_000
    response = api.client.post(
        "/api/v1/appeals", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["error"]["message"] == "请求体应为 JSON 对象。"


def test_oversized_body_is_refused(api: Api) -> None:
    body = {**VALID_APPEAL, "content": "长" * (5 * 1024 * 1024)}
    response = api.post("/appeals", body)
    assert response.status_code == 413
    assert response.json["error"]["message"] == "请求内容过大。"


def test_text_fields_take_text_only(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    body = {
        "values": {
            "decision": "dispatch",
            "lead_department": "zjj",
            "co_departments": "rsj",
            "reason": 12345,
        }
    }
    response = api.post(f"/tasks/{task['id']}/complete", body, user="dispatcher")
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {"co_departments": "请提供部门编码列表", "reason": "请填写文字"}


def test_bearer_scheme_is_case_insensitive(api: Api) -> None:
    token = api.login("dispatcher")
    response = api.client.get(
        "/api/v1/tasks", headers={"Authorization": f"bearer {token}"}
    )
    assert response.status_code == 200


def test_inbox_pages_and_finds_an_appeal(driver: Driver, api: Api) -> None:
    numbers = [driver.submit().number for _ in range(3)]

    first = api.get("/tasks", user="dispatcher", limit=2).json
    second = api.get("/tasks", user="dispatcher", limit=2, offset=2).json
    assert first["total"] == second["total"] == 3
    seen = [t["appeal_number"] for t in first["items"] + second["items"]]
    assert seen == numbers  # oldest first while no task has a deadline

    found = api.get("/tasks", user="dispatcher", appeal_number=numbers[-1]).json
    assert [t["appeal_number"] for t in found["items"]] == [numbers[-1]]


def test_admin_frees_a_task_held_by_someone_absent(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    api.post(f"/tasks/{task['id']}/claim", user="dispatcher")

    assert (
        api.post(f"/tasks/{task['id']}/release", user="dispatcher2").status_code == 403
    )
    released = api.post(f"/tasks/{task['id']}/release", user="admin")
    assert released.status_code == 200
    assert released.json["assignee"] is None
    assert driver.task("dispatcher2", appeal.number, "triage")["assignee"] is None


def test_lone_surrogates_anywhere_are_a_bad_request(driver: Driver, api: Api) -> None:
    login = api.client.post(
        "/api/v1/auth/token",
        data='{"username": "\\udc80", "password": "x"}',
        content_type="application/json",
    )
    assert login.status_code == 400
    assert "无法识别的字符" in login.json["error"]["message"]

    appeal = driver.submit()
    rating = api.client.post(
        f"/api/v1/appeals/{appeal.number}/rating",
        data='{"query_code": "\\ud800", "rating": "satisfied"}',
        content_type="application/json",
    )
    assert rating.status_code == 400


def test_department_fields_take_codes_only(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    values = {
        "decision": "dispatch",
        "lead_department": ["zjj"],
        "co_departments": [["zjj"]],
    }
    response = api.post(
        f"/tasks/{task['id']}/complete", {"values": values}, user="dispatcher"
    )
    errors = {e["field"]: e["message"] for e in response.json["error"]["fields"]}
    assert errors == {
        "lead_department": "请选择一个部门",
        "co_departments": "请提供部门编码列表",
    }


def test_admin_may_release_but_not_work_a_task(driver: Driver, api: Api) -> None:
    appeal = driver.submit()
    task = driver.task("dispatcher", appeal.number, "triage")
    assert api.post(f"/tasks/{task['id']}/claim", user="admin").status_code == 403
    body = {"values": {"decision": "return", "reason": "测试"}}
    assert (
        api.post(f"/tasks/{task['id']}/complete", body, user="admin").status_code == 403
    )
    assert driver.public(appeal)["status"] == "submitted"


def test_paging_parameters_are_checked(api: Api) -> None:
    for params in ({"limit": 0}, {"limit": 501}, {"limit": "abc"}, {"offset": -1}):
        response = api.get("/tasks", user="dispatcher", **params)
        assert response.status_code == 400, params
    assert api.get("/tasks", user="dispatcher", limit=500).json["limit"] == 500


def test_inbox_options_are_checked(api: Api) -> None:
    cases = [
        {"sort": "bogus"},
        {"overdue": "maybe"},
        {"limit": "１"},
        {"offset": 9223372036854775808},
    ]
    for params in cases:
        assert api.get("/tasks", user="dispatcher", **params).status_code == 400, params
