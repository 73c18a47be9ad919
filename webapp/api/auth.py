"""Bearer tokens for the API: signed, expiring, tied to an active account.

Staff sign in with username and password; a registered enterprise (注册企业) with
its credit code and password. A staff token names the user's id, an enterprise's
``enterprise:<id>``; an enterprise's token serves submitting appeals and "my
appeals" (``/account/...``) only. Failed attempts are throttled like the pages'
(``webapp.throttle``).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine import enterprises
from engine.directory import User, authenticate
from engine.enterprises import Enterprise
from engine.errors import PermissionDenied
from engine.runtime import Actor
from webapp.api import bp
from webapp.api.errors import BadRequest, Unauthorized
from webapp.extensions import db, session
from webapp.throttle import attempt_sign_in

_SALT = "bangban-api-token"
_ENTERPRISE = "enterprise:"


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


def _token_subject(required: bool) -> int | str | None:
    """What the request's bearer token names; 401 when required and absent."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        if required:
            raise Unauthorized("请先登录：在 Authorization 头中提供 Bearer 令牌。")
        return None
    try:
        subject: int | str = _serializer().loads(
            token.strip(),
            max_age=current_app.config["BANGBAN_TOKEN_MAX_AGE"],
        )
    except SignatureExpired:
        raise Unauthorized("登录已过期，请重新获取令牌。") from None
    except BadSignature:
        raise Unauthorized("令牌无效，请重新登录。") from None
    return subject


def current_caller(required: bool = True) -> User | Enterprise | None:
    """The staff user or registered enterprise of the request's bearer token."""
    subject = _token_subject(required)
    if subject is None:
        return None
    caller: User | Enterprise | None
    if isinstance(subject, str) and subject.startswith(_ENTERPRISE):
        caller = enterprises.find(session(), int(subject.removeprefix(_ENTERPRISE)))
    else:
        caller = db.session.get(User, subject)
        caller = caller if caller is not None and caller.active else None
    if caller is None:
        raise Unauthorized("账号不存在或已停用。")
    return caller


def current_user(required: bool = True) -> User | None:
    """The staff user of the request's bearer token; 401 when required and absent.

    An enterprise's token is refused (403): its endpoints are ``/account/...``.
    """
    caller = current_caller(required)
    if isinstance(caller, Enterprise):
        raise PermissionDenied(
            "企业账号的令牌只能用于提交诉求和“我的诉求”接口（/api/v1/account/...）。"
        )
    return caller


def current_enterprise() -> Enterprise:
    """The registered enterprise of the request's bearer token (401, 403)."""
    caller = current_caller()
    if not isinstance(caller, Enterprise):
        raise PermissionDenied("只有注册企业的令牌可以使用“我的诉求”接口。")
    return caller


def actor_of(user: User) -> Actor:
    return Actor(user.username, frozenset(user.groups))


@bp.post("/auth/token")
def issue_token() -> Any:
    """Exchange a username (staff) or a credit code (enterprise) and password for a
    bearer token; 429 with ``Retry-After`` after too many failures."""
    body = json_body()
    password = str(body.get("password", ""))
    if "credit_code" in body:
        return _enterprise_token(str(body.get("credit_code", "")), password)

    username = str(body.get("username", ""))[:150]
    user = attempt_sign_in(
        "staff", username, lambda: authenticate(session(), username, password)
    )
    if user is None:
        raise Unauthorized("用户名或密码错误。")
    return _token_answer(
        user.id,
        user={
            "username": user.username,
            "display_name": user.display_name,
            "roles": user.role_list,
            "department": user.department_code,
        },
    )


def _enterprise_token(credit_code: str, password: str) -> Any:
    code = credit_code.strip()[:30]
    account = attempt_sign_in(
        "enterprise",
        code,
        lambda: enterprises.authenticate(session(), code, password),
    )
    if account is None:
        raise Unauthorized("统一社会信用代码或密码错误。")
    return _token_answer(
        f"{_ENTERPRISE}{account.id}",
        enterprise={"name": account.name, "credit_code": account.credit_code},
    )


def _token_answer(subject: int | str, **who: Any) -> Any:
    return jsonify(
        token=_serializer().dumps(subject),
        token_type="Bearer",
        expires_in=current_app.config["BANGBAN_TOKEN_MAX_AGE"],
        **who,
    )
