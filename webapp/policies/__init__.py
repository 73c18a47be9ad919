"""Policy information pages (政策服务): public search and reading, consultation,
and the information maintainers' pages to write, publish and withdraw."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("policies", __name__)

# Views register themselves on ``bp`` when their modules are imported.
from webapp.policies import maintain, views  # noqa: E402, F401
