"""Staff sign-in for the pages (Flask-Login): sessions that expire.

The engine's ``User`` knows nothing of Flask; ``StaffUser`` adapts it to what
Flask-Login expects. The API keeps its bearer tokens (``webapp.api.auth``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_login import UserMixin

from engine.directory import User
from engine.runtime import Actor
from webapp.extensions import db, login_manager

SESSION_LIFETIME = timedelta(hours=8)


class StaffUser(UserMixin):
    """A signed-in staff member, as the pages see them."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def display_name(self) -> str:
        return self.user.display_name

    @property
    def roles(self) -> list[str]:
        return self.user.role_list

    @property
    def actor(self) -> Actor:
        return Actor(self.user.username, frozenset(self.user.groups))


def _load(user_id: str) -> StaffUser | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return StaffUser(user) if user is not None and user.active else None


def init_app(app: Flask) -> None:
    """Attach Flask-Login: sign-in page, Chinese message, expiring sessions."""
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", SESSION_LIFETIME)
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.login_message = "请先登录。"
    login_manager.user_loader(_load)
