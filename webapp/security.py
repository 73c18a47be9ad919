"""Sign-in for the pages (Flask-Login): staff and registered enterprises.

The engine's ``User`` and ``Enterprise`` know nothing of Flask; ``StaffUser`` and
``EnterpriseUser`` adapt them to what Flask-Login expects. One user loader serves
both: a session's id names its kind (``staff:12``, ``enterprise:3``). Staff pages
refuse enterprise accounts and the enterprise pages refuse staff (403). Sessions
expire ``PERMANENT_SESSION_LIFETIME`` after sign-in. The API keeps its bearer
tokens (``webapp.api.auth``).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, abort, flash, redirect, request, url_for
from flask_login import UserMixin, current_user, logout_user
from werkzeug.wrappers import Response

from engine import enterprises
from engine.directory import PERSONAL_GROUP, User
from engine.enterprises import Enterprise
from engine.runtime import Actor
from webapp.extensions import db, login_manager, session

SESSION_LIFETIME = timedelta(hours=8)

# The group every signed-in registered enterprise belongs to.
ENTERPRISE_GROUP = "enterprise"

# Which kind of account each blueprint's pages are for, and the pages of those
# blueprints that anyone may open (signing in as one kind replaces the other).
PAGES_OF_KIND = {"staff": "staff", "account": "enterprise"}
OPEN_TO_BOTH = {
    "staff.login",
    "staff.logout",
    "account.login",
    "account.signup",
    "account.logout",
}


class StaffUser(UserMixin):
    """A signed-in staff member, as the pages see them."""

    kind = "staff"
    is_staff = True
    is_enterprise = False

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return f"staff:{self.user.id}"

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


class EnterpriseUser(UserMixin):
    """A signed-in registered enterprise (注册企业), as the pages see it."""

    kind = "enterprise"
    is_staff = False
    is_enterprise = True

    def __init__(self, account: Enterprise) -> None:
        self.account = account

    def get_id(self) -> str:
        return self.account.recipient

    @property
    def display_name(self) -> str:
        return self.account.name

    @property
    def username(self) -> str:
        return self.account.recipient

    @property
    def roles(self) -> list[str]:
        return [ENTERPRISE_GROUP]

    @property
    def actor(self) -> Actor:
        """The enterprise as the engine sees it: steps addressed to it alone (the
        social services' request and rating) name ``user:enterprise:<id>``."""
        recipient = self.account.recipient
        personal = PERSONAL_GROUP + recipient
        return Actor(recipient, frozenset({ENTERPRISE_GROUP, personal}))


def safe_next(default_endpoint: str) -> str:
    """The ``next`` page after sign-in if it is on this site, else the default."""
    # Only paths on this site: an open redirect would let a link steal sign-ins.
    target = request.args.get("next")
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for(default_endpoint)


def sign_out(then: str) -> Response:
    """Sign whoever is signed in out, say so, and go to the ``then`` page."""
    logout_user()
    flash("您已退出登录。")
    return redirect(url_for(then))


def signed_in_enterprise() -> Enterprise | None:
    """The account of the signed-in enterprise, or None (anonymous or staff)."""
    if current_user.is_authenticated and current_user.kind == "enterprise":
        account: Enterprise = current_user.account
        return account
    return None


def _load(user_id: str) -> StaffUser | EnterpriseUser | None:
    kind, _, number = user_id.rpartition(":")
    if not number.isascii() or not number.isdigit():
        return None
    if kind == "enterprise":
        account = enterprises.find(session(), int(number))
        return EnterpriseUser(account) if account is not None else None
    # Sessions from before the kinds had prefixes hold a bare staff id.
    if kind not in {"staff", ""}:
        return None
    user = db.session.get(User, int(number))
    return StaffUser(user) if user is not None and user.active else None


def _keep_kinds_apart() -> None:
    """Refuse a signed-in account the other kind's pages (403)."""
    wanted = PAGES_OF_KIND.get(request.blueprint or "")
    if wanted is None or request.endpoint in OPEN_TO_BOTH:
        return
    if current_user.is_authenticated and current_user.kind != wanted:
        abort(403)


def init_app(app: Flask) -> None:
    """Attach Flask-Login: sign-in pages, Chinese message, expiring sessions."""
    # Flask always has a lifetime (31 days), so ``setdefault`` would keep it; the
    # signed session cookie is refused once older than this, for both kinds.
    app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    login_manager.init_app(app)
    login_manager.login_view = "staff.login"
    login_manager.blueprint_login_views = {"account": "account.login"}
    login_manager.login_message = "请先登录。"
    login_manager.user_loader(_load)
    app.before_request(_keep_kinds_apart)
