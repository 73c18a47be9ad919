"""Shared fixtures: the app on SQLite and on PostgreSQL, staff accounts, an API client.

Every test that uses ``app`` runs once per database. PostgreSQL is used when
``BANGBAN_TEST_DATABASE_URL`` names a server (``.ci/run`` sets it when one answers
on 127.0.0.1:5432); otherwise those runs are skipped with the reason shown.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from engine import deployment, enterprises
from engine.db import Base
from engine.directory import Department, create_user
from webapp import MIGRATIONS, create_app, throttle
from webapp.extensions import db, runtime

# Browser fixtures live in tests/browsing.py.
pytest_plugins = ["browsing"]

REPOSITORY = Path(__file__).resolve().parent.parent
APPEAL_BPMN = REPOSITORY / "workflows" / "appeal.bpmn"
SHARED_DATA = REPOSITORY.parent / "shared" / "data"

DEPARTMENTS = {
    "zjj": "市住房和城乡建设局",
    "rsj": "市人力资源和社会保障局",
    "jtj": "市交通运输局",
    "gxj": "市工业和信息化局",
}
STAFF = {
    "dispatcher": ["dispatcher"],
    "dispatcher2": ["dispatcher"],
    "reviewer": ["reviewer"],
    "hotline": ["hotline"],
    "admin": ["admin"],
}
PASSWORD = "secret-for-tests"
CREDIT_CODE = "91321100MA1N2K3L4E"
# A minimal PDF file: the scans people upload (extension material, licences).
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def _database_urls() -> list[Any]:
    postgres = os.environ.get("BANGBAN_TEST_DATABASE_URL")
    skip = pytest.mark.skip(
        reason="PostgreSQL not tested: BANGBAN_TEST_DATABASE_URL is not set"
    )
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param(postgres, id="postgresql", marks=() if postgres else skip),
    ]


@pytest.fixture(scope="session", params=_database_urls())
def migrated_app(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    """An app whose schema was built by the Alembic migrations, once per database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'bangban.sqlite3'}"
    else:
        url = _worker_database(request.param)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "TESTING": True,
            "SECRET_KEY": "test-secret",
        }
    )
    with app.app_context():
        if not url.startswith("sqlite"):
            # Start from an empty database so that the migrations themselves run.
            Base.metadata.drop_all(db.engine)
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=MIGRATIONS)
    yield app


def _worker_database(url: str) -> str:
    """The PostgreSQL database of this pytest-xdist worker, created when missing.

    Workers run at once and each empties its tables between tests, so each needs
    its own database: ``test`` becomes ``test_gw0``, ``test_gw1``...; without
    xdist the database named in the URL is used as it is.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    server = create_engine(base, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        known = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
        )
        if not known:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _empty_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    """The app with empty tables, the appeal flow deployed, staff and departments.

    No app context stays pushed during the test: requests must each get their own,
    as in production, or they would share one session and its transaction.
    """
    # Failed sign-ins and look-ups of earlier tests are forgotten.
    throttle.reset(migrated_app)
    with migrated_app.app_context():
        _empty_tables()
        runtime().clear_caches()
        for code, name in DEPARTMENTS.items():
            db.session.add(Department(code=code, name=name))
        db.session.flush()
        for username, roles in STAFF.items():
            create_user(
                db.session, username, PASSWORD, display_name=username, roles=roles
            )
        for code in DEPARTMENTS:
            create_user(
                db.session,
                f"handler-{code}",
                PASSWORD,
                display_name=f"handler {code}",
                roles=["handler"],
                department_code=code,
            )
        deployment.deploy_path(db.session, APPEAL_BPMN, deployed_by="tests")
        db.session.commit()
    yield migrated_app


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A plain SQLAlchemy session on the test database, for engine tests."""
    with app.app_context():
        engine = db.engine
    with Session(engine) as plain:
        yield plain


def bpmn_fixture(name: str, **replacements: str) -> bytes:
    """A BPMN file from ``tests/data`` with placeholders replaced."""
    source = (REPOSITORY / "tests" / "data" / name).read_text(encoding="utf-8")
    for placeholder, value in replacements.items():
        source = source.replace(placeholder, value)
    return source.encode("utf-8")


@dataclass
class Api:
    """A thin JSON client for API v1 with bearer tokens per user."""

    client: FlaskClient
    tokens: dict[str, str]

    def login(self, username: str) -> str:
        if username not in self.tokens:
            response = self.client.post(
                "/api/v1/auth/token", json={"username": username, "password": PASSWORD}
            )
            assert response.status_code == 200, response.json
            self.tokens[username] = response.json["token"]
        return self.tokens[username]

    def _headers(self, user: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.login(user)}"} if user else {}

    def get(self, path: str, user: str | None = None, **params: Any) -> Any:
        return self.client.get(
            f"/api/v1{path}", headers=self._headers(user), query_string=params
        )

    def post(self, path: str, body: Any = None, user: str | None = None) -> Any:
        return self.client.post(
            f"/api/v1{path}",
            json=body if body is not None else {},
            headers=self._headers(user),
        )


