"""Registered enterprises' pages (注册企业): sign-up, sign-in, my appeals, notices."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/account")

# Views register themselves on ``bp`` when their modules are imported.
from webapp.account import appeals, auth, notices  # noqa: E402, F401
