"""Submitting, looking up and rating appeals; keeping each appeal in step with its flow.

Views call these functions inside one transaction and commit once.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine import forms
from engine.appeals import facts, identifiers
from engine.appeals.models import CATEGORIES, CHANNELS, PROCESS_KEY, RATINGS, Appeal
from engine.appeals.notices import tell_appellant
from engine.appeals.timeline import PublishedResult
from engine.clock import now
from engine.errors import Conflict, FieldError, FormInvalid, NotFound
from engine.models import HumanTask, ProcessInstance
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

# The group of the BPMN step the appellant completes (rating).
APPELLANT_GROUP = "appellant"

# Statuses at which the platform's answer is public; a follow-up call (回访)
# leaves the published result in force.
RESULT_STATUSES = {"returned", "published", "following_up", "closed", "terminated"}
FINAL_STATUSES = {"returned", "closed", "terminated"}
# Statuses at which the latest published result is the answer in force; at the
# others a published result was sent back (重办) or followed by a termination.
IN_FORCE_STATUSES = {"published", "following_up", "closed"}
REOPENED_LABEL = "重新办理中"

# Channels a submission may name; ``import`` is set by the importer only.
SUBMISSION_CHANNELS = {"pc", "mobile", "hotline"}

_LIMITS = {
    "enterprise_name": 200,
    "contact_name": 50,
    "category": 100,
    "title": 200,
    "content": 20000,
}
_LABELS = {
    "enterprise_name": "企业名称",
    "credit_code": "统一社会信用代码",
    "contact_name": "联系人",
    "phone": "联系电话",
    "category": "诉求类别",
    "title": "诉求标题",
    "content": "诉求内容",
    "channel": "渠道",
}


# How long after a submission a second post of the same form still gets the
# appeal's confirmation with a fresh query code; later, only a refusal.
REPEAT_WINDOW = timedelta(minutes=30)
REPEATED_MESSAGE = "该诉求已提交，请勿重复提交。"
# What the appeal must match for a repeated post to count as the same submission.
_REPEAT_FIELDS = ("title", "content", "channel", "enterprise_id")


@dataclass(frozen=True)
class Submission:
    """A new appeal and its query code, which is shown once and never stored.

    ``repeated`` when the post repeated an earlier one's submission token: the
    appeal is that earlier one and ``query_code`` a fresh code for it.
    """

    appeal: Appeal
    query_code: str
    repeated: bool = False


class _AlreadySubmitted(Exception):
    # Internal: the submission token belongs to this stored appeal.
    def __init__(self, appeal: Appeal) -> None:
        super().__init__(appeal.number)
        self.appeal = appeal


def token_hash(token: str) -> str:
    """What is stored of a submission token: its SHA-256, so any text fits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def clean_submission(
    values: Mapping[str, Any], *, legacy: bool = False
) -> dict[str, Any]:
    """Check a submission; return cleaned values or raise every field error.

    ``legacy`` relaxes what an older hotline export lacks (enterprise, credit code,
    contact, phone) and keeps its categories; everything present is still checked.
    A text of spaces or zero-width characters alone counts as not filled in.
    """
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    optional = {"category"}
    if legacy:
        optional |= {"enterprise_name", "credit_code", "contact_name", "phone"}

    for name, label in _LABELS.items():
        if name == "channel":
            continue
        raw = values.get(name)
        text = forms.visible_text(raw) if isinstance(raw, str) else ""
        if raw is not None and not isinstance(raw, str):
            errors.append(FieldError(name, f"“{label}”应为文字"))
            continue
        if not text:
            if name not in optional:
                errors.append(FieldError(name, f"请填写“{label}”"))
            cleaned[name] = None
            continue
        try:
            cleaned[name] = clean_field(name, text)
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))
            continue
        if name == "category" and not legacy and text not in CATEGORIES:
            errors.append(FieldError(name, "请从列表中选择“诉求类别”"))

    channel = values.get("channel") or ("import" if legacy else "pc")
    allowed = CHANNELS if legacy else SUBMISSION_CHANNELS
    if not isinstance(channel, str) or channel not in allowed:
        errors.append(FieldError("channel", "渠道应为 pc、mobile 或 hotline"))
    cleaned["channel"] = channel

    if errors:
        raise FormInvalid(errors)
    return cleaned


