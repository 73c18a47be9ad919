"""Demo data for ``bangban init --demo``: departments, accounts, appeals at every stage.

Written for this project (a fresh clone has no shared data): realistic enterprise
appeals in Chinese, walked through the real appeal flow so that every inbox has
work. Every account's password is ``demo``; refused in production by the CLI.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import enterprises
from engine.appeals import service
from engine.appeals.models import Appeal
from engine.attachments import AttachmentStore
from engine.demo_services import load_service_demo
from engine.directory import Department, User, create_user
from engine.models import HumanTask
from engine.policies.demo import load_demo_policies
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

PASSWORD = "demo"

DEPARTMENTS = [
    ("fgw", "市发展和改革委员会"),
    ("gxj", "市工业和信息化局"),
    ("rsj", "市人力资源和社会保障局"),
    ("zjj", "市住房和城乡建设局"),
    ("sthj", "市生态环境局"),
    ("jtj", "市交通运输局"),
    ("swj", "市商务局"),
    ("scjg", "市市场监督管理局"),
    ("swj2", "市税务局"),
    ("wjw", "市卫生健康委员会"),
]

STAFF = [
    ("dispatcher", "转派岗 王敏", ["dispatcher"]),
    ("reviewer", "审核岗 李娜", ["reviewer"]),
    ("followup", "回访岗 赵磊", ["followup"]),
    ("hotline", "热线坐席 陈静", ["hotline"]),
    ("admin", "技术支持 周强", ["admin"]),
    ("owner", "流程负责人 孙悦", ["owner"]),
    ("assessor", "绩效考核 钱程", ["assessor"]),
    ("maintainer", "信息维护 刘洋", ["maintainer"]),
]

# (enterprise, credit code, contact, phone, category, title, content)
APPEALS = [
    (
        "镇江恒泰精密机械有限公司",
        "91321100MA1N2K3L4E",
        "刘建国",
        "13805291234",
        "工业和信息化",
        "技术改造项目补贴申报进度咨询",
        "我公司今年三月按通知申报了智能化技术改造项目补贴，材料已全部提交，"
        "至今未收到评审结果。请问目前进展到哪个环节，预计何时公示？",
    ),
    (
        "江苏润禾食品科技有限公司",
        "91321191MA20QW8E7G",
        "孙丽",
        "13952810023",
        "劳动和社会保障",
        "新招高校毕业生社保补贴如何申领",
        "公司上半年新招用了12名应届高校毕业生，已签订一年以上劳动合同并缴纳社保，"
        "想了解社会保险补贴的申领条件、所需材料和办理窗口。",
    ),
    (
        "镇江新城物流有限公司",
        "91321102MA1P5R6T71",
        "钱伟",
        "0511-85512345",
        "交通运输",
        "园区道路夜间限行影响货车通行",
        "园区主干道近期设置夜间货车限行，我司冷链车辆只能绕行十余公里，"
        "运输成本明显上升。希望相关部门评估限行时段，为园区企业开辟通行时段。",
    ),
    (
        "镇江华科新材料股份有限公司",
        "91321100MA1X9Y8Y76",
        "冯涛",
        "13626101234",
        "环境保护",
        "环评审批材料补正要求不明确",
        "我司扩建项目环评报告提交后被要求补正，但补正通知中未写明具体缺少哪些内容，"
        "多次电话咨询未果。请明确补正要求，以免延误项目开工。",
    ),
    (
        "镇江云帆电子商务有限公司",
        "91321183MA1Q2W3E4M",
        "郑浩",
        "15189001234",
        "商贸旅游",
        "跨境电商企业出口退税办理周期过长",
        "我司为跨境电商出口企业，去年第四季度的出口退税至今未到账，"
        "资金周转压力很大。请帮助了解退税审核进度并协调加快办理。",
    ),
    (
        "镇江华科新材料股份有限公司",
        "91321100MA1X9Y8Y76",
        "冯涛",
        "13626101234",
        "城乡建设",
        "厂区配套宿舍施工许可办理咨询",
        "我司计划在自有工业用地内建设员工宿舍，想了解是否符合规划要求，"
        "以及施工许可需要办理哪些前置手续。",
    ),
    (
        "镇江安康医疗器械有限公司",
        "91321191MA22CD5E68",
        "何静",
        "13912781234",
        "卫生计生",
        "二类医疗器械经营备案流程咨询",
        "我司准备新增二类医疗器械经营范围，请问备案需要提交哪些材料，"
        "是否可以全程网上办理。",
    ),
    (
        "镇江鼎盛建材贸易有限公司",
        "91321102MA1R7T8Y9J",
        "许强",
        "13852901234",
        "市场监管",
        "企业名称变更后各类证照同步更新",
        "我司近期完成名称变更登记，希望了解食品经营许可等证照能否同步变更，"
        "避免多头跑腿。",
    ),
]

APPELLANT = Actor("appellant:demo", frozenset({"appellant"}))

# The registered demo enterprise (注册企业): it signs in with its credit code and
# owns the demo appeals with that code (one being handled, one awaiting rating).
DEMO_ENTERPRISE = APPEALS[5][:4]


def _staff_actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return Actor(user.username, frozenset(user.groups))


def _open_task(session: Session, number: str, step_id: str, group: str) -> str:
    task_id = session.scalar(
        select(HumanTask.id).where(
            HumanTask.business_key == number,
            HumanTask.state == HumanTask.OPEN,
            HumanTask.step_id == step_id,
            HumanTask.candidate_group == group,
        )
    )
    assert task_id is not None, (number, step_id, group)
    return task_id


class _Walker:
    """Moves one demo appeal through the flow as the real staff would."""

    def __init__(self, session: Session, runtime: Runtime, number: str) -> None:
        self.session, self.runtime, self.number = session, runtime, number

    def do(self, step: str, group: str, values: dict[str, Any], user: str) -> None:
        actor = APPELLANT if group == "appellant" else _staff_actor(self.session, user)
        task_id = _open_task(self.session, self.number, step, group)
        self.runtime.complete(self.session, task_id, values, actor)

    def dispatch(self, lead: str, co: list[str] | None = None) -> None:
        values = {"decision": "dispatch", "lead_department": lead, "co_departments": co}
        self.do("triage", "dispatcher", values, "dispatcher")

    def accept(self, *departments: str) -> None:
        for code in departments:
            values = {"decision": "accept"}
            self.do("accept_appeal", code, values, f"handler-{code}")

    def reply(self, lead: str, text: str) -> None:
        values = {"decision": "reply", "reply": text}
        self.do("handle_appeal", lead, values, f"handler-{lead}")

    def review(self, decision: str = "publish") -> None:
        self.do("review_reply", "reviewer", {"decision": decision}, "reviewer")


def load_demo(session: Session, runtime: Runtime, store: AttachmentStore) -> str:
    """Create demo departments, accounts and appeals; skip what already exists."""
    if session.scalar(select(User).where(User.username == "dispatcher")):
        return "demo data already present, nothing added"

    for code, name in DEPARTMENTS:
        session.add(Department(code=code, name=name))
    session.flush()
    for username, display_name, roles in STAFF:
        create_user(session, username, PASSWORD, display_name=display_name, roles=roles)
    for code, name in DEPARTMENTS:
        create_user(
            session,
            f"handler-{code}",
            PASSWORD,
            display_name=f"{name} 经办人",
            roles=["handler"],
            department_code=code,
        )

    name, credit_code, contact_name, phone = DEMO_ENTERPRISE
    account = enterprises.create(
        session,
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        phone=phone,
        password=PASSWORD,
    )

    numbers = []
    for enterprise, credit, contact, phone, category, title, content in APPEALS:
        values = {
            "enterprise_name": enterprise,
            "credit_code": credit,
            "contact_name": contact,
            "phone": phone,
            "category": category,
            "title": title,
            "content": content,
            "channel": "pc",
        }
        owner = account.id if credit == account.credit_code else None
        actor = Actor(account.recipient) if owner else Actor("public")
        submission = service.submit(
            session, runtime, values, actor=actor, enterprise_id=owner
        )
        numbers.append(submission.appeal.number)

    _walk(session, runtime, numbers)
    policies = load_demo_policies(session)
    logger.info("demo data created: %s appeals", len(numbers))
    services = load_service_demo(session, runtime, store, PASSWORD, account)
    return (
        f"demo data created: {len(DEPARTMENTS)} departments, "
        f"{len(STAFF) + len(DEPARTMENTS)} accounts and the enterprise "
        f"{credit_code} (password '{PASSWORD}'), "
        f"{len(numbers)} appeals at every stage, {policies} policy items; {services}"
    )


def _walk(session: Session, runtime: Runtime, numbers: list[str]) -> None:
    """Leave the demo appeals at different stages, one stage each."""
    walkers = [_Walker(session, runtime, number) for number in numbers]

    # 0 stays at triage (待研判).
    # 1: returned with a reason (已退回).
    walkers[1].do(
        "triage",
        "dispatcher",
        {
            "decision": "return",
            "reason": "该事项属于政策咨询，请拨打 12333 人社服务热线。",
        },
        "dispatcher",
    )
    # 2: dispatched to two departments, waiting for acceptance (办理中).
    walkers[2].dispatch("jtj", ["gxj"])
    # 3: accepted, lead department handling (办理中).
    walkers[3].dispatch("sthj")
    walkers[3].accept("sthj")
    # 4: replied, waiting for review (审核中).
    walkers[4].dispatch("swj2", ["swj"])
    walkers[4].accept("swj2", "swj")
    walkers[4].do(
        "contribute", "swj", {"opinion": "已联系企业核对出口报关单据。"}, "handler-swj"
    )
    walkers[4].reply(
        "swj2", "经核查，贵司退税申报资料齐全，已于本周完成审核，预计五个工作日内到账。"
    )
    # 5: published, waiting for the rating (已答复).
    walkers[5].dispatch("zjj")
    walkers[5].accept("zjj")
    walkers[5].reply(
        "zjj", "在自有工业用地内建设配套宿舍须符合控制性详细规划，请先办理规划许可。"
    )
    walkers[5].review()
    # 6: rated satisfied and closed (已办结).
    walkers[6].dispatch("wjw")
    walkers[6].accept("wjw")
    walkers[6].reply(
        "wjw", "二类医疗器械经营备案可通过政务服务网全程网上办理，所需材料见办事指南。"
    )
    walkers[6].review()
    walkers[6].do("rate_result", "appellant", {"rating": "satisfied"}, "")
    rated = session.scalar(select(Appeal).where(Appeal.number == numbers[6]))
    if rated is not None:  # as service.rate does for a real appellant
        rated.rating = "satisfied"
    # 7: terminated by the department with a legal reason (已终止).
    walkers[7].dispatch("scjg")
    walkers[7].accept("scjg")
    walkers[7].do(
        "handle_appeal",
        "scjg",
        {"decision": "terminate", "reason": "该事项已进入行政复议程序，依法终止帮办。"},
        "handler-scjg",
    )
