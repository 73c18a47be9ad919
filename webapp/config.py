"""Configuration (配置): every key read from the environment once, with its default.

- ``BANGBAN_ENV``: ``development`` (default) or ``production``; production
  refuses demo data and requires a secret key.
- ``BANGBAN_DATABASE_URL``: SQLAlchemy URL; default a SQLite file in the instance
  folder (``instance/bangban.sqlite3``); PostgreSQL in production.
- ``BANGBAN_SECRET_KEY``: signs sessions and API tokens; in development a random
  key is created once and kept in ``instance/secret_key``.
- ``BANGBAN_WORKFLOWS_DIR``: BPMN files deployed by ``bangban init``; default the
  repository's ``workflows/``.
- ``BANGBAN_TOKEN_MAX_AGE``: lifetime of an API bearer token in seconds; default
  28800 (8 hours).
- ``BANGBAN_TIMER_INTERVAL``: seconds between two sweeps of the timer service;
  default 30.
- ``BANGBAN_ATTACHMENTS_DIR``: the folder where uploaded attachments (附件) are
  kept, each named by its SHA-256; default ``instance/attachments``.
- ``BANGBAN_ATTACHMENT_MAX_BYTES``: the largest file one upload may be; default
  10485760 (10 MB). A task form's request may carry five such files plus 1 MB;
  every other request stays within 4 MB.
- ``BANGBAN_SMS_BACKEND``: ``log`` (default: texts are written to the log, not
  sent) or ``http`` (texts are POSTed to a gateway).
- ``BANGBAN_SMS_GATEWAY_URL``: the gateway's URL, required with ``http``; it
  receives JSON ``{"phone": ..., "message": ...}`` and answers 2xx when it took it.
- ``BANGBAN_SMS_GATEWAY_TOKEN``: sent as ``Authorization: Bearer <token>`` when set.
- ``BANGBAN_SMS_INTERVAL``: seconds between two runs of the SMS delivery job in
  the timer service; default 60.
- ``BANGBAN_SMS_MAX_ATTEMPTS``: failed sends of one text before it is given up
  (logged at ERROR); default 5.
- ``BANGBAN_SMS_RETRY_SECONDS``: wait after the first failed send, doubled after
  each further failure; default 60.
- ``BANGBAN_PROXY_COUNT``: how many reverse proxies stand in front of Bangban and
  set ``X-Forwarded-For`` / ``X-Forwarded-Proto``; default 0 (clients connect
  directly; forwarded headers are ignored, as anyone could send them). Behind one
  nginx, set 1, or every client has the proxy's address and one guesser blocks all.
- ``BANGBAN_RATELIMIT_STORAGE_URI``: where failed sign-ins and look-ups are counted
  (a ``limits`` storage URI); default ``memory://`` (per process); with several
  worker processes use a shared one, e.g. ``redis://127.0.0.1:6379`` (needs the
  ``redis`` package).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from engine.attachments import DEFAULT_MAX_BYTES, MAX_FILES_PER_FIELD
from engine.sms import BACKENDS as SMS_BACKENDS

REPOSITORY = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which key to fix."""


def _secret_key(instance_path: Path, env: str) -> str:
    configured = os.environ.get("BANGBAN_SECRET_KEY")
    if configured:
        return configured
    if env == "production":
        raise ConfigError(
            "BANGBAN_SECRET_KEY must be set in production: sessions and API tokens "
            "are signed with it."
        )
    # Development: a random key kept in the instance folder, so that tokens survive
    # a restart without a guessable fallback.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _seconds(name: str, default: int, unit: str = "seconds") -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(
            f"{name} must be a positive whole number of {unit}, got {raw!r}"
        )
    return int(raw)


def _count(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit():
        raise ConfigError(f"{name} must be a whole number (0 or more), got {raw!r}")
    return int(raw)


def from_environment(instance_path: str) -> dict[str, Any]:
    """The app's configuration mapping, read from ``BANGBAN_*`` variables."""
    folder = Path(instance_path)
    env = os.environ.get("BANGBAN_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError("BANGBAN_ENV must be 'development' or 'production'")
    max_upload = _seconds("BANGBAN_ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES, "bytes")
    database_url = os.environ.get(
        "BANGBAN_DATABASE_URL", f"sqlite:///{folder / 'bangban.sqlite3'}"
    )
    return {
        "BANGBAN_ENV": env,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": _secret_key(folder, env),
        "BANGBAN_WORKFLOWS_DIR": os.environ.get(
            "BANGBAN_WORKFLOWS_DIR", str(REPOSITORY / "workflows")
        ),
        "BANGBAN_TOKEN_MAX_AGE": _seconds("BANGBAN_TOKEN_MAX_AGE", 28800),
        "BANGBAN_TIMER_INTERVAL": _seconds("BANGBAN_TIMER_INTERVAL", 30),
        # Largest request body; an appeal or a BPMN file is far smaller. Task
        # forms with uploads get BANGBAN_UPLOAD_REQUEST_MAX_BYTES instead.
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "BANGBAN_PROXY_COUNT": _count("BANGBAN_PROXY_COUNT", 0),
        "BANGBAN_RATELIMIT_STORAGE_URI": os.environ.get(
            "BANGBAN_RATELIMIT_STORAGE_URI", "memory://"
        ),
        **_attachment_settings(folder, max_upload),
        **_sms_settings(),
    }


def _attachment_settings(folder: Path, max_upload: int) -> dict[str, Any]:
    return {
        "BANGBAN_ATTACHMENTS_DIR": os.environ.get(
            "BANGBAN_ATTACHMENTS_DIR", str(folder / "attachments")
        ),
        "BANGBAN_ATTACHMENT_MAX_BYTES": max_upload,
        "BANGBAN_UPLOAD_REQUEST_MAX_BYTES": MAX_FILES_PER_FIELD * max_upload
        + 1024 * 1024,
    }


def _sms_settings() -> dict[str, Any]:
    backend = os.environ.get("BANGBAN_SMS_BACKEND") or "log"
    url = os.environ.get("BANGBAN_SMS_GATEWAY_URL") or None
    if backend not in SMS_BACKENDS:
        raise ConfigError(
            f"BANGBAN_SMS_BACKEND must be 'log' or 'http', not {backend!r}"
        )
    if backend == "http" and not url:
        raise ConfigError("BANGBAN_SMS_BACKEND=http needs BANGBAN_SMS_GATEWAY_URL")
    return {
        "BANGBAN_SMS_BACKEND": backend,
        "BANGBAN_SMS_GATEWAY_URL": url,
        "BANGBAN_SMS_GATEWAY_TOKEN": os.environ.get("BANGBAN_SMS_GATEWAY_TOKEN")
        or None,
        "BANGBAN_SMS_INTERVAL": _seconds("BANGBAN_SMS_INTERVAL", 60),
        "BANGBAN_SMS_MAX_ATTEMPTS": _seconds("BANGBAN_SMS_MAX_ATTEMPTS", 5, "attempts"),
        "BANGBAN_SMS_RETRY_SECONDS": _seconds("BANGBAN_SMS_RETRY_SECONDS", 60),
    }