def clean_field(name: str, text: str) -> str:
    """One submission field, stripped and not empty: checked, or ValueError."""
    forms.check_characters(text)
    if name == "credit_code":
        return forms.clean_credit_code(text)
    if name == "phone":
        return identifiers.clean_phone(text)
    limit = _LIMITS[name]
    if len(text) > limit:
        raise ValueError(
            f"“{_LABELS[name]}”不能超过 {limit} 个字（现有 {len(text)} 个）"
        )
    return text


def submit(
    session: Session,
    runtime: Runtime,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    enterprise_id: int | None = None,
    submission_token: str | None = None,
) -> Submission:
    """Record a new appeal and start its flow at triage (受理).

    ``enterprise_id`` links it to the registered enterprise that submitted it.
    ``submission_token`` (the form's one-time token, or an API Idempotency-Key)
    makes a repeated post of the same form (防重复提交) find the appeal it made
    instead of making another: see ``_repeat``.
    """
    cleaned = clean_submission(values)
    cleaned["enterprise_id"] = enterprise_id
    if not submission_token:
        return record_appeal(session, runtime, cleaned, actor=actor)

    digest = token_hash(submission_token)
    # A post after the first one committed finds it here (on SQLite every
    # transaction waits for the one before, so concurrent posts end here too);
    # on PostgreSQL a concurrent one waits at the unique index instead.
    earlier = _with_token(session, digest)
    if earlier is not None:
        return _repeat(earlier, cleaned, actor)
    cleaned["submission_token_hash"] = digest
    try:
        return record_appeal(session, runtime, cleaned, actor=actor)
    except _AlreadySubmitted as exc:
        return _repeat(exc.appeal, cleaned, actor)


def _with_token(session: Session, digest: str) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.submission_token_hash == digest))


def _repeat(appeal: Appeal, cleaned: dict[str, Any], actor: Actor) -> Submission:
    """A repeated post of the submission that made ``appeal``: a fresh query code.

    Only the last response of a double click reaches the browser, and the first
    code exists only as a hash, so the repeat answers with a new code for the
    appeal; the earlier code stops working. This resets nothing anyone else
    relies on: it takes the same token (random, in a page never cached), the
    same submitter and the same title and content, within ``REPEAT_WINDOW``.
    Anything else is refused and changes nothing.
    """
    same = appeal.submitted_by == actor.username and all(
        getattr(appeal, name) == cleaned.get(name) for name in _REPEAT_FIELDS
    )
    if not same:
        logger.warning("submission token of appeal %s reused", appeal.number)
        raise Conflict("该表单已提交过另一诉求，请重新打开页面填写。")
    if now() - appeal.submitted_at > REPEAT_WINDOW:
        logger.info("late repeat of appeal %s refused", appeal.number)
        raise Conflict(
            f"{REPEATED_MESSAGE}诉求编号 {appeal.number}，"
            "请用提交时显示的查询码查询办理进度。"
        )
    code = identifiers.new_query_code()
    appeal.query_code_hash = identifiers.hash_query_code(code)
    logger.info("repeated submission of appeal %s: new query code", appeal.number)
    return Submission(appeal, code, repeated=True)


def record_appeal(
    session: Session,
    runtime: Runtime,
    cleaned: dict[str, Any],
    *,
    actor: Actor,
    legacy_id: str | None = None,
    submitted_at: Any = None,
    start_flow: bool = True,
) -> Submission:
    """Store a cleaned appeal under a new number; start its flow unless told not to.

    ``submitted_at`` keeps the original time of an imported appeal.
    """
    code = identifiers.new_query_code()
    moment = submitted_at or now()
    appeal = Appeal(
        query_code_hash=identifiers.hash_query_code(code),
        status="submitted",
        submitted_at=moment,
        updated_at=now(),
        submitted_by=actor.username,
        legacy_id=legacy_id,
        **cleaned,
    )
    _insert_with_number(session, appeal, moment)

    if start_flow:
        instance = runtime.start(
            session,
            PROCESS_KEY,
            actor=actor,
            business_key=appeal.number,
            started_at=submitted_at,
            data={
                "appeal_number": appeal.number,
                "title": appeal.title,
                "category": appeal.category,
                "channel": appeal.channel,
            },
        )
        appeal.instance_id = instance.id
    logger.info("appeal %s submitted via %s", appeal.number, appeal.channel)
    return Submission(appeal, code)


