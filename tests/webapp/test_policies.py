"""Policy information: maintainers' pages with their audit trail, search with
filters and highlighting, withdrawal, consultation as an appeal, the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from policy_fixtures import add_maintainer, publish
from sqlalchemy import select, text

from conftest import VALID_APPEAL, Api, signed_in
from engine.appeals.models import Appeal
from engine.models import AuditEntry, HumanTask
from engine.policies import search
from engine.policies.models import Policy
from webapp.extensions import db


@pytest.fixture
def pages(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with a maintainer and CSRF checks off, so tests can post forms."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    add_maintainer(app)
    return app


def form(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "policy",
        "title": "镇江市促进外贸企业稳订单拓市场若干措施",
        "issuing_body": "镇江市商务局",
        "document_number": "镇商发〔2026〕8号",
        "level": "municipal",
        "published_on": "2026-04-01",
        "industries": ["批发和零售业", "制造业"],
        "body": "对参加境外展会的外贸企业，按展位费的50%给予补贴。",
        "attachments": "申报表.docx https://example.gov.cn/a.docx",
    }
    values.update(changes)
    return values


def titles(api: Api, **params: Any) -> list[str]:
    response = api.get("/policies", **params)
    assert response.status_code == 200, response.json
    return [item["title"] for item in response.json["items"]]


def test_maintainer_writes_publishes_and_withdraws_with_a_trail(
    pages: Flask, api: Api
) -> None:
    staff = signed_in(pages, "maintainer")

    # A mistake: the form comes back with the error and what was typed.
    response = staff.post("/staff/policies/new", data=form(published_on="2026-13-01"))
    assert response.status_code == 422
    assert "“发布日期”应为日期" in response.text
    assert "镇江市促进外贸企业稳订单拓市场若干措施" in response.text

    response = staff.post("/staff/policies/new", data=form())
    assert response.status_code == 302
    policy_id = int(re.findall(r"/staff/policies/(\d+)/edit", response.location)[0])
    # A draft is neither found nor shown.
    assert titles(api, q="外贸") == []
    assert pages.test_client().get(f"/policies/{policy_id}").status_code == 404

    staff.post(f"/staff/policies/{policy_id}/publish")
    assert titles(api, q="外贸 展会") == ["镇江市促进外贸企业稳订单拓市场若干措施"]
    page = pages.test_client().get(f"/policies/{policy_id}")
    assert page.status_code == 200
    assert "镇商发〔2026〕8号" in page.text and "申报表.docx" in page.text

    # An edit of the title is searchable at once, the old word no longer.
    changed = form(title="镇江市支持跨境电商发展若干措施", body="跨境电商海外仓补贴。")
    assert (
        staff.post(f"/staff/policies/{policy_id}/edit", data=changed).status_code == 302
    )
    assert titles(api, q="跨境电商") == ["镇江市支持跨境电商发展若干措施"]
    assert titles(api, q="展会") == []

    # Withdrawing needs a reason; then the item is gone from search and its page.
    staff.post(f"/staff/policies/{policy_id}/withdraw", data={"reason": ""})
    assert titles(api, q="跨境电商") == ["镇江市支持跨境电商发展若干措施"]
    staff.post(f"/staff/policies/{policy_id}/withdraw", data={"reason": "已废止"})
    assert titles(api, q="跨境电商") == []
    assert titles(api) == []
    assert pages.test_client().get(f"/policies/{policy_id}").status_code == 410
    gone = api.get(f"/policies/{policy_id}")
    assert gone.status_code == 404 and gone.json["error"]["code"] == "withdrawn"

    with pages.app_context():
        trail = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.business_key == f"policy:{policy_id}")
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.actor) for e in trail] == [
            ("policy_create", "maintainer"),
            ("policy_publish", "maintainer"),
            ("policy_update", "maintainer"),
            ("policy_withdraw", "maintainer"),
        ]
        assert trail[2].comment == "修改：标题、正文"
        assert trail[3].values == {"reason": "已废止"}
    history = staff.get(f"/staff/policies/{policy_id}/edit").text
    assert "撤回政策文件：已废止" in history


def test_only_maintainers_reach_the_maintenance_pages(pages: Flask) -> None:
    dispatcher = signed_in(pages, "dispatcher")
    assert dispatcher.get("/staff/policies").status_code == 404
    assert dispatcher.post("/staff/policies/new", data=form()).status_code == 404
    with pages.app_context():
        assert db.session.scalar(select(Policy.id)) is None
    anonymous = pages.test_client().get("/staff/policies")
    assert anonymous.status_code == 302 and "/login" in anonymous.location


def test_filters_narrow_the_results(app: Flask, api: Api) -> None:
    publish(app)  # municipal, 制造业, 2026-03-01
    publish(
        app,
        title="江苏省制造业企业研发费用补助办法",
        issuing_body="江苏省工业和信息化厅",
        level="provincial",
        published_on="2025-06-01",
        industries=["制造业", "科学研究和技术服务业"],
    )
    publish(
        app,
        title="京口区商贸企业纾困补助办法",
        issuing_body="京口区商务局",
        level="district",
        published_on="2026-05-01",
        industries=["批发和零售业"],
        body="对受影响的批发和零售业企业给予制造业同等补助。",
    )

    assert len(titles(api, q="补助")) == 3
    assert titles(api, q="补助", level="provincial") == [
        "江苏省制造业企业研发费用补助办法"
    ]
    assert titles(api, q="补助", issuer="商务局") == ["京口区商贸企业纾困补助办法"]
    assert set(titles(api, q="补助", industry="制造业")) == {
        "镇江市支持制造业智能化改造若干措施",
        "江苏省制造业企业研发费用补助办法",
    }
    assert titles(api, date_from="2026-01-01", date_to="2026-04-30") == [
        "镇江市支持制造业智能化改造若干措施"
    ]
    # Without a query: newest first.
    assert titles(api)[0] == "京口区商贸企业纾困补助办法"

    bad = api.get("/policies", date_from="2026-02-30", level="galactic")
    assert bad.status_code == 422
    fields = {error["field"] for error in bad.json["error"]["fields"]}
    assert fields == {"date_from", "level"}
    page = app.test_client().get("/policies?q=补助&date_from=2026-02-30")
    assert page.status_code == 422 and "“发布日期起”应为日期" in page.text


def test_results_are_paged_and_highlighted_safely(app: Flask, api: Api) -> None:
    for number in range(12):
        publish(
            app,
            title=f"第{number + 1}批专精特新企业奖励名单公示",
            body=f"<b>公示</b>：对认定的专精特新企业给予奖励。编号{number}",
        )

    first = api.get("/policies", q="专精特新 奖励").json
    assert (first["total"], first["pages"], len(first["items"])) == (12, 2, 10)
    second = api.get("/policies", q="专精特新 奖励", page=2).json
    assert len(second["items"]) == 2
    seen = {item["id"] for item in first["items"] + second["items"]}
    assert len(seen) == 12

    snippet = first["items"][0]["snippet"]
    assert "<mark>专精特新</mark>" in snippet and "<mark>奖励</mark>" in snippet
    assert "&lt;b&gt;公示&lt;/b&gt;" in snippet and "<b>" not in snippet
    assert "<mark>专精特新</mark>" in first["items"][0]["title_highlighted"]

    html = app.test_client().get("/policies?q=专精特新").text
    assert "<mark>专精特新</mark>" in html and "&lt;b&gt;" in html
    assert 'href="/policies?page=2&amp;q=' in html or "page=2" in html


def test_a_page_after_the_last_says_so_and_leads_back(pages: Flask, api: Api) -> None:
    app = pages
    for number in range(12):
        publish(app, title=f"第{number + 1}批技术改造项目补助名单", body="补助。")

    beyond = api.get("/policies", q="技术改造", page=99).json
    assert beyond["items"] == []
    assert (beyond["total"], beyond["page"], beyond["pages"]) == (12, 99, 2)

    page = app.test_client().get("/policies?q=技术改造&page=99")
    assert page.status_code == 200
    assert "没有第 99 页：共 12 条结果，只有 2 页。" in page.text
    assert 'id="first-page" href="/policies?page=1&amp;q=' in page.text
    assert 'id="last-page" href="/policies?page=2&amp;q=' in page.text
    # No "previous page" leading to page 98, which is just as empty.
    assert "上一页" not in page.text
    last = app.test_client().get("/policies?q=技术改造&page=2").text
    assert "第 2 / 2 页" in last and "没有第" not in last

    nothing = app.test_client().get("/policies?q=火星&page=3").text
    assert "没有第 3 页：没有找到结果。" in nothing and 'id="first-page"' in nothing

    # The maintainers' list: the same message and way back.
    staff = signed_in(app, "maintainer").get("/staff/policies?page=9").text
    assert "没有第 9 页：共 1 页。" in staff
    assert 'id="first-page" href="/staff/policies?status=&amp;page=1"' in staff


def test_a_word_missing_everywhere_falls_back_to_any_word(app: Flask, api: Api) -> None:
    publish(app)
    response = api.get("/policies", q="智能化改造 火星").json
    assert response["matched_all"] is False
    assert [item["title"] for item in response["items"]] == [
        "镇江市支持制造业智能化改造若干措施"
    ]
    assert api.get("/policies", q="火星").json["total"] == 0


def test_one_character_finds_the_items_containing_it(app: Flask, api: Api) -> None:
    publish(app, title="镇江市个人所得税专项附加扣除操作指引", body="按月预扣预缴。")
    publish(app, title="镇江市工业用地弹性出让办法", body="工业项目用地可先租后让。")
    publish(
        app,
        title="镇江市小微企业普惠贷款贴息办法",
        body="贴息资金不计入企业应纳税所得额。",
        published_on="2026-05-01",
    )

    # 税 stands inside 所得税 and 纳税: jieba indexes neither as 税 alone.
    found = api.get("/policies", q="税").json
    assert (found["total"], found["matched_all"]) == (2, True)
    # The item with the character in its title first, then the newest.
    assert [item["title"] for item in found["items"]] == [
        "镇江市个人所得税专项附加扣除操作指引",
        "镇江市小微企业普惠贷款贴息办法",
    ]
    assert "<mark>税</mark>" in found["items"][1]["snippet"]
    assert titles(api, q="地") == ["镇江市工业用地弹性出让办法"]
    # Two single characters: items with both, else items with either.
    assert titles(api, q="税 贴") == ["镇江市小微企业普惠贷款贴息办法"]
    either = api.get("/policies", q="租 扣").json
    assert (either["total"], either["matched_all"]) == (2, False)
    assert titles(api, q="钨") == []

    page = app.test_client().get("/policies?q=地").text
    assert "“地”共找到 1 条" in page
    assert "镇江市工业<mark>地</mark>" not in page
    assert "工业用<mark>地</mark>弹性出让办法" in page


def test_open_application_windows_are_marked(app: Flask, api: Api) -> None:
    publish(
        app,
        kind="notice",
        title="关于申报数字化转型项目的通知",
        apply_from="2020-01-01",
        apply_until="2099-12-31",
    )
    publish(
        app,
        kind="notice",
        title="关于申报上年度外贸补助的通知",
        apply_from="2020-01-01",
        apply_until="2020-02-01",
    )
    items = api.get("/policies", kind="notice").json["items"]
    marked = {item["title"]: item["window_open"] for item in items}
    assert marked == {
        "关于申报数字化转型项目的通知": True,
        "关于申报上年度外贸补助的通知": False,
    }
    page = app.test_client().get("/policies?kind=notice").text
    assert page.count("申报中") == 1


def test_interpretations_link_to_their_policy(app: Flask, api: Api) -> None:
    policy_id = publish(app)
    explained = publish(
        app,
        kind="interpretation",
        parent_id=str(policy_id),
        title="一图读懂智能化改造补助",
        industries=[],
    )
    detail = api.get(f"/policies/{policy_id}").json
    assert [item["id"] for item in detail["interpretations"]] == [explained]
    page = app.test_client().get(f"/policies/{explained}").text
    assert f'href="/policies/{policy_id}"' in page


def test_consultation_becomes_a_linked_appeal_in_triage(pages: Flask, api: Api) -> None:
    policy_id = publish(pages)
    client = pages.test_client()
    question = {
        name: VALID_APPEAL[name]
        for name in ("enterprise_name", "credit_code", "contact_name", "phone")
    }
    question["title"] = "咨询：智能化改造补助"
    question["content"] = "我公司去年购置的设备能否申请本次补助？"

    # A bad phone number: the policy page comes back with the error, text kept.
    refused = client.post(
        f"/policies/{policy_id}/consult", data={**question, "phone": "12"}
    )
    assert refused.status_code == 422
    assert "我公司去年购置的设备能否申请本次补助？" in refused.text
    with pages.app_context():
        assert db.session.scalar(select(Appeal.id)) is None

    answered = client.post(f"/policies/{policy_id}/consult", data=question)
    assert answered.status_code == 200
    number = re.findall(r'id="appeal-number">([^<]+)<', answered.text)[0]
    with pages.app_context():
        appeal = db.session.scalars(select(Appeal).where(Appeal.number == number)).one()
        assert (appeal.category, appeal.policy_id) == ("政策咨询", policy_id)
        triage = db.session.scalars(
            select(HumanTask).where(
                HumanTask.business_key == number, HumanTask.state == HumanTask.OPEN
            )
        ).one()
        assert (triage.step_id, triage.candidate_group) == ("triage", "dispatcher")

    detail = signed_in(pages, "dispatcher").get(f"/staff/appeals/{number}").text
    assert f'href="/policies/{policy_id}"' in detail


def test_postgresql_search_uses_the_gin_index(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("the GIN index and its query plan exist on PostgreSQL only")
    publish(app)
    with app.app_context():
        # Five thousand other items, so that the planner weighs a real table
        # (on a handful of rows a sequential scan is rightly cheaper).
        db.session.execute(
            text(
                "INSERT INTO policy (kind, title, issuing_body, level, published_on,"
                " industries, enterprise_sizes, body, status, title_tokens,"
                " body_tokens, created_by, updated_by, created_at, updated_at)"
                " SELECT 'policy', '填充 ' || n, '某局', 'municipal',"
                " DATE '2020-01-01', '', '', '填充', 'published', '填充 ' || n,"
                " '其他 词语 ' || n,"
                " 'tests', 'tests', now(), now() FROM generate_series(1, 5000) AS n"
            )
        )
        # New entries wait in the GIN index's pending list, which the planner
        # counts as slow to read; a VACUUM would merge them, outside a
        # transaction, as autovacuum does in production.
        for index in ("ix_policy_search_vector", "ix_policy_character_vector"):
            db.session.execute(text(f"SELECT gin_clean_pending_list('{index}')"))
        db.session.execute(text("ANALYZE policy"))

        def plan_of(query: str) -> str:
            statement = search._ranked(
                search._filtered(search.Filters()),
                search.query_terms(query),
                "postgresql",
                every=True,
            )
            sql = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            return "\n".join(db.session.scalars(text(f"EXPLAIN {sql}")))

        plan = plan_of("智能化改造")
        # A one-character query goes through the character index instead.
        character_plan = plan_of("械")
        found = search.search(db.session, "智能化改造")
        titles = [hit.policy.title for hit in found.hits]
        db.session.rollback()
    assert "ix_policy_search_vector" in plan, plan
    assert "Seq Scan on policy" not in plan, plan
    assert titles == ["镇江市支持制造业智能化改造若干措施"]
    assert "ix_policy_character_vector" in character_plan, character_plan
    assert "Seq Scan on policy" not in character_plan, character_plan
