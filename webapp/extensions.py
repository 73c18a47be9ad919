"""Flask extensions, created unbound and attached in ``create_app``."""

from __future__ import annotations

from flask import current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from engine.db import Base
from engine.runtime import Runtime

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()


def session() -> Session:
    """The request's database session (the scoped session's current one)."""
    current: Session = db.session()
    return current


def runtime() -> Runtime:
    """The workflow runtime of the current app."""
    value = current_app.extensions["bangban_runtime"]
    assert isinstance(value, Runtime)
    return value
