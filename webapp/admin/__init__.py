"""Admin pages (管理): process versions, users, departments, groups, holidays.

Admins (技术支持) may do everything here; process owners (流程负责人) deploy
definitions and read versions, diffs and diagrams.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")

ADMINS = {"admin"}
DEPLOYERS = {"admin", "owner"}


def roles_required(roles: set[str]) -> Callable[[Callable[..., Any]], Any]:
    """Signed in with one of ``roles``, or a 403 page."""

    def decorate(view: Callable[..., Any]) -> Any:
        @wraps(view)
        @login_required
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not roles.intersection(current_user.roles):
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


# Views register themselves on ``bp`` when their modules are imported.
from webapp.admin import definitions, holidays, people  # noqa: E402, F401