@pytest.fixture
def api(app: Flask) -> Api:
    return Api(app.test_client(), {})


VALID_APPEAL = {
    "enterprise_name": "镇江恒泰精密机械有限公司",
    "credit_code": "91321100MA1N2K3L4E",
    "contact_name": "刘建国",
    "phone": "13805291234",
    "category": "城乡建设",
    "title": "厂区道路积水影响通行",
    "content": "园区南门道路每逢下雨积水严重，货车无法进出，请尽快疏通排水管网。",
}


@dataclass
class Appellant:
    """One submitted appeal, as its appellant knows it: number and query code."""

    number: str
    query_code: str


@dataclass
class Driver:
    """Walks appeals through the flow over the API, as staff would."""

    api: Api

    def submit(self, user: str | None = None, **changes: Any) -> Appellant:
        response = self.api.post("/appeals", {**VALID_APPEAL, **changes}, user=user)
        assert response.status_code == 201, response.json
        return Appellant(response.json["number"], response.json["query_code"])

    def task(self, user: str, number: str, step_id: str) -> dict[str, Any]:
        """The open task of ``step_id`` for ``number`` in ``user``'s inbox."""
        response = self.api.get("/tasks", user=user)
        assert response.status_code == 200, response.json
        found = [
            item
            for item in response.json["items"]
            if item["appeal_number"] == number and item["step_id"] == step_id
        ]
        assert found, f"{step_id} of {number} not in {user}'s inbox"
        return found[0]

    def complete(
        self, user: str, number: str, step_id: str, values: dict[str, Any], **kw: Any
    ) -> Any:
        task = self.task(user, number, step_id)
        body = {"values": values, **kw}
        response = self.api.post(f"/tasks/{task['id']}/complete", body, user=user)
        assert response.status_code == 200, response.json
        return response.json

    def public(self, appellant: Appellant) -> dict[str, Any]:
        response = self.api.get(
            f"/appeals/{appellant.number}", query_code=appellant.query_code
        )
        assert response.status_code == 200, response.json
        result: dict[str, Any] = response.json
        return result

    def dispatch(self, number: str, lead: str, co: list[str] | None = None) -> None:
        values = {"decision": "dispatch", "lead_department": lead}
        values["co_departments"] = co or []
        self.complete("dispatcher", number, "triage", values)

    def accept(self, number: str, *departments: str) -> None:
        for code in departments:
            self.complete(
                f"handler-{code}", number, "accept_appeal", {"decision": "accept"}
            )

    def reply(self, number: str, lead: str, text: str) -> None:
        values = {"decision": "reply", "reply": text}
        self.complete(f"handler-{lead}", number, "handle_appeal", values)

    def review(self, number: str, decision: str, comment: str | None = None) -> None:
        values = {"decision": decision, "comment": comment}
        self.complete("reviewer", number, "review_reply", values)

    def publish(self, number: str, lead: str, text: str) -> None:
        """Dispatch to ``lead`` alone, accept, reply ``text`` and publish it."""
        self.dispatch(number, lead)
        self.accept(number, lead)
        self.reply(number, lead, text)
        self.review(number, "publish")

    def rate(self, appellant: Appellant, rating: str, comment: str = "") -> Any:
        body = {
            "query_code": appellant.query_code,
            "rating": rating,
            "comment": comment,
        }
        return self.api.post(f"/appeals/{appellant.number}/rating", body)


@pytest.fixture
def driver(api: Api) -> Driver:
    return Driver(api)


@pytest.fixture
def pages(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Flask:
    """The app with CSRF checks off, so that tests can post forms directly."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    return app


@pytest.fixture
def enterprise(pages: Flask) -> str:
    """A registered enterprise (password ``PASSWORD``); its credit code.

    CSRF checks are off (``pages``) so that its sign-in form can be posted.
    """
    with pages.app_context():
        register_enterprise(CREDIT_CODE)
        db.session.commit()
    return CREDIT_CODE


def register_enterprise(
    credit_code: str,
    name: str = "镇江恒泰精密机械有限公司",
    contact_name: str = "刘建国",
    phone: str = "13805291234",
) -> None:
    """Sign up a registered enterprise (password ``PASSWORD``) in the app context's
    session; the caller commits."""
    enterprises.create(
        db.session,
        name=name,
        credit_code=credit_code,
        contact_name=contact_name,
        phone=phone,
        password=PASSWORD,
    )


def signed_in(app: Flask, username: str) -> FlaskClient:
    """A test client signed in on the staff login page as ``username``."""
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client
