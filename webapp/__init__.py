"""Bangban's web app: the JSON API today, the portal and staff pages later.

Views parse input, check access, call an engine service and respond; each request
commits once and rolls back on any error.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.appeals.service import follow_instance
from engine.db import configure_sqlite
from engine.runtime import Runtime
from webapp import config as config_module
from webapp import pages, security, throttle, uploads
from webapp.deploying import MemoryRequest
from webapp.extensions import csrf, db, migrate

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment says."""
    app = Flask(__name__, instance_relative_config=True)
    app.request_class = MemoryRequest  # uploads stay in memory (webapp.deploying)

    # 1. Configuration: environment first, then the caller's overrides.
    app.config.update(config_module.from_environment(app.instance_path))
    app.config.update(config or {})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # SpiffWorkflow logs every task state change and APScheduler every run of the
    # timer sweep at INFO: too much for operators (the sweep logs what it fires).
    logging.getLogger("spiff").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)

    # 1b. Behind reverse proxies, the client's address and scheme are the ones
    #     they forward (only as many hops as configured are trusted).
    proxies = app.config["BANGBAN_PROXY_COUNT"]
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies
        )

    # 2. Database and migrations.
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS, render_as_batch=True)

    # 3. The workflow runtime, with the listeners that keep business records in
    #    step with their flows.
    runtime = Runtime()
    runtime.add_listener(follow_instance)
    app.extensions["bangban_runtime"] = runtime

    # 4. Sign-in for the pages and CSRF protection of their forms; the API uses
    #    bearer tokens instead, so it is exempt.
    security.init_app(app)
    throttle.init_app(app)  # counts failed sign-ins and query-code look-ups
    uploads.init_app(app)  # raises the body limit of task forms, before CSRF reads it
    csrf.init_app(app)

    # 5. What every page shares: the CSS toolkit served from this server, security
    #    headers and error pages in Chinese.
    pages.init_app(app)

    # 6. Blueprints: the JSON API, the public portal, registered enterprises'
    #    pages, the staff pages, administration.
    from webapp.account import bp as account_bp
    from webapp.admin import bp as admin_bp
    from webapp.api import bp as api_bp
    from webapp.policies import bp as policies_bp
    from webapp.portal import bp as portal_bp
    from webapp.reports import bp as reports_bp
    from webapp.services import bp as services_bp
    from webapp.staff import bp as staff_bp

    csrf.exempt(api_bp)
    for blueprint in (
        api_bp,
        portal_bp,
        account_bp,
        policies_bp,
        services_bp,
        staff_bp,
        admin_bp,
        reports_bp,
    ):
        app.register_blueprint(blueprint)
    return app
