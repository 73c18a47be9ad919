"""The nightly refresh of SQLite's planner statistics the evaluation reports need."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from conftest import Driver
from engine.db import refresh_statistics
from webapp.extensions import db
from webapp.timers import STATISTICS_JOB_ID, make_scheduler


def test_sqlite_statistics_cover_the_appeal_table(app: Flask, driver: Driver) -> None:
    if "sqlite" not in app.config["SQLALCHEMY_DATABASE_URI"]:
        pytest.skip("PostgreSQL's autovacuum keeps its own statistics")
    driver.submit()

    with app.app_context():
        refresh_statistics(db.engine)

        analysed = db.session.scalars(
            text("SELECT DISTINCT tbl FROM sqlite_stat1")
        ).all()
        scheduled = make_scheduler(app).get_job(STATISTICS_JOB_ID)

    # The planner now knows the appeal table's size, so a year-long report
    # scans it instead of walking the submitted_at index row by row.
    assert "appeal" in analysed
    assert scheduled is not None and "hour='3'" in str(scheduled.trigger)
