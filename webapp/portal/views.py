"""Portal pages: submit an appeal, look it up with its query code, rate the result.

Clauses 5.2.2.2 (submission), 5.2.2.4 (progress look-up) and 5.2.2.5 (rating) of
DB3211/T 1002—2019. The query code is never put in a URL: pages that show or carry
it are sent with ``Cache-Control: no-store``. A successful submission redirects to
its confirmation page (redirect after post), so that reloading it submits nothing;
the number and code wait for that page in the Flask session, and the code is
forgotten once shown.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from flask import (
    Response,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as flask_session

from engine.appeals import service
from engine.appeals.models import CATEGORIES, RATINGS, Appeal
from engine.enterprises import Enterprise
from engine.errors import (
    Conflict,
    EngineError,
    FieldError,
    FormInvalid,
    NotDeployed,
    NotFound,
)
from engine.runtime import Actor
from webapp.api.appeals import PUBLIC, public_view
from webapp.extensions import db, runtime, session
from webapp.portal import bp
from webapp.security import signed_in_enterprise
from webapp.throttle import TooManyAttempts, find_with_query_code

logger = logging.getLogger(__name__)

SUBMISSION_FIELDS = (
    "enterprise_name",
    "credit_code",
    "contact_name",
    "phone",
    "category",
    "title",
    "content",
)

# User agents of phones (and phone browsers such as WeChat's on Android or iOS).
_PHONE_AGENT = re.compile(
    r"Mobi|iPhone|iPod|Android|Windows Phone|HarmonyOS|BlackBerry|Opera Mini",
    re.IGNORECASE,
)

NOT_FOUND_MESSAGE = "未找到该诉求，请核对诉求编号和查询码。"
THANKS_MESSAGE = "感谢您的评价"
REPEATED_NOTICE = (
    f"{service.REPEATED_MESSAGE}本页是该诉求的编号和新的查询码，"
    "之前显示的查询码已失效。"
)
# The hidden field of an appeal form's one-time submission token.
TOKEN_FIELD = "submission_token"

_STATUS_OF_ERROR: dict[type[EngineError], int] = {
    NotFound: 404,
    Conflict: 409,
    NotDeployed: 503,
}

Errors = dict[str, list[str]]


@bp.get("/")
def index() -> str:
    """The welcome page, pointing to submission and look-up."""
    return render_template("portal/index.html")


@bp.route("/appeals/new", methods=["GET", "POST"])
def submit() -> Response:
    """The submission form; on success, on to the confirmation page.

    A signed-in enterprise finds its account's data filled in; its name and credit
    code are fixed to the account's and the appeal is linked to the account.
    """
    actor, account = appellant()
    if request.method == "GET":
        return page("portal/submit.html", values=prefill(account), errors={})

    channel = channel_of(request.headers.get("User-Agent", ""))
    received = receive_submission(channel, actor, account)
    if received.submission is None:
        return page(
            "portal/submit.html",
            status=received.status,
            values=received.values,
            errors=received.errors,
            summary=received.summary,
        )

    appeal = received.submission.appeal
    logger.info("portal submission %s via %s", appeal.number, appeal.channel)
    return confirm(received.submission, "portal.submitted")


@bp.get("/appeals/submitted")
def submitted() -> Response:
    """The confirmation: the new appeal's number, and its query code this once."""
    return page("portal/submitted.html", shown=take_confirmation("portal.submitted"))


@bp.route("/appeals/lookup", methods=["GET", "POST"])
def lookup() -> Response:
    """Look an appeal up by number and query code; show its public progress."""
    if request.method == "GET":
        number = request.args.get("number", "").strip()[:20]
        return page("portal/lookup.html", number=number, errors={})

    number = request.form.get("number", "").strip()
    query_code = request.form.get("query_code", "")
    errors: Errors = {}
    if not number:
        errors["number"] = ["请填写“诉求编号”"]
    if not query_code.strip():
        errors["query_code"] = ["请填写“查询码”"]
    if errors:
        return page("portal/lookup.html", status=422, number=number, errors=errors)

    appeal = _find(number, query_code)
    if isinstance(appeal, Response):
        return appeal
    return result_page(appeal, query_code=query_code)


@bp.post("/appeals/rate")
def rate() -> Response:
    """The appellant rates the published answer, then sees the appeal again."""
    number = request.form.get("number", "").strip()
    query_code = request.form.get("query_code", "")
    appeal = _find(number, query_code)
    if isinstance(appeal, Response):
        return appeal
    return rate_and_show(appeal, partial(result_page, query_code=query_code))


