"""One place that turns every failure into a JSON answer and rolls back."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    Conflict,
    DefinitionInvalid,
    EngineError,
    FormInvalid,
    NotDeployed,
    NotFound,
    PermissionDenied,
)
from webapp.api import bp
from webapp.extensions import db
from webapp.pages import error_page
from webapp.throttle import TooManyAttempts

logger = logging.getLogger(__name__)

_STATUS = {NotFound: 404, PermissionDenied: 403, Conflict: 409, NotDeployed: 503}


class Unauthorized(EngineError):
    code = "unauthorized"


class BadRequest(EngineError):
    code = "bad_request"


def error_response(status: int, code: str, message: str, **extra: Any) -> Response:
    response = jsonify({"error": {"code": code, "message": message, **extra}})
    response.status_code = status
    return response


@bp.errorhandler(EngineError)
def engine_error(exc: EngineError) -> Response:
    db.session.rollback()
    if isinstance(exc, FormInvalid):
        fields = [{"field": e.field, "message": e.message} for e in exc.errors]
        return error_response(422, exc.code, exc.message, fields=fields)
    if isinstance(exc, DefinitionInvalid):
        problems = [
            {"file": p.file, "line": p.line, "element": p.element, "message": p.message}
            for p in exc.problems
        ]
        return error_response(422, exc.code, exc.message, problems=problems)
    if isinstance(exc, Unauthorized):
        return error_response(401, exc.code, exc.message)
    if isinstance(exc, BadRequest):
        return error_response(400, exc.code, exc.message)
    if isinstance(exc, TooManyAttempts):
        response = error_response(
            429, exc.code, exc.message, retry_after=exc.retry_after
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    status = next((s for cls, s in _STATUS.items() if isinstance(exc, cls)), 422)
    return error_response(status, exc.code, exc.message)


_HTTP_MESSAGES = {
    400: "请求格式有误。",
    404: "请求的地址不存在。",
    405: "不支持该请求方法。",
    413: "请求内容过大。",
}


@bp.app_errorhandler(HTTPException)
def http_error(exc: HTTPException) -> Response | tuple[str, int]:
    """JSON for API paths (routing errors never reach the blueprint's handlers),
    a Chinese page for the others."""
    if not request.path.startswith(bp.url_prefix or "/api/"):
        return error_page(exc)
    db.session.rollback()
    status = exc.code or 500
    message = _HTTP_MESSAGES.get(status, "请求失败。")
    return error_response(status, f"http_{status}", message)


@bp.errorhandler(Exception)
def unexpected_error(exc: Exception) -> Response | tuple[str, int]:
    if isinstance(exc, HTTPException):
        # The blueprint's catch-all is chosen before the app's HTTP handler.
        return http_error(exc)
    db.session.rollback()
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response(
        500, "server_error", "服务器内部错误，请稍后重试或联系技术支持。"
    )
