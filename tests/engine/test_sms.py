"""SMS delivery of the notification outbox: senders, retries with backoff."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import time_machine
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from conftest import Driver
from engine.clock import SHANGHAI
from engine.notifications import Notification, notify
from engine.sms import HttpGatewaySender, LoggingSender
from engine.sms_delivery import deliver_due
from webapp.cli import main
from webapp.extensions import db

T0 = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
MINUTE = timedelta(minutes=1)


class Gateway:
    """A real HTTP server in a thread that answers 500 to the first ``fail`` posts."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.received: list[tuple[dict[str, Any], str | None]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                body = json.loads(self.rfile.read(length))
                gateway.received.append((body, self.headers.get("Authorization")))
                failing = len(gateway.received) <= gateway.fail
                self.send_response(500 if failing else 200)
                self.end_headers()
                self.wfile.write(b"busy" if failing else b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sessions(app: Flask) -> sessionmaker[Session]:
    with app.app_context():
        return sessionmaker(db.engine)


@pytest.fixture
def flaky_gateway() -> Iterator[Gateway]:
    gateway = Gateway(fail=1)
    yield gateway
    gateway.close()


def queue_text(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        notice = notify(
            session,
            kind="appellant",
            message="您的诉求20261203-0001已受理，正由相关部门办理。",
            business_key="20261203-0001",
            sms_phone="13805291234",
        )
        session.commit()
        return notice.id


def notice_of(sessions: sessionmaker[Session], notice_id: int) -> Notification:
    with sessions() as session:
        notice = session.get(Notification, notice_id)
        assert notice is not None
        session.expunge(notice)
        return notice


def test_http_gateway_failure_is_retried_after_the_backoff(
    sessions: sessionmaker[Session], flaky_gateway: Gateway
) -> None:
    sender = HttpGatewaySender(flaky_gateway.url, token="gw-token")
    with time_machine.travel(T0, tick=False):
        notice_id = queue_text(sessions)
        first = deliver_due(sessions, sender, max_attempts=3, base_delay=MINUTE)

    failed = notice_of(sessions, notice_id)
    assert (first.sent, first.failed) == (0, 1)
    assert failed.sms_attempts == 1 and failed.sms_sent_at is None
    assert failed.sms_next_at == T0 + MINUTE
    assert failed.sms_error is not None and "500" in failed.sms_error

    with time_machine.travel(T0 + MINUTE / 2, tick=False):
        early = deliver_due(sessions, sender, max_attempts=3, base_delay=MINUTE)
    assert (early.sent, early.failed) == (0, 0)
    assert len(flaky_gateway.received) == 1

    with time_machine.travel(T0 + MINUTE, tick=False):
        second = deliver_due(sessions, sender, max_attempts=3, base_delay=MINUTE)

    sent = notice_of(sessions, notice_id)
    assert second.sent == 1
    assert sent.sms_attempts == 2 and sent.sms_sent_at == T0 + MINUTE
    assert sent.sms_next_at is None and sent.sms_error is None
    body, auth = flaky_gateway.received[-1]
    assert body == {"phone": "13805291234", "message": sent.message}
    assert auth == "Bearer gw-token"


def test_backoff_doubles_and_a_text_is_given_up_with_an_error(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    down = Gateway(fail=100)
    sender = HttpGatewaySender(down.url)
    moment = T0
    with time_machine.travel(moment, tick=False):
        notice_id = queue_text(sessions)
    try:
        waits = []
        for _attempt in range(3):
            with time_machine.travel(moment, tick=False):
                deliver_due(sessions, sender, max_attempts=3, base_delay=MINUTE)
            notice = notice_of(sessions, notice_id)
            if notice.sms_next_at is not None:
                waits.append(notice.sms_next_at - moment)
                moment = notice.sms_next_at
    finally:
        down.close()

    assert waits == [MINUTE, 2 * MINUTE]
    assert notice.sms_attempts == 3 and notice.sms_next_at is None
    assert notice.sms_sent_at is None
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any("given up after 3 attempts" in r.getMessage() for r in errors)
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        later = deliver_due(sessions, sender, max_attempts=3, base_delay=MINUTE)
    assert (later.sent, later.failed, later.gave_up) == (0, 0, 0)
    assert len(down.received) == 3


def test_logging_backend_writes_the_text_with_the_number_masked(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    notice_id = queue_text(sessions)
    caplog.set_level(logging.INFO, logger="engine.sms")

    result = deliver_due(sessions, LoggingSender())

    assert result.sent == 1
    lines = [r.getMessage() for r in caplog.records if r.name == "engine.sms"]
    assert lines == [
        "SMS (not sent, logging backend) to 138****1234: "
        "您的诉求20261203-0001已受理，正由相关部门办理。"
    ]
    assert notice_of(sessions, notice_id).sms_sent_at is not None


def test_dispatch_queues_a_text_and_the_cli_sends_it(
    app: Flask, driver: Driver, sessions: sessionmaker[Session]
) -> None:
    appellant = driver.submit()
    driver.dispatch(appellant.number, "zjj")

    with sessions() as session:
        texts = list(
            session.scalars(
                select(Notification).where(Notification.sms_phone.is_not(None))
            )
        )
    assert [(n.sms_phone, n.business_key) for n in texts] == [
        ("13805291234", appellant.number)
    ]
    assert texts[0].message == f"您的诉求{appellant.number}已受理，正由相关部门办理。"

    env = {"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    result = CliRunner().invoke(main, ["sms", "run-once"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 texts sent, 0 failed (will be retried), 0 given up" in result.output
    assert notice_of(sessions, texts[0].id).sms_sent_at is not None
