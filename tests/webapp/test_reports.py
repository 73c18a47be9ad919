"""Report pages (服务评价): dashboard, drill-down, exports, assessments, access."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from evaluation_fixture import Walk, walk_known_outcomes
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy.orm import sessionmaker

from conftest import PASSWORD, signed_in
from engine.directory import create_user
from engine.evaluation.definitions import INDICATORS
from webapp.extensions import db, runtime

QUERY = "period=range&from=2026-09-28&to=2026-10-31"


@pytest.fixture
def walked(app: Flask) -> Iterator[dict[str, str]]:
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        create_user(
            db.session, "assessor", PASSWORD, display_name="考核", roles=["assessor"]
        )
        db.session.commit()
        walk = Walk(sessionmaker(db.engine), runtime())
        numbers = walk_known_outcomes(walk)
    yield numbers
    app.config["WTF_CSRF_ENABLED"] = True


def test_dashboard_shows_figures_charts_and_definitions(
    app: Flask, walked: dict[str, str]
) -> None:
    client = signed_in(app, "assessor")
    page = client.get(f"/reports/?{QUERY}")
    assert page.status_code == 200
    text = page.text
    assert "市住房和城乡建设局" in text and "服务评价" in text
    for item in INDICATORS.values():
        assert item.definition in text
    assert 'id="total-on_time_rate">75.0%' in text

    printable = client.get(f"/reports/print?{QUERY}")
    assert printable.status_code == 200
    assert "服务评价报表" in printable.text and "navbar" not in printable.text

    chart = client.get(f"/reports/charts/ranking.svg?{QUERY}")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    assert "按时办结率" in chart.text and "<script src" not in chart.text


def test_exports_hold_the_page_figures(app: Flask, walked: dict[str, str]) -> None:
    client = signed_in(app, "assessor")
    response = client.get(f"/reports/export.xlsx?{QUERY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data))["指标"]
    rows = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    header, body = rows[0], {row[0]: row for row in rows[1:]}
    zjj = dict(zip(header, body["市住房和城乡建设局"], strict=True))
    assert zjj["办结数"] == 4 and zjj["按时办结数"] == 3 and zjj["超期件数"] == 1
    assert zjj["按时办结率"] == 0.75 and zjj["满意率"] == 1.0
    assert dict(zip(header, body["合计"], strict=True))["受理诉求数"] == 5

    text = client.get(f"/reports/export.csv?{QUERY}").data.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    zjj_csv = dict(
        zip(
            lines[1],
            next(r for r in lines if r[:1] == ["市住房和城乡建设局"]),
            strict=True,
        )
    )
    assert zjj_csv["按时办结数"] == "3" and zjj_csv["延期次数"] == "1"


def test_drill_down_page_lists_the_figure(app: Flask, walked: dict[str, str]) -> None:
    client = signed_in(app, "assessor")
    page = client.get(
        f"/reports/appeals?indicator=overdue&by=department&key=zjj&{QUERY}"
    )
    assert page.status_code == 200
    assert 'id="drill-count">1<' in page.text
    assert walked["B"] in page.text and walked["A"] not in page.text
    # The lead department by the name people know, not its code.
    assert (
        "<td>市住房和城乡建设局</td>" in page.text and "<td>zjj</td>" not in page.text
    )

    listed = client.get(
        f"/reports/appeals/export.xlsx?indicator=on_time&key=zjj&{QUERY}"
    )
    rows = list(
        load_workbook(io.BytesIO(listed.data)).active.iter_rows(values_only=True)
    )
    numbers = sorted(row[0] for row in rows[2:])
    assert numbers == sorted([walked["A"], walked["C"], walked["D"]])
    assert {row[2] for row in rows[2:]} == {"市住房和城乡建设局"}


def test_csv_downloads_name_their_charset_once_and_open_in_excel(
    app: Flask, walked: dict[str, str]
) -> None:
    client = signed_in(app, "assessor")
    for path in (
        f"/reports/export.csv?{QUERY}",
        f"/reports/appeals/export.csv?indicator=on_time&key=zjj&{QUERY}",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        # Excel takes a CSV for UTF-8 only with the byte order mark.
        assert response.data.startswith(b"\xef\xbb\xbf")

    listed = client.get(
        f"/reports/appeals/export.csv?indicator=on_time&key=zjj&{QUERY}"
    )
    lines = list(csv.reader(io.StringIO(listed.data.decode("utf-8-sig"))))
    assert lines[1][2] == "主办部门"
    assert {line[2] for line in lines[2:]} == {"市住房和城乡建设局"}


def test_assessment_is_recorded_and_shown(app: Flask, walked: dict[str, str]) -> None:
    client = signed_in(app, "assessor")
    form = {
        "department": "zjj",
        "kind": "third_party",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "score": "abc",
        "comment": "答复规范，个别件超期。",
    }
    rejected = client.post("/reports/assessments/new", data=form)
    assert rejected.status_code == 422
    assert "评分应为 0 到 100 之间的数字" in rejected.text
    assert "答复规范，个别件超期。" in rejected.text  # what was typed is kept

    saved = client.post("/reports/assessments/new", data={**form, "score": "88.5"})
    assert saved.status_code == 302
    page = client.get(f"/reports/?{QUERY}").text
    assert "答复规范，个别件超期。" in page and "88.5" in page


def test_handlers_may_not_read_reports(app: Flask, walked: dict[str, str]) -> None:
    client = signed_in(app, "handler-zjj")
    assert client.get("/reports/").status_code == 403
    assert "服务评价" not in client.get("/inbox").text
    assert client.get("/reports/assessments/new").status_code == 403


def test_a_wrong_period_is_explained(app: Flask, walked: dict[str, str]) -> None:
    client = signed_in(app, "assessor")
    page = client.get("/reports/?period=range&from=2026-10-31&to=2026-10-01")
    assert page.status_code == 422
    assert "结束日期不能早于开始日期" in page.text
