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


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def test_rows_that_cannot_be_history_are_refused(app: Flask, tmp_path: Path) -> None:
    header = "id,category,title,submitted_at,content,reply,replied_at\n"
    rows = (
        ",城乡建设,没有编号,2024/5/6 9:15:00,内容。,,\n"
        "X-1,城乡建设,来自未来,2099/1/1 9:00:00,内容。,,\n"
        "X-2,城乡建设,先答复后提交,2024/5/6 9:00:00,内容。,答复。,2024/5/1 9:00:00\n"
        "X-3,城乡建设,答复没有时间,2024/5/6 9:00:00,内容。,答复。,\n"
        "X-4,城乡建设,ISO 时间,2024-05-06T09:15:00+08:00,内容。,,\n"
    )
    path = _write(tmp_path / "odd.csv", header + rows)
    with app.app_context():
        report = import_csv(db.session, runtime(), path)

    assert report.skipped == [
        "line 2: 缺少 id，无法识别重复导入",
        "line 3 (X-1): 提交时间晚于当前时间",
        "line 4 (X-2): 答复时间早于提交时间",
        "line 5 (X-3): 有答复但缺少答复时间 replied_at",
    ]
    assert _appeal(app, "X-4").submitted_at.isoformat() == "2024-05-06T01:15:00+00:00"


def test_gbk_export_is_read(app: Flask, tmp_path: Path) -> None:
    text = LEGACY.read_text(encoding="utf-8")
    path = _write(tmp_path / "gbk.csv", text, encoding="gbk")
    with app.app_context():
        report = import_csv(db.session, runtime(), path)
    assert (report.imported_open, report.imported_closed) == (1, 1)
    assert _appeal(app, "L-1").title == "小区门口道路破损"


def test_missing_columns_stop_the_import(app: Flask, tmp_path: Path) -> None:
    path = _write(tmp_path / "wrong.csv", "编号,标题\n1,道路破损\n")
    result = CliRunner().invoke(
        main,
        ["appeals", "import", str(path)],
        env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    assert result.exit_code == 1
    assert "CSV 缺少列：id, title, content, submitted_at" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Appeal.id))) == 0


def test_codes_file_is_never_overwritten(app: Flask, tmp_path: Path) -> None:
    codes = tmp_path / "codes.csv"
    codes.write_text("earlier codes\n", encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["appeals", "import", str(LEGACY), "--codes", str(codes)],
        env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    assert result.exit_code == 2
    assert "already exists; name a new file" in result.output
    assert codes.read_text(encoding="utf-8") == "earlier codes\n"


def test_unwritable_codes_file_stops_before_importing(
    app: Flask, tmp_path: Path
) -> None:
    result = CliRunner().invoke(
        main,
        ["appeals", "import", str(LEGACY), "--codes", str(tmp_path / "no" / "c.csv")],
        env={"BANGBAN_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]},
    )
    assert result.exit_code == 2
    assert "cannot create" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count(Appeal.id))) == 0
