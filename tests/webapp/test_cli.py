"""The ``bangban`` command as an operator uses it, on a fresh SQLite database."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from conftest import bpmn_fixture
from engine import enterprises, notifications
from engine.appeals.models import Appeal
from engine.directory import User
from engine.models import ProcessDefinition
from webapp.cli import main

# What ``bangban init`` deploys from workflows/.
INITIAL_KEYS = ["appeal", "organisation_admission", "social_service"]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"BANGBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}"}


def _session(env: dict[str, str]) -> Session:
    return Session(create_engine(env["BANGBAN_DATABASE_URL"]))


def test_init_demo_creates_appeals_at_every_stage(env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["init", "--demo"], env=env)

    assert result.exit_code == 0, result.output
    assert "appeal.bpmn: appeal v1 deployed" in result.output
    with _session(env) as session:
        statuses = set(session.scalars(select(Appeal.status)))
        handlers = session.scalars(
            select(User.username).where(User.username.like("handler-%"))
        ).all()
        dispatcher = session.scalar(select(User).where(User.username == "dispatcher"))
    assert statuses == {
        "submitted",
        "returned",
        "handling",
        "reviewing",
        "published",
        "closed",
        "terminated",
    }
    assert len(handlers) == 10
    assert dispatcher is not None and dispatcher.check_password("demo")

    # The demo enterprise signs in with its credit code and owns two appeals.
    with _session(env) as session:
        account = enterprises.authenticate(session, "91321100MA1X9Y8Y76", "demo")
        assert account is not None
        owned = {a.status for a in enterprises.appeals_of(session, account)}
        unread = notifications.unread_count(session, account.recipient, frozenset())
    assert owned == {"handling", "published"}
    assert unread == 1  # "result published, please rate"

    again = CliRunner().invoke(main, ["init", "--demo"], env=env)
    assert again.exit_code == 0
    assert "appeal.bpmn: appeal v1 unchanged" in again.output
    assert "demo data already present" in again.output


def test_demo_is_refused_in_production(env: dict[str, str]) -> None:
    env = {**env, "BANGBAN_ENV": "production", "BANGBAN_SECRET_KEY": "x" * 32}
    result = CliRunner().invoke(main, ["init", "--demo"], env=env)
    assert result.exit_code != 0
    assert "Demo data is refused when BANGBAN_ENV=production" in result.output


def test_production_needs_a_secret_key(env: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main, ["init"], env={**env, "BANGBAN_ENV": "production"}
    )
    assert result.exit_code != 0
    assert "BANGBAN_SECRET_KEY must be set in production" in result.output
    assert "Traceback" not in result.output


def test_deploy_reports_problems_and_keeps_the_running_version(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    hostile = tmp_path / "hostile.bpmn"
    hostile.write_bytes(bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="import os"))

    result = CliRunner().invoke(main, ["deploy", str(hostile)], env=env)

    assert result.exit_code == 1
    assert (
        "hostile.bpmn:26 <compute>: 流程脚本不允许导入模块（import）。" in result.output
    )
    with _session(env) as session:
        keys = session.scalars(select(ProcessDefinition.process_key)).all()
        assert sorted(keys) == INITIAL_KEYS
        assert session.scalar(select(func.count(Appeal.id))) == 0


def test_deploy_checks_every_file_before_deploying_any(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert CliRunner().invoke(main, ["init"], env=env).exit_code == 0
    folder = tmp_path / "revised"
    folder.mkdir()
    good = bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="total = amount")
    (folder / "a_good.bpmn").write_bytes(good)
    (folder / "b_loop.bpmn").write_bytes(
        bpmn_fixture("simple.bpmn", GROUP="clerk", SCRIPT="while True: pass")
    )
    (folder / "c_broken.bpmn").write_bytes(b"<bpmn:definitions")

    result = CliRunner().invoke(main, ["deploy", str(folder)], env=env)

    assert result.exit_code == 1
    assert "b_loop.bpmn:26 <compute>: 流程脚本不允许使用 while 循环" in result.output
    assert "c_broken.bpmn:1: 不是合法的 XML" in result.output
    with _session(env) as session:
        keys = session.scalars(select(ProcessDefinition.process_key)).all()
        assert sorted(keys) == INITIAL_KEYS

    (folder / "b_loop.bpmn").unlink()
    (folder / "c_broken.bpmn").unlink()
    result = CliRunner().invoke(main, ["deploy", str(folder)], env=env)
    assert result.exit_code == 0
    assert "a_good.bpmn: simple v1 deployed" in result.output
