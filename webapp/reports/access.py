"""Who reads the evaluation reports and who records assessments."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

# Roles that read the reports: the assessors and experts they are made for, and
# the platform staff who run the service.
READERS = {"assessor", "expert", "admin", "dispatcher", "reviewer", "owner"}
# Roles that record scored assessments of departments (第三方评价, 专家评议).
ASSESSORS = {"assessor", "expert"}


def may_read() -> bool:
    """Whether the signed-in user may read the reports (for the nav link too)."""
    return bool(
        current_user.is_authenticated and READERS.intersection(current_user.roles)
    )


def require(roles: set[str]) -> None:
    """Answer 403 unless the signed-in user has one of ``roles``."""
    if not roles.intersection(current_user.roles):
        abort(403)
