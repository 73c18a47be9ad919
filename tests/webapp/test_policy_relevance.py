"""Search quality on the 30 real documents of ``shared/data/policies.jsonl``.

Each query is what an enterprise might type; the document named is the one a
person would expect among the first three results, for the reason given. The
tests skip, saying why, when the shared data folder is missing.
"""

from __future__ import annotations

from flask import Flask
from policy_fixtures import MAINTAINER, import_real

from conftest import Api
from engine.policies import service
from webapp.extensions import db

# (query, source id of the expected document, why a person expects it)
EXPECTED = [
    (
        "中小企业促进法",
        "lawref-e2bacf556a",
        "the national SME Promotion Law is the document by that very name",
    ),
    (
        "营商环境条例",
        "lawref-2603881458",
        "the State Council's business-environment regulation; two local ones share "
        "the title, so the national one must still be in the top three",
    ),
    (
        "企业名称登记",
        "lawref-252d134d50",
        "the rules on registering enterprise names (企业名称登记管理规定)",
    ),
    (
        "明码标价",
        "lawref-f61c704bdd",
        "the regulation on marked prices and price fraud",
    ),
    (
        "政府采购",
        "lawref-5484210bec",
        "the implementing regulation of the Government Procurement Law; other laws "
        "only mention procurement in passing",
    ),
    (
        "北京招标投标",
        "lawref-62b6d89fc2",
        "Beijing's tendering and bidding regulation: place and subject together",
    ),
    (
        "拖欠中小企业货款",
        "lawref-dc3ec1be6f",
        "owed payments to SMEs are what the payment-guarantee regulation is about, "
        "though it says 款项 and 账款 rather than 货款",
    ),
    (
        "公平竞争审查",
        "lawref-f9cecd5c5e",
        "the fair competition review regulation",
    ),
    (
        "企业破产",
        "lawref-282ffe9f7c",
        "Pudong's rules for a market-based enterprise bankruptcy system",
    ),
    (
        "民营经济发展",
        "lawref-cf3a607c4b",
        "Shandong's private economy promotion regulation, the only one on it",
    ),
    (
        "企业投资项目备案",
        "lawref-6ad828141b",
        "the regulation on approval and filing (核准和备案) of enterprise investment "
        "projects",
    ),
    (
        "房屋租赁备案网上办理",
        "gz-1da2371366",
        "the guide answering whether house-lease registration can be done online",
    ),
    (
        "外地人在广州怎么落户",
        "gz-a9ecfa8bb6",
        "settling in Guangzhou from elsewhere is the points-based household "
        "registration (积分制入户) scheme",
    ),
    (
        "低收入家庭租房",
        "gz-cdcf009728",
        "public rental housing (公共租赁住房) serves low-income families",
    ),
    (
        "养老保险转移",
        "gz-550495e717",
        "the Q&A on transferring enterprise basic pension insurance",
    ),
    (
        "孩子上学积分",
        "gz-8b18c2a70b",
        "Tianhe's guide to points-based school places (积分制入学)",
    ),
]


def test_expected_documents_in_top_three(app: Flask, api: Api) -> None:
    # One import for every query: each test's database setup takes seconds.
    ids = import_real(app)
    missed = []
    for query, expected, reason in EXPECTED:
        response = api.get("/policies", q=query)
        assert response.status_code == 200
        top = [item["id"] for item in response.json["items"][:3]]
        if ids[expected] not in top:
            missed.append(f"{query}: expected {expected} ({reason}), got {top}")
    assert missed == []


def _found(api: Api, query: str) -> list[int]:
    return [item["id"] for item in api.get("/policies", q=query).json["items"]]


def test_a_withdrawn_law_leaves_the_results(app: Flask, api: Api) -> None:
    ids = import_real(app)
    law = ids["lawref-e2bacf556a"]
    found = [
        item["id"] for item in api.get("/policies", q="中小企业促进法").json["items"]
    ]
    assert law in found

    with app.app_context():
        service.withdraw(db.session, law, MAINTAINER, "已被新法替代（测试）")
        db.session.commit()
    found = [
        item["id"] for item in api.get("/policies", q="中小企业促进法").json["items"]
    ]
    assert law not in found and found
