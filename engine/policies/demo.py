"""Demo policy information for ``bangban init --demo``, written for this project.

Fictitious texts in the style of a city's enterprise policies, each marked as a
demo (演示) in its title; a fresh clone needs nothing else. The dates of the
project notices are set around the day of loading, so that one application
window is open and one has closed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.clock import local, now
from engine.policies import service
from engine.policies.models import Policy
from engine.runtime import Actor

logger = logging.getLogger(__name__)

DEMO_ACTOR = Actor("maintainer", frozenset({service.MAINTAINER}))
DEMO_KEY = "demo:"

_SPECIALISED = {
    "key": "specialised",
    "kind": "policy",
    "title": "【演示】镇江市支持中小企业专精特新发展若干措施",
    "issuing_body": "镇江市工业和信息化局",
    "document_number": "镇工信发〔2026〕12号",
    "level": "municipal",
    "published_on": "2026-03-15",
    "valid_from": "2026-04-01",
    "valid_until": "2028-12-31",
    "industries": ["制造业", "信息传输、软件和信息技术服务业"],
    "enterprise_sizes": ["中型", "小型", "微型"],
    "body": (
        "（本文为演示数据，不是真实政策。）\n\n"
        "为引导中小企业走专业化、精细化、特色化、新颖化发展道路，制定以下措施。\n\n"
        "一、梯度培育。对首次认定为省级专精特新中小企业的，给予一次性奖励20万元；"
        "首次认定为国家级专精特新“小巨人”企业的，给予一次性奖励50万元。\n\n"
        "二、研发投入。企业年度研发费用增长超过20%的，按增量部分的10%给予补助，"
        "最高100万元。\n\n"
        "三、融资支持。专精特新企业申请首贷、信用贷款的，市级风险补偿资金池按损失"
        "金额的50%给予补偿。\n\n"
        "四、人才引进。企业引进的高层次人才，享受人才公寓和子女入学等服务保障。"
    ),
}

_GRADUATES = {
    "key": "graduates",
    "kind": "policy",
    "title": "【演示】镇江市吸纳高校毕业生就业社会保险补贴实施办法",
    "issuing_body": "镇江市人力资源和社会保障局",
    "document_number": "镇人社规〔2026〕3号",
    "level": "municipal",
    "published_on": "2026-02-10",
    "valid_from": "2026-03-01",
    "industries": [],
    "enterprise_sizes": ["小型", "微型"],
    "body": (
        "（本文为演示数据，不是真实政策。）\n\n"
        "第一条 为鼓励小微企业吸纳高校毕业生就业，对招用毕业年度及离校两年内未就业"
        "高校毕业生、签订一年以上劳动合同并为其缴纳社会保险费的小微企业，给予社保补贴。\n\n"
        "第二条 补贴标准为企业为高校毕业生实际缴纳的基本养老保险、基本医疗保险和失业"
        "保险费，补贴期限最长不超过一年。\n\n"
        "第三条 企业通过政务服务网在线申请，提交劳动合同和社保缴费明细，人社部门"
        "审核后将补贴拨付至企业对公账户。\n\n"
        "第四条 稳岗返还、一次性吸纳就业补贴与本补贴可以同时享受。"
    ),
}

_GRADUATES_EXPLAINED = {
    "key": "graduates-explained",
    "kind": "interpretation",
    "parent": "graduates",
    "title": "【演示】一图读懂：小微企业招用高校毕业生社保补贴怎么申请",
    "issuing_body": "镇江市人力资源和社会保障局",
    "level": "municipal",
    "published_on": "2026-02-12",
    "body": (
        "（本文为演示数据，不是真实政策解读。）\n\n"
        "谁能申请：招用毕业年度及离校两年内未就业高校毕业生的小微企业。\n\n"
        "补什么：企业为毕业生缴纳的养老、医疗、失业三项社会保险费，最长一年。\n\n"
        "怎么申请：登录政务服务网，搜索“社保补贴”，上传劳动合同和缴费明细，"
        "一般20个工作日内审核完毕。"
    ),
}

_LOANS = {
    "key": "loans",
    "kind": "policy",
    "title": "【演示】京口区创业担保贷款贴息管理办法",
    "issuing_body": "镇江市京口区财政局",
    "level": "district",
    "published_on": "2025-11-20",
    "industries": ["批发和零售业", "住宿和餐饮业", "居民服务、修理和其他服务业"],
    "enterprise_sizes": ["小型", "微型"],
    "body": (
        "（本文为演示数据，不是真实政策。）\n\n"
        "一、个人创业者可申请最高30万元创业担保贷款，小微企业最高400万元，"
        "期限不超过三年。\n\n"
        "二、贷款利率在贷款市场报价利率基础上加点不超过150个基点，财政按"
        "实际利息的50%给予贴息。\n\n"
        "三、个体工商户、返乡创业人员和退役军人优先受理。"
    ),
}


def _notice(key: str, title: str, opens: int, closes: int) -> dict[str, Any]:
    """A project notice whose window opens and closes days from today."""
    today = local(now()).date()
    return {
        "key": key,
        "kind": "notice",
        "title": title,
        "issuing_body": "镇江市工业和信息化局",
        "level": "municipal",
        "published_on": (today + timedelta(days=opens - 5)).isoformat(),
        "apply_from": (today + timedelta(days=opens)).isoformat(),
        "apply_until": (today + timedelta(days=closes)).isoformat(),
        "industries": ["制造业"],
        "enterprise_sizes": [],
    }


def _notices() -> list[dict[str, Any]]:
    renovation = _notice(
        "renovation", "【演示】关于组织申报智能化技术改造项目补助资金的通知", -10, 20
    )
    renovation["body"] = (
        "（本文为演示数据，不是真实通知。）\n\n"
        "各有关企业：为推动制造业智能化改造和数字化转型，现组织申报本年度智能化"
        "技术改造项目补助资金。\n\n"
        "一、支持对象：在本市依法登记、设备投资额500万元以上的技改项目。\n\n"
        "二、支持标准：按设备投资额的10%给予补助，单个项目最高300万元。\n\n"
        "三、申报方式：企业在申报期内通过企业服务平台在线提交项目申请书。"
    )
    exports = _notice(
        "exports", "【演示】关于申报外贸企业出口信用保险保费补助的通知", -60, -30
    )
    exports["industries"] = ["批发和零售业", "制造业"]
    exports["body"] = (
        "（本文为演示数据，不是真实通知。）\n\n"
        "为帮助外贸企业防范收汇风险，对上年度投保短期出口信用保险的中小外贸企业，"
        "按实际缴纳保费的50%给予补助，单个企业最高20万元。申报截止后不再受理。"
    )
    return [renovation, exports]


def demo_items() -> list[dict[str, Any]]:
    """The demo items in loading order (a policy before its interpretation)."""
    return [_SPECIALISED, _GRADUATES, _GRADUATES_EXPLAINED, _LOANS, *_notices()]


def load_demo_policies(session: Session) -> int:
    """Create and publish the demo items not yet present; return how many."""
    existing = set(
        session.scalars(
            select(Policy.source_key).where(Policy.source_key.startswith(DEMO_KEY))
        )
    )
    ids: dict[str, int] = {}
    created = 0
    for item in demo_items():
        values = {k: v for k, v in item.items() if k not in {"key", "parent"}}
        key = DEMO_KEY + item["key"]
        if "parent" in item:
            values["parent_id"] = ids[item["parent"]]
        if key in existing:
            ids[item["key"]] = session.scalars(
                select(Policy.id).where(Policy.source_key == key)
            ).one()
            continue
        policy = service.create(session, values, DEMO_ACTOR, source_key=key)
        service.publish(session, policy.id, DEMO_ACTOR)
        ids[item["key"]] = policy.id
        created += 1
    logger.info("demo policies created: %d", created)
    return created
