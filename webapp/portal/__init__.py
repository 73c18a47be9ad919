"""The public portal (门户): submit an appeal, follow it, rate the result."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("portal", __name__)

# Views register themselves on ``bp`` when their module is imported.
from webapp.portal import views  # noqa: E402, F401
