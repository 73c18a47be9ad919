"""Public appeal endpoints: submit, look up with the query code, rate.

Every query-code check goes through the portal's throttle (``webapp.throttle``):
a client that failed too often is answered 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.appeals import service
from engine.appeals.models import CHANNELS, RATINGS, Appeal
from engine.appeals.timeline import PublishedResult, history
from engine.clock import local_iso
from engine.directory import User
from engine.enterprises import Enterprise
from engine.errors import FieldError, FormInvalid
from engine.runtime import Actor
from webapp.api import bp
from webapp.api.auth import actor_of, current_caller, json_body
from webapp.extensions import db, runtime, session
from webapp.throttle import find_with_query_code

PUBLIC = Actor("public")


def public_view(appeal: Appeal) -> dict[str, Any]:
    """What anyone with the number and query code may see: no personal data.

    ``result`` is the answer in force; ``results`` lists every result published
    so far, round by round, so that one sent back for another round (重办) stays
    readable. ``published_at`` is the publication of the result in force.
    """
    past = history(session(), appeal.number)
    in_force = service.result_in_force(appeal, past.results)
    published_at = appeal.published_at
    if past.results and in_force is None:
        published_at = None
    shown = appeal.status in service.RESULT_STATUSES
    return {
        "number": appeal.number,
        "title": appeal.title,
        "category": appeal.category,
        "channel": appeal.channel,
        "channel_label": CHANNELS.get(appeal.channel, appeal.channel),
        "status": appeal.status,
        "status_label": service.public_status_label(appeal, past.results),
        "submitted_at": local_iso(appeal.submitted_at),
        "published_at": local_iso(published_at),
        "closed_at": local_iso(appeal.closed_at),
        "result": appeal.result if shown else None,
        "result_round": in_force.round if in_force else None,
        "results": [_published(item, item is in_force) for item in past.results],
        "rating": appeal.rating,
        "rating_label": RATINGS.get(appeal.rating or ""),
        "timeline": [{"at": local_iso(e.at), "text": e.text} for e in past.events],
    }


def _published(item: PublishedResult, in_force: bool) -> dict[str, Any]:
    return {
        "round": item.round,
        "result": item.text,
        "published_at": local_iso(item.published_at),
        "rating": item.rating,
        "rating_label": RATINGS.get(item.rating or ""),
        "call_rating": item.call_rating,
        "call_rating_label": RATINGS.get(item.call_rating or ""),
        "in_force": in_force,
    }


@bp.post("/appeals")
def submit_appeal() -> Any:
    """Submit an appeal; a hotline operator's token makes the channel ``hotline``.

    A registered enterprise's token links the appeal to its account, with the
    account's name and credit code. An ``Idempotency-Key`` header works like the
    portal form's submission token: a retry with it answers 200 with the appeal
    the first request made and a fresh query code, instead of a second appeal.
    """
    key = idempotency_key()
    body = json_body()
    caller = current_caller(required=False)
    actor, account = PUBLIC, None
    if isinstance(caller, Enterprise):
        account = caller
        actor = Actor(account.recipient)
        body |= {"enterprise_name": account.name, "credit_code": account.credit_code}
    elif caller is not None:
        actor = actor_of(caller)

    # Only a signed-in hotline operator enters calls for callers.
    if isinstance(caller, User) and "hotline" in caller.role_list:
        body["channel"] = "hotline"
    elif body.get("channel") == "hotline":
        body["channel"] = "pc"

    submission = service.submit(
        session(),
        runtime(),
        body,
        actor=actor,
        enterprise_id=account.id if account is not None else None,
        submission_token=key,
    )
    db.session.commit()
    appeal = submission.appeal
    code = submission.query_code
    message = f"诉求已提交。诉求编号 {appeal.number}，查询码 {code}，"
    if submission.repeated:
        message = (
            f"{service.REPEATED_MESSAGE}诉求编号 {appeal.number}，新的查询码 {code}，"
            "之前的查询码已失效。"
        )
    response = jsonify(
        number=appeal.number,
        query_code=code,
        status=appeal.status,
        status_label=appeal.status_label,
        channel=appeal.channel,
        repeated=submission.repeated,
        message=message + "请妥善保存，查询码只显示这一次。",
    )
    response.status_code = 200 if submission.repeated else 201
    return response


def idempotency_key() -> str | None:
    """The request's ``Idempotency-Key`` header, if any: 16 to 200 characters.

    The lower bound keeps keys from being guessable words; a UUID fits.
    """
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    key = key.strip()
    if not 16 <= len(key) <= 200:
        raise FormInvalid(
            [FieldError("Idempotency-Key", "Idempotency-Key 应为 16 至 200 个字符")]
        )
    return key


@bp.get("/appeals/<number>")
def show_appeal(number: str) -> Any:
    """Status, timeline and published result for the number + query code."""
    appeal = find_with_query_code(number, request.args.get("query_code", ""))
    return jsonify(public_view(appeal))


@bp.post("/appeals/<number>/rating")
def rate_appeal(number: str) -> Any:
    """The appellant's rating; ``dissatisfied`` sends the appeal back to work."""
    body = json_body()
    appeal = find_with_query_code(number, str(body.get("query_code", "")))
    return rated(appeal, body)


def rated(appeal: Appeal, body: dict[str, Any]) -> Any:
    """Record the rating in ``body`` for ``appeal``; answer its public view.

    Shared by the query-code rating and an enterprise's rating of its own appeal.
    """
    comment = body.get("comment")
    service.rate_appeal(
        session(),
        runtime(),
        appeal,
        str(body.get("rating", "")),
        comment if isinstance(comment, str) else None,
    )
    db.session.commit()
    return jsonify(public_view(appeal))