def rate_and_show(appeal: Appeal, show: Callable[..., Response]) -> Response:
    """Record the posted rating of ``appeal``; ``show`` draws the appeal's page.

    Shared by the look-up with a query code and by a signed-in enterprise's
    "my appeals": an error rolls back and shows the form again with what was typed.
    """
    rating = request.form.get("rating", "")
    comment = request.form.get("comment", "").strip()
    try:
        service.rate_appeal(session(), runtime(), appeal, rating, comment or None)
    except FormInvalid as exc:
        db.session.rollback()
        return show(
            appeal,
            status=422,
            errors=errors_by_field(exc.errors),
            message=exc.message,
            rating=rating,
            comment=comment,
        )
    except Conflict as exc:
        db.session.rollback()
        return show(appeal, status=409, message=exc.message)

    db.session.commit()
    logger.info("appeal %s rated on the portal", appeal.number)
    flash(THANKS_MESSAGE)
    return show(appeal)


@bp.errorhandler(EngineError)
def engine_error(exc: EngineError) -> Response:
    """Any other engine error: roll back and say what happened, in Chinese."""
    db.session.rollback()
    status = next(
        (code for cls, code in _STATUS_OF_ERROR.items() if isinstance(exc, cls)), 422
    )
    logger.warning("portal error %s: %s", exc.code, exc.message)
    return page("error.html", status=status, message=exc.message)


def channel_of(user_agent: str) -> str:
    """``mobile`` when the User-Agent looks like a phone's, else ``pc``."""
    return "mobile" if _PHONE_AGENT.search(user_agent) else "pc"


def errors_by_field(errors: list[FieldError]) -> Errors:
    """Field errors grouped by field name, in the order they came."""
    grouped: Errors = {}
    for error in errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


def shown_time(iso: str | None) -> str:
    """An ISO time (already in Asia/Shanghai) as people read it, or ""."""
    if not iso:
        return ""
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def confirm(submission: service.Submission, endpoint: str) -> Response:
    """Redirect after a successful submission to its confirmation page ``endpoint``.

    The number and query code wait for that page in the Flask session (a signed
    cookie, so the code sits in the submitter's browser until it is shown).
    """
    appeal = submission.appeal
    flask_session[_confirmation_key(endpoint)] = {
        "number": appeal.number,
        "query_code": submission.query_code,
        "title": appeal.title,
        "status_label": appeal.status_label,
    }
    response = make_response(redirect(url_for(endpoint), code=303))
    response.headers["Cache-Control"] = "no-store"
    return response


def take_confirmation(endpoint: str) -> dict[str, str] | None:
    """The appeal just submitted for confirmation page ``endpoint``, if any.

    The query code comes out once: a reload of the page shows the number and
    says the code was shown; another browser finds nothing.
    """
    key = _confirmation_key(endpoint)
    shown = flask_session.get(key)
    if not isinstance(shown, dict):
        return None
    if "query_code" in shown:
        flask_session[key] = {k: v for k, v in shown.items() if k != "query_code"}
        logger.info("query code of appeal %s shown", shown.get("number"))
    return shown


def _confirmation_key(endpoint: str) -> str:
    return f"confirmation:{endpoint}"


def appellant() -> tuple[Actor, Enterprise | None]:
    """Who submits on a public page: the signed-in enterprise, or the public."""
    account = signed_in_enterprise()
    if account is None:
        return PUBLIC, None
    return Actor(account.recipient), account


@bp.app_template_global()
def submission_token(values: dict[str, Any]) -> str:
    """The one-time token for an appeal form's hidden field.

    A form shown again after errors keeps the token it was posted with (nothing
    was stored under it); a new form gets a new random one.
    """
    return values.get(TOKEN_FIELD) or secrets.token_urlsafe(24)


# How a form's cleaned values become an appeal: values, actor, enterprise id and
# the form's submission token.
Submit = Callable[[dict[str, Any], Actor, int | None, str | None], service.Submission]


def _submit_appeal(
    values: dict[str, Any], actor: Actor, enterprise_id: int | None, token: str | None
) -> service.Submission:
    return service.submit(
        session(),
        runtime(),
        values,
        actor=actor,
        enterprise_id=enterprise_id,
        submission_token=token,
    )


@dataclass
class Received:
    """A submitted appeal form: the new appeal, or what to show again and why."""

    values: dict[str, Any]
    submission: service.Submission | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    summary: str | None = None
    status: int = 422


