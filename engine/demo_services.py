"""Demo data of the social-service flow (社会化服务): one admitted organisation
with two published services, an enterprise account and one open request.

Walked through the real BPMN processes (``organisation_admission`` and
``social_service``) as ``engine.demo`` does for appeals; passwords are ``demo``.
"""

from __future__ import annotations

import logging
from io import BytesIO
from typing import Any

from sqlalchemy.orm import Session

from engine import tasks
from engine.attachments import AttachmentStore, Where
from engine.directory import PERSONAL_GROUP, create_user
from engine.enterprises import Enterprise
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

ORGANISATION = "org-qihang"
CREDIT_CODE = "52321100MJ00012348"

APPLICATION = {
    "organisation_name": "镇江启航创业服务中心",
    "credit_code": CREDIT_CODE,
    "service_type": "创业辅导",
    "contact_name": "吴晓燕",
    "phone": "0511-85012345",
}
# The licence scan the demo organisation uploads: a one-page PDF stand-in for
# its registration certificate (民办非企业单位登记证书).
LICENCE_NAME = "登记证书.pdf"
LICENCE_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"

SERVICES = [
    {
        "service_type": "创业辅导",
        "title": "初创企业商业计划书辅导",
        "description": "由创业导师一对一辅导商业计划书撰写，"
        "含两次面谈和一次书面修改意见。",
        "price": "免费",
        "area": "京口区",
    },
    {
        "service_type": "法律维权",
        "title": "劳动用工合规体检",
        "description": "律师上门检查劳动合同、规章制度和社保缴纳，出具合规建议书。",
        "price": "800元/次",
        "area": "镇江市全市",
    },
]


def _complete(
    session: Session,
    runtime: Runtime,
    instance_id: int,
    step_id: str,
    values: dict[str, Any],
    actor: Actor,
) -> None:
    task = tasks.open_step(session, instance_id, step_id)
    assert task is not None, step_id
    runtime.complete(session, task.id, values, actor)


def load_service_demo(
    session: Session,
    runtime: Runtime,
    store: AttachmentStore,
    password: str,
    enterprise: Enterprise,
) -> str:
    """Create the demo organisation and its services; ``enterprise`` (the demo's
    registered enterprise) requests one of them. The licence scan is kept in
    ``store`` like any upload."""
    organisation = create_user(
        session,
        ORGANISATION,
        password,
        display_name=APPLICATION["organisation_name"],
        roles=["organisation"],
    )
    org_actor = Actor(organisation.username, frozenset(organisation.groups))
    requester = PERSONAL_GROUP + enterprise.recipient
    ent_actor = Actor(enterprise.recipient, frozenset({"enterprise", requester}))
    dispatcher = Actor("dispatcher", frozenset({"dispatcher"}))

    data = {"applicant_group": PERSONAL_GROUP + ORGANISATION}
    admission = runtime.start(
        session, "organisation_admission", actor=org_actor, data=data
    )
    apply = tasks.open_step(session, admission.id, "apply")
    assert apply is not None
    where = Where(apply.business_key, admission.id, apply.id, "apply", "licence")
    licence = store.save(
        session, BytesIO(LICENCE_PDF), LICENCE_NAME, where, organisation.username
    )
    application = {**APPLICATION, "licence": [licence.id]}
    runtime.complete(session, apply.id, application, org_actor)
    approve = {"decision": "approve"}
    _complete(session, runtime, admission.id, "vet_organisation", approve, dispatcher)
    for values in SERVICES:
        _complete(session, runtime, admission.id, "publish_service", values, org_actor)

    data = {
        "service_key": f"{CREDIT_CODE}-1",
        "requester_group": requester,
    }
    request = runtime.start(session, "social_service", actor=ent_actor, data=data)
    need = {
        "enterprise_name": enterprise.name,
        "need": "公司拟孵化新的智能装备项目，需要商业计划书辅导。",
        "phone": enterprise.phone,
    }
    _complete(session, runtime, request.id, "describe_need", need, ent_actor)
    logger.info("social-service demo data created")
    return (
        f"1 service organisation ({ORGANISATION}) with {len(SERVICES)} services and "
        f"a service request from {enterprise.credit_code}"
    )
