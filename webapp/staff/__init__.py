"""Staff pages (工作台): sign-in, the task inbox, task forms, appeal details."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="")

# Views register themselves on ``bp`` when their modules are imported.
from webapp.staff import (  # noqa: E402, F401
    appeals,
    auth,
    hotline,
    notices,
    operations,
    views,
)
