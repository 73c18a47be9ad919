"""What every HTML page shares: the CSS toolkit, security headers, Chinese error pages,
the filters that show names and deadlines.

The API answers errors in JSON itself (``webapp.api.errors``); everything else
that fails with an HTTP error gets a page in Chinese here.
"""

from __future__ import annotations

from flask import Flask, Response, render_template
from flask_bootstrap import Bootstrap5
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from webapp import display

bootstrap = Bootstrap5()

# Pages load only their own scripts, styles and images: no CDN, since the
# platform may run on a closed government network.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; frame-ancestors 'none'; "
        "base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

ERROR_MESSAGES = {
    400: "请求有误，请检查后重试。",
    403: "您没有权限访问此页面。",
    404: "页面不存在，请检查地址是否正确。",
    405: "不支持该操作方式。",
    413: "上传的内容过大，请缩小后重试。",
    429: "操作过于频繁，请稍后再试。",
    500: "服务器内部错误，请稍后重试或联系技术支持。",
}


def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def error_page(exc: HTTPException) -> tuple[str, int]:
    """A Chinese error page; Flask turns an unhandled exception into a 500 here."""
    status = exc.code or 500
    message = ERROR_MESSAGES.get(status, ERROR_MESSAGES[400])
    if isinstance(exc, CSRFError):
        # An expired or missing form token: ask to reload rather than blame the user.
        message = "页面已过期或来源不明，请返回上一页刷新后重新提交。"
    return render_template("error.html", message=message), status


def init_app(app: Flask) -> None:
    app.config.setdefault("BOOTSTRAP_SERVE_LOCAL", True)
    bootstrap.init_app(app)
    display.init_app(app)
    app.after_request(add_security_headers)