def _insert_with_number(session: Session, appeal: Appeal, moment: Any) -> None:
    # Two submissions in the same instant may draw the same number; the unique
    # index tells, and the loser takes the next one.
    for _attempt in range(5):
        appeal.number = identifiers.next_number(session, moment)
        savepoint = session.begin_nested()
        session.add(appeal)
        try:
            savepoint.commit()
            return
        except IntegrityError:
            savepoint.rollback()
        # Or the same form was posted at once twice and the other post won.
        digest = appeal.submission_token_hash
        earlier = _with_token(session, digest) if digest else None
        if earlier is not None:
            raise _AlreadySubmitted(earlier)
    raise Conflict("提交人数较多，请稍后重试。")


def find_public(session: Session, number: str, query_code: str) -> Appeal:
    """The appeal with this number if the query code matches.

    A wrong code answers exactly like an unknown number, so a code cannot be
    guessed number by number.
    """
    appeal = session.scalar(select(Appeal).where(Appeal.number == number.strip()))
    # An unknown number still costs one hash check, so timing does not tell
    # which numbers exist.
    code_hash = appeal.query_code_hash if appeal else identifiers.DUMMY_HASH
    matches = identifiers.check_query_code(code_hash, query_code or "")
    if appeal is None or not matches:
        raise NotFound("未找到该诉求，请核对诉求编号和查询码。")
    return appeal


def rate(
    session: Session,
    runtime: Runtime,
    number: str,
    query_code: str,
    rating: str,
    comment: str | None = None,
) -> Appeal:
    """The appellant rates the published result (满意度评价, clause 5.2.2.5)."""
    appeal = find_public(session, number, query_code)
    return rate_appeal(session, runtime, appeal, rating, comment)


def rate_appeal(
    session: Session,
    runtime: Runtime,
    appeal: Appeal,
    rating: str,
    comment: str | None = None,
) -> Appeal:
    """Rate ``appeal``, which the caller has already found the appellant's."""
    if rating not in RATINGS:
        raise FormInvalid([FieldError("rating", "请选择 满意、基本满意 或 不满意")])
    task = session.scalar(
        select(HumanTask).where(
            HumanTask.business_key == appeal.number,
            HumanTask.state == HumanTask.OPEN,
            HumanTask.candidate_group == APPELLANT_GROUP,
        )
    )
    if task is None:
        raise Conflict("该诉求当前不在评价阶段。")
    actor = Actor(f"appellant:{appeal.number}", frozenset({APPELLANT_GROUP}))
    runtime.complete(
        session, task.id, {"rating": rating, "comment": comment or None}, actor
    )
    appeal.rating = rating
    appeal.rating_comment = comment or None
    logger.info("appeal %s rated %s", appeal.number, rating)
    return appeal


def result_in_force(
    appeal: Appeal, results: list[PublishedResult]
) -> PublishedResult | None:
    """Which of the published ``results`` is the answer in force, if any."""
    if results and appeal.status in IN_FORCE_STATUSES:
        return results[-1]
    return None


def public_status_label(appeal: Appeal, results: list[PublishedResult]) -> str:
    """The status as the appellant reads it: 重新办理中 once a result was sent back.

    ``results`` are the appeal's published results; handling after one of them
    can only be a reopening.
    """
    if appeal.status == "handling" and results:
        return REOPENED_LABEL
    return appeal.status_label


def follow_instance(
    session: Session, instance: ProcessInstance, process_key: str, data: dict[str, Any]
) -> None:
    """Runtime listener: copy the flow's status and public result to the appeal."""
    if process_key != PROCESS_KEY or not instance.business_key:
        return
    appeal = session.scalar(
        select(Appeal).where(Appeal.number == instance.business_key)
    )
    if appeal is None:
        return

    moment = now()
    status = instance.status or appeal.status
    changed = status != appeal.status
    if changed:
        logger.info("appeal %s: %s -> %s", appeal.number, appeal.status, status)
    facts.record(session, appeal, appeal.status, status, data, moment)
    appeal.status = status
    appeal.updated_at = moment
    if status in RESULT_STATUSES:
        appeal.result = data.get("result") or appeal.result
    if status == "published":
        appeal.published_at = moment
    if status in FINAL_STATUSES:
        appeal.closed_at = moment
    if changed:
        tell_appellant(session, appeal, status)
