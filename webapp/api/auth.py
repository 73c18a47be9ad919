"""Bearer tokens for the API: signed, expiring, tied to an active account."""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine.directory import User, authenticate
from engine.runtime import Actor
from webapp.api import bp
from webapp.api.errors import BadRequest, Unauthorized
from webapp.extensions import db, session

_SALT = "bangban-api-token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 in Chinese."""
    try:
        body = request.get_json(silent=True)
    except RecursionError:
        # Deeply nested arrays exhaust the JSON decoder's recursion.
        body = None
    if not isinstance(body, dict):
        raise BadRequest("请求体应为 JSON 对象。")
    if _has_lone_surrogate(body):
        raise BadRequest(
            "请求中含有无法识别的字符（不成对的 UTF-16 代理项），请检查编码。"
        )
    return body


def _has_lone_surrogate(value: Any) -> bool:
    """Whether any key or text in the parsed JSON holds a lone surrogate.

    JSON may escape one (``"\\ud800"``); such text cannot be stored as UTF-8
    and would fail deep inside a query, so it is refused at the door.
    """
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str) and any("\ud800" <= c <= "\udfff" for c in item):
            return True
    return False


def current_user(required: bool = True) -> User | None:
    """The user of the request's bearer token; 401 when required and absent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        if required:
            raise Unauthorized("请先登录：在 Authorization 头中提供 Bearer 令牌。")
        return None
    try:
        user_id = _serializer().loads(
            token.strip(),
            max_age=current_app.config["BANGBAN_TOKEN_MAX_AGE"],
        )
    except SignatureExpired:
        raise Unauthorized("登录已过期，请重新获取令牌。") from None
    except BadSignature:
        raise Unauthorized("令牌无效，请重新登录。") from None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("账号不存在或已停用。")
    return user


def actor_of(user: User) -> Actor:
    return Actor(user.username, frozenset(user.groups))


@bp.post("/auth/token")
def issue_token() -> Any:
    """Exchange a username and password for a bearer token."""
    body = json_body()
    user = authenticate(
        session(), str(body.get("username", "")), str(body.get("password", ""))
    )
    if user is None:
        raise Unauthorized("用户名或密码错误。")
    token = _serializer().dumps(user.id)
    return jsonify(
        token=token,
        token_type="Bearer",
        expires_in=current_app.config["BANGBAN_TOKEN_MAX_AGE"],
        user={
            "username": user.username,
            "display_name": user.display_name,
            "roles": user.role_list,
            "department": user.department_code,
        },
    )
