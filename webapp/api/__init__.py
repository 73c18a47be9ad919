"""JSON API v1 (``/api/v1``), described by ``openapi.json`` beside this file.

Errors are JSON: ``{"error": {"code": ..., "message": ...}}`` with a stable code for
programs and a Chinese message for people; form errors list every field.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# Routes register themselves on ``bp`` when their modules are imported.
from webapp.api import (  # noqa: E402, F401
    account,
    appeals,
    auth,
    definitions,
    errors,
    indicators,
    notifications,
    openapi,
    policies,
    services,
    tasks,
)