def receive_submission(
    channel: str,
    actor: Actor,
    account: Enterprise | None = None,
    *,
    fields: tuple[str, ...] = SUBMISSION_FIELDS,
    submit: Submit = _submit_appeal,
) -> Received:
    """Record the posted appeal form; commit, or roll back and list the errors.

    Shared by the public portal, the hotline entry and the policy consultation,
    which differ in the channel, the actor, the ``fields`` posted, how they are
    ``submit``-ted and the pages around the form. With a registered enterprise's
    ``account``, its name and credit code replace what was posted and the appeal
    is linked to it.

    The form's one-time submission token makes a second post of it (a double
    click, a resubmit) lead to the appeal the first made, with a fresh query code
    and a notice, instead of a second appeal; a token that cannot be honoured is
    refused (409) and the form comes back with a new one.
    """
    values: dict[str, Any] = {name: request.form.get(name, "") for name in fields}
    values["channel"] = channel
    if account is not None:
        values.update(prefill(account, only_fixed=True))
    token = request.form.get(TOKEN_FIELD, "").strip()[:200] or None
    values[TOKEN_FIELD] = token

    try:
        enterprise_id = account.id if account is not None else None
        submission = submit(values, actor, enterprise_id, token)
    except Conflict as exc:
        db.session.rollback()
        logger.info("%s submission by %s refused: %s", channel, actor.username, exc)
        values[TOKEN_FIELD] = None
        return Received(values, summary=exc.message, status=409)
    except FormInvalid as exc:
        db.session.rollback()
        errors = errors_by_field(exc.errors)
        logger.info(
            "%s submission by %s refused: %s",
            channel,
            actor.username,
            ", ".join(sorted(errors)),
        )
        return Received(values, errors=errors, summary=exc.message)

    db.session.commit()
    if submission.repeated:
        flash(REPEATED_NOTICE)
    return Received(values, submission=submission)


def prefill(account: Enterprise | None, only_fixed: bool = False) -> dict[str, str]:
    """What a registered enterprise's form starts with; name and code are fixed."""
    if account is None:
        return {}
    values = {"enterprise_name": account.name, "credit_code": account.credit_code}
    if not only_fixed:
        values |= {"contact_name": account.contact_name, "phone": account.phone}
    return values


def _find(number: str, query_code: str) -> Appeal | Response:
    # The appeal, or the look-up page saying why not; a wrong code and an unknown
    # number get the same page and status.
    try:
        return find_with_query_code(number, query_code)
    except NotFound:
        return page(
            "portal/lookup.html",
            status=404,
            number=number,
            errors={},
            message=NOT_FOUND_MESSAGE,
        )
    except TooManyAttempts as exc:
        refused = page(
            "portal/lookup.html",
            status=429,
            number=number,
            errors={},
            message=exc.message,
        )
        refused.headers["Retry-After"] = str(exc.retry_after)
        return refused


def result_page(
    appeal: Appeal,
    *,
    query_code: str | None = None,
    rate_url: str | None = None,
    status: int = 200,
    errors: Errors | None = None,
    message: str | None = None,
    rating: str = "",
    comment: str = "",
) -> Response:
    """The appeal's public progress and result, with the rating form when due.

    The rating form posts to ``rate_url`` (by default the look-up's, which needs
    the ``query_code``).
    """
    # The API's public view, with times as people read them.
    view = public_view(appeal)
    times = {
        key: shown_time(view[key])
        for key in ("submitted_at", "published_at", "closed_at")
    }
    events = [
        {"at": shown_time(event["at"]), "text": event["text"]}
        for event in view["timeline"]
    ]
    # Results sent back for another round stay readable, labelled as earlier;
    # "your rating" is the rating of the result in force.
    earlier = [
        {**item, "published_at": shown_time(item["published_at"])}
        for item in view["results"]
        if not item["in_force"]
    ]
    in_force = [item for item in view["results"] if item["in_force"]]
    rating_label = in_force[0]["rating_label"] if in_force else None
    if not view["results"]:
        rating_label = view["rating_label"]

    return page(
        "portal/appeal.html",
        status=status,
        view=view,
        times=times,
        events=events,
        earlier=earlier,
        rating_label=rating_label,
        query_code=query_code,
        rate_url=rate_url or url_for("portal.rate"),
        can_rate=appeal.status == "published",
        ratings=RATINGS,
        errors=errors or {},
        message=message,
        rating=rating,
        comment=comment,
    )


def page(template: str, *, status: int = 200, **context: Any) -> Response:
    # Portal pages may carry a query code or personal data: never cache them.
    context.setdefault("categories", CATEGORIES)
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response
