"""Importing appeals from a legacy CSV export, then working one through the API."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from conftest import REPOSITORY, SHARED_DATA, Appellant, Driver
from engine.appeals.importer import import_csv
from engine.appeals.models import Appeal
from webapp.cli import main
from webapp.extensions import db, runtime

LEGACY = REPOSITORY / "tests" / "data" / "legacy_appeals.csv"


def _appeal(app: Flask, legacy_id: str) -> Appeal:
    with app.app_context():
        appeal = db.session.scalar(select(Appeal).where(Appeal.legacy_id == legacy_id))
        assert appeal is not None
        db.session.expunge(appeal)
        return appeal


def test_import_validates_every_row(app: Flask) -> None:
    with app.app_context():
        report = import_csv(db.session, runtime(), LEGACY)

    assert (report.imported_open, report.imported_closed) == (1, 1)
    assert report.skipped == [
        "line 5 (L-3): title: 请填写“诉求标题”",
        "line 6 (L-4): 时间格式无法识别：'昨天下午'",
        "line 7 (L-1): 已导入过",
    ]

    open_appeal = _appeal(app, "L-1")
    assert open_appeal.status == "submitted"
    assert open_appeal.number == "20240506-0001"
    assert open_appeal.channel == "import"
    assert open_appeal.submitted_at.isoformat() == "2024-05-06T01:15:00+00:00"

    closed = _appeal(app, "L-2")
    assert closed.status == "closed"
    assert closed.result == "已将该站台列入今年改造计划，预计九月完工。"
    assert closed.instance_id is None


def test_import_twice_adds_nothing(app: Flask) -> None:
    with app.app_context():
        import_csv(db.session, runtime(), LEGACY)
        again = import_csv(db.session, runtime(), LEGACY)
        total = db.session.scalar(select(func.count(Appeal.id)))
    assert (again.imported_open, again.imported_closed) == (0, 0)
    assert total == 2


def test_imported_appeal_is_worked_to_closed(
    app: Flask, driver: Driver, tmp_path: Path
) -> None:
    codes = tmp_path / "codes.csv"
    result = CliRunner().invoke(
        main,
        ["appeals", "import", str(LEGACY), "--codes", str(codes)],
        env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    assert result.exit_code == 0, result.output
    assert (
        "imported 2 appeals (1 to triage, 1 closed with their reply)" in result.output
    )

    with codes.open(encoding="utf-8") as handle:
        rows = {row["legacy_id"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"L-1", "L-2"}
    assert codes.stat().st_mode & 0o077 == 0
    appellant = Appellant(rows["L-1"]["number"], rows["L-1"]["query_code"])
    assert driver.public(appellant)["status"] == "submitted"

    driver.publish(appellant.number, "zjj", "已修复。")
    assert driver.rate(appellant, "satisfied").status_code == 200
    assert driver.public(appellant)["status"] == "closed"
    closed = Appellant(rows["L-2"]["number"], rows["L-2"]["query_code"])
    assert (
        driver.public(closed)["result"] == "已将该站台列入今年改造计划，预计九月完工。"
    )


def test_real_hotline_export(app: Flask) -> None:
    path = SHARED_DATA / "appeals.csv"
    if not path.exists():
        pytest.skip(
            f"real data not found at {path}: shared/data is not beside the clone"
        )
    with app.app_context():
        report = import_csv(db.session, runtime(), path)
        statuses = dict(
            db.session.execute(
                select(Appeal.status, func.count(Appeal.id)).group_by(Appeal.status)
            ).all()
        )

    assert report.skipped == []
    assert statuses == {"submitted": 203, "closed": 100}
