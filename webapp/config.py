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
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

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


def _seconds(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(
            f"{name} must be a positive whole number of seconds, got {raw!r}"
        )
    return int(raw)


def from_environment(instance_path: str) -> dict[str, Any]:
    """The app's configuration mapping, read from ``BANGBAN_*`` variables."""
    folder = Path(instance_path)
    env = os.environ.get("BANGBAN_ENV", "development")
    if env not in {"development", "production"}:
        raise ConfigError("BANGBAN_ENV must be 'development' or 'production'")
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
        # Largest request body; an appeal or a BPMN file is far smaller.
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    }
