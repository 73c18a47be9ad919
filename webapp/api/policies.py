"""Public policy endpoints (政策服务): search and read published policy information."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.policies import search, service
from webapp.api import bp
from webapp.extensions import session
from webapp.policies_view import detail, hit_view


@bp.get("/policies")
def search_policies() -> Any:
    """Ranked items for ``q`` with the filters, one page at a time."""
    filters = search.parse_filters(request.args)
    results = search.search(
        session(),
        request.args.get("q", ""),
        filters,
        page=search.parse_page(request.args.get("page")),
    )
    return jsonify(
        items=[hit_view(hit) for hit in results.hits],
        total=results.total,
        page=results.page,
        pages=results.pages,
        page_size=results.page_size,
        matched_all=results.matched_all,
        terms=[term.word for term in results.terms],
    )


@bp.get("/policies/<int:policy_id>")
def show_policy(policy_id: int) -> Any:
    """One published item with its interpretations; withdrawn ones answer 404."""
    policy = service.get_public(session(), policy_id)
    return jsonify(detail(policy, service.interpretations(session(), policy)))
