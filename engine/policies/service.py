"""Writing policy information: create, edit, publish, withdraw; reading it back.

Only information maintainers (信息维护, role ``maintainer``) write. Every change
is an entry in the audit trail under the business key ``policy:<id>``, with the
fields that changed. Views call these inside one transaction and commit once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import audit
from engine.clock import now
from engine.errors import Conflict, FieldError, FormInvalid, NotFound, PermissionDenied
from engine.models import AuditEntry
from engine.policies import form
from engine.policies.models import Policy
from engine.policies.segment import index_text
from engine.runtime import Actor

logger = logging.getLogger(__name__)

MAINTAINER = "maintainer"

# Columns a maintainer writes, in the form's order.
EDITABLE = tuple(form.LABELS)


class Withdrawn(NotFound):
    """The item was published once and has been withdrawn (已撤回)."""

    code = "withdrawn"


def require_maintainer(actor: Actor) -> None:
    """Refuse anyone who is not an information maintainer."""
    if MAINTAINER not in actor.groups:
        raise PermissionDenied("只有信息维护人员可以编辑政策信息。")


def create(
    session: Session,
    values: Mapping[str, Any],
    actor: Actor,
    *,
    source_key: str | None = None,
) -> Policy:
    """A new draft from the form's values; ``source_key`` marks an imported one."""
    require_maintainer(actor)
    cleaned = form.clean(values)
    _check_parent(session, cleaned)

    policy = Policy(
        created_by=actor.username,
        updated_by=actor.username,
        source_key=source_key,
        **cleaned,
    )
    _index(policy)
    session.add(policy)
    session.flush()

    shown = _shown(cleaned)
    if source_key:
        shown["source_key"] = source_key
    audit.record(
        session,
        "policy_create",
        actor.username,
        business_key=policy.business_key,
        values=shown,
        comment=f"新建{policy.kind_label}（草稿）",
    )
    logger.info("policy %s created by %s", policy.id, actor.username)
    return policy


def update(
    session: Session, policy_id: int, values: Mapping[str, Any], actor: Actor
) -> Policy:
    """Save the form's values over an item; the audit entry names what changed."""
    require_maintainer(actor)
    policy = get(session, policy_id)
    cleaned = form.clean(values)
    _check_parent(session, cleaned, own_id=policy.id)

    changed = {
        name: value for name, value in cleaned.items() if getattr(policy, name) != value
    }
    if not changed:
        return policy
    for name, value in changed.items():
        setattr(policy, name, value)
    _index(policy)
    policy.updated_by = actor.username
    policy.updated_at = now()

    audit.record(
        session,
        "policy_update",
        actor.username,
        business_key=policy.business_key,
        values=_shown(changed),
        comment="修改：" + "、".join(form.LABELS[name] for name in changed),
    )
    logger.info("policy %s edited by %s: %s", policy.id, actor.username, list(changed))
    return policy


def publish(session: Session, policy_id: int, actor: Actor) -> Policy:
    """Make a draft or withdrawn item public at its stable URL."""
    require_maintainer(actor)
    policy = get(session, policy_id)
    if policy.status == "published":
        raise Conflict("该条目已发布。")
    if policy.parent_id is not None:
        parent = session.get(Policy, policy.parent_id)
        if parent is None or parent.status != "published":
            raise Conflict("请先发布所解读的政策，再发布解读。")

    policy.status = "published"
    policy.withdrawn_at = None
    policy.withdraw_reason = None
    _touch(policy, actor)
    audit.record(
        session,
        "policy_publish",
        actor.username,
        business_key=policy.business_key,
        comment=f"发布{policy.kind_label}",
    )
    logger.info("policy %s published by %s", policy.id, actor.username)
    return policy


def withdraw(
    session: Session, policy_id: int, actor: Actor, reason: str | None
) -> Policy:
    """Take a published item off the site and out of search, with the reason.

    A withdrawn policy's published interpretations are withdrawn with it.
    """
    require_maintainer(actor)
    policy = get(session, policy_id)
    reason = (reason or "").strip()
    if not reason:
        raise FormInvalid([FieldError("reason", "请填写撤回原因")])
    if len(reason) > 500:
        raise FormInvalid([FieldError("reason", "撤回原因不能超过 500 个字")])
    if policy.status != "published":
        raise Conflict("只有已发布的条目可以撤回。")

    _withdraw_one(session, policy, actor, reason)
    children = select(Policy).where(
        Policy.parent_id == policy.id, Policy.status == "published"
    )
    for child in session.scalars(children):
        _withdraw_one(session, child, actor, f"所解读的政策已撤回：{reason}")
    return policy


def _withdraw_one(session: Session, policy: Policy, actor: Actor, reason: str) -> None:
    policy.status = "withdrawn"
    policy.withdrawn_at = now()
    policy.withdraw_reason = reason
    _touch(policy, actor)
    audit.record(
        session,
        "policy_withdraw",
        actor.username,
        business_key=policy.business_key,
        values={"reason": reason},
        comment=f"撤回{policy.kind_label}：{reason}",
    )
    logger.info("policy %s withdrawn by %s", policy.id, actor.username)


def get(session: Session, policy_id: int) -> Policy:
    """Any item by id, whatever its status (for maintainers)."""
    policy = session.get(Policy, policy_id)
    if policy is None:
        raise NotFound("未找到该政策信息，请核对编号。")
    return policy


def get_public(session: Session, policy_id: int) -> Policy:
    """A published item; a withdrawn one says so, a draft is not found."""
    policy = session.get(Policy, policy_id)
    if policy is None or policy.status == "draft":
        raise NotFound("未找到该政策信息，可能地址有误或尚未发布。")
    if policy.status == "withdrawn":
        raise Withdrawn("该政策信息已撤回，不再公开。")
    return policy


def interpretations(session: Session, policy: Policy) -> list[Policy]:
    """The published interpretations of a policy, newest first."""
    query = (
        select(Policy)
        .where(Policy.parent_id == policy.id, Policy.status == "published")
        .order_by(Policy.published_on.desc(), Policy.id.desc())
    )
    return list(session.scalars(query))


def history(session: Session, policy: Policy) -> list[AuditEntry]:
    """The item's audit trail, oldest first."""
    return audit.trail(session, policy.business_key)


def _check_parent(
    session: Session, cleaned: Mapping[str, Any], own_id: int | None = None
) -> None:
    parent_id = cleaned.get("parent_id")
    if parent_id is None:
        return
    parent = session.get(Policy, parent_id)
    if parent is None or parent.id == own_id:
        raise FormInvalid([FieldError("parent_id", "未找到该编号的政策")])
    if parent.kind == "interpretation":
        raise FormInvalid(
            [FieldError("parent_id", "解读应关联政策或申报通知，而非另一篇解读")]
        )


def _index(policy: Policy) -> None:
    """Segment the title and body for the full-text index."""
    policy.title_tokens = index_text(policy.title)
    policy.body_tokens = index_text(policy.body)


def _touch(policy: Policy, actor: Actor) -> None:
    policy.updated_by = actor.username
    policy.updated_at = now()


def _shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """Values as the audit trail keeps them (JSON): dates as text, long text cut."""
    shown: dict[str, Any] = {}
    for name, value in values.items():
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, str) and len(value) > 200:
            value = value[:200] + "…"
        shown[name] = value
    return shown
