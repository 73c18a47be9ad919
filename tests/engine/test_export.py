"""Exported spreadsheets keep what people typed as text (导出安全)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from defusedcsv import csv
from openpyxl import load_workbook

from engine.appeals.models import Appeal
from engine.evaluation import export

# A title anyone on the internet may type into the public appeal form.
FORMULA = '=HYPERLINK("http://evil.example/","点击查看")'


def _rows() -> list[list[object]]:
    appeal = Appeal(
        number="20261204-0018",
        title=FORMULA,
        status="handling",
        lead_department="zjj",
        submitted_at=datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
        # 00:00 of 12-10 in Shanghai: the end of the working day 12-09.
        handling_due_at=datetime(2026, 12, 9, 16, 0, tzinfo=UTC),
    )
    return export.appeal_table([(appeal, 0, 0)], {"zjj": "市住房和城乡建设局"})


def test_xlsx_stores_a_formula_like_title_as_text() -> None:
    data = export.cells_to_xlsx("诉求清单", _rows())

    sheet = load_workbook(io.BytesIO(data)).active
    title_cell = sheet.cell(row=3, column=2)

    assert title_cell.value == FORMULA and title_cell.data_type == "s"
    assert sheet.cell(row=3, column=6).value == "2026-12-09 24:00"


def test_csv_quotes_a_formula_like_title() -> None:
    text = export.cells_to_csv("诉求清单", _rows())

    lines = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))

    # A leading quote makes Excel show the text instead of running it.
    assert lines[2][1] == "'" + FORMULA
    assert lines[2][2] == "市住房和城乡建设局"
