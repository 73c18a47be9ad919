"""Public policy pages: search (/policies), one item (/policies/<id>), consultation.

Clause 5.1 of DB3211/T 1002—2019. A question asked on a policy's page goes
through the appeal service like any appeal (category 政策咨询, linked to the
policy); a signed-in registered enterprise finds its data filled in and the
question linked to its account, as on the portal. The confirmation is the
portal's page, reached by a redirect after the post and never cached.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, make_response, render_template, request
from markupsafe import Markup

from engine.appeals.service import Submission
from engine.errors import FormInvalid, NotFound
from engine.policies import consultation, search, service
from engine.policies.models import INDUSTRIES, KINDS, LEVELS, Policy
from engine.policies.service import Withdrawn
from engine.runtime import Actor
from webapp.extensions import db, runtime, session
from webapp.policies import bp
from webapp.policies_view import paragraphs
from webapp.portal.views import (
    SUBMISSION_FIELDS,
    appellant,
    channel_of,
    confirm,
    errors_by_field,
    prefill,
    receive_submission,
)

logger = logging.getLogger(__name__)

CONSULT_FIELDS = tuple(name for name in SUBMISSION_FIELDS if name != "category")
FILTER_NAMES = ("level", "issuer", "industry", "kind", "date_from", "date_to")


@bp.get("/policies")
def search_page() -> Response:
    """Search published policy information, with filters and pages."""
    query = request.args.get("q", "").strip()[: search.MAX_QUERY_LENGTH]
    chosen = {name: request.args.get(name, "").strip() for name in FILTER_NAMES}
    errors: dict[str, list[str]] = {}
    try:
        filters = search.parse_filters(chosen)
    except FormInvalid as exc:
        errors = errors_by_field(exc.errors)
        filters = search.Filters()

    page = search.parse_page(request.args.get("page"))
    results = search.search(session(), query, filters, page=page)
    hits = [
        {
            "policy": hit.policy,
            "title": Markup(hit.title_html),
            "snippet": Markup(hit.snippet_html),
        }
        for hit in results.hits
    ]
    arguments = {name: value for name, value in chosen.items() if value}
    if query:
        arguments["q"] = query
    return _page(
        "policies/search.html",
        status=422 if errors else 200,
        query=query,
        chosen=chosen,
        errors=errors,
        results=results,
        hits=hits,
        arguments=arguments,
    )


@bp.get("/policies/<int:policy_id>")
def show(policy_id: int) -> Response:
    """One published item at its stable address, with a form to ask about it."""
    try:
        policy = service.get_public(session(), policy_id)
    except Withdrawn as exc:
        return _page("error.html", status=410, message=exc.message)
    except NotFound as exc:
        return _page("error.html", status=404, message=exc.message)
    _, account = appellant()
    return _item_page(policy, values=prefill(account), errors={})


@bp.post("/policies/<int:policy_id>/consult")
def consult(policy_id: int) -> Response:
    """Ask about this item: an appeal of the category 政策咨询 linked to it."""
    actor, account = appellant()

    def ask(
        values: dict[str, Any],
        actor: Actor,
        enterprise_id: int | None,
        token: str | None,
    ) -> Submission:
        return consultation.ask(
            session(),
            runtime(),
            policy_id,
            values,
            actor=actor,
            enterprise_id=enterprise_id,
            submission_token=token,
        )

    channel = channel_of(request.headers.get("User-Agent", ""))
    try:
        received = receive_submission(
            channel, actor, account, fields=CONSULT_FIELDS, submit=ask
        )
    except Withdrawn as exc:
        db.session.rollback()
        return _page("error.html", status=410, message=exc.message)
    except NotFound as exc:
        db.session.rollback()
        return _page("error.html", status=404, message=exc.message)

    if received.submission is None:
        policy = service.get_public(session(), policy_id)
        return _item_page(
            policy,
            status=received.status,
            values=received.values,
            errors=received.errors,
            summary=received.summary,
        )

    appeal = received.submission.appeal
    logger.info("consultation %s on policy %s", appeal.number, policy_id)
    return confirm(received.submission, "portal.submitted")


def _item_page(policy: Policy, *, status: int = 200, **context: Any) -> Response:
    parent = None
    if policy.parent_id is not None:
        candidate = session().get(Policy, policy.parent_id)
        parent = candidate if candidate and candidate.status == "published" else None
    if not context["values"].get("title"):
        context["values"]["title"] = f"咨询：{policy.title}"[:200]
    return _page(
        "policies/show.html",
        status=status,
        policy=policy,
        parent=parent,
        blocks=paragraphs(policy.body),
        interpretations=service.interpretations(session(), policy),
        **context,
    )


def _page(template: str, *, status: int = 200, **context: Any) -> Response:
    # The consultation form and its confirmation carry personal data and the
    # query code: like the portal's pages, never cached.
    context.setdefault("levels", LEVELS)
    context.setdefault("kinds", KINDS)
    context.setdefault("industries", INDUSTRIES)
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    return response
