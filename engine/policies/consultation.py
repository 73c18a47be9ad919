"""Policy consultation (政策咨询): an enterprise's question about a policy.

The question is an ordinary appeal, submitted through the appeal service with
the category 政策咨询 and linked to the policy, so it is triaged, dispatched,
answered, published and rated like every other appeal.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine import audit
from engine.appeals import service as appeals
from engine.policies.service import get_public
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

CATEGORY = "政策咨询"


def ask(
    session: Session,
    runtime: Runtime,
    policy_id: int,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    enterprise_id: int | None = None,
    submission_token: str | None = None,
) -> appeals.Submission:
    """Submit ``values`` (the appeal form) as a question about a published policy.

    ``enterprise_id`` links it to the registered enterprise that asked; a repeated
    ``submission_token`` finds the question already asked (``appeals.submit``).
    """
    policy = get_public(session, policy_id)
    submission = appeals.submit(
        session,
        runtime,
        {**values, "category": CATEGORY},
        actor=actor,
        enterprise_id=enterprise_id,
        submission_token=submission_token,
    )

    appeal = submission.appeal
    if submission.repeated:
        # The same form again: the question is already recorded.
        return submission
    appeal.policy_id = policy.id
    audit.record(
        session,
        "policy_consultation",
        actor.username,
        business_key=appeal.number,
        values={"policy_id": policy.id},
        comment=f"咨询政策：{policy.title}",
    )
    logger.info("appeal %s asks about policy %s", appeal.number, policy.id)
    return submission
