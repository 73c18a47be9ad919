"""My appeals over the API (我的诉求, clause 5.2.2.4), with an enterprise's token.

A registered enterprise gets its token from ``POST /auth/token`` with its credit
code and password; it lists its own appeals, reads one and rates it without a
query code. Another enterprise's appeal answers 404, like an unknown number.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine import enterprises
from webapp.api import bp
from webapp.api.appeals import public_view, rated
from webapp.api.auth import current_enterprise, json_body
from webapp.extensions import session


@bp.get("/account/appeals")
def list_own_appeals() -> Any:
    """The enterprise's appeals, newest first (at most 100)."""
    account = current_enterprise()
    items = [public_view(a) for a in enterprises.appeals_of(session(), account)]
    return jsonify(items=items, total=len(items))


@bp.get("/account/appeals/<number>")
def show_own_appeal(number: str) -> Any:
    """One of the enterprise's appeals: status, timeline, published result."""
    account = current_enterprise()
    return jsonify(public_view(enterprises.appeal_of(session(), account, number)))


@bp.post("/account/appeals/<number>/rating")
def rate_own_appeal(number: str) -> Any:
    """Rate one of the enterprise's published appeals: ``rating``, ``comment``."""
    account = current_enterprise()
    body = json_body()
    return rated(enterprises.appeal_of(session(), account, number), body)
