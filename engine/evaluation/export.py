"""Reports as spreadsheets (导出): XLSX with openpyxl, and CSV.

Every export holds the same figures as the page: one row per group and the
totals, headed by the indicators' Chinese names, rates as fractions formatted as
percentages in XLSX; a second sheet (XLSX) or trailing block (CSV) lists the
definitions.

Appeal titles are typed by anyone on the internet, and a spreadsheet runs a cell
that starts with ``=`` as a formula (CSV injection): CSV goes through defusedcsv,
which quotes such cells, and XLSX cells holding text are always stored as text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from defusedcsv import csv
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from engine.appeals.models import Appeal
from engine.clock import deadline_text, local
from engine.evaluation.definitions import INDICATORS
from engine.evaluation.indicators import GROUPINGS, Report


def table(report: Report) -> list[list[Any]]:
    """The report as rows of cells, the header first."""
    header = [GROUPINGS[report.grouping], *(i.name for i in INDICATORS.values())]
    rows: list[list[Any]] = [header]
    for row in [*report.rows, report.total]:
        rows.append([row.label, *(row.values.get(key) for key in INDICATORS)])
    return rows


def to_xlsx(report: Report) -> bytes:
    """An XLSX workbook: the figures, then the definitions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "指标"
    sheet.append([f"服务评价报表 {report.period.label}"])
    for cells in table(report):
        _append(sheet, cells)
    for column, indicator in enumerate(INDICATORS.values(), start=2):
        if indicator.kind == "rate":
            for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
                cell.number_format = "0.0%"

    definitions = book.create_sheet("指标口径")
    definitions.append(["指标", "口径"])
    for indicator in INDICATORS.values():
        definitions.append([indicator.name, indicator.definition])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_csv(report: Report) -> str:
    """CSV text (UTF-8 with BOM, so that Excel reads the Chinese)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"服务评价报表 {report.period.label}"])
    writer.writerows(table(report))
    writer.writerow([])
    writer.writerow(["指标", "口径"])
    for indicator in INDICATORS.values():
        writer.writerow([indicator.name, indicator.definition])
    return "\ufeff" + buffer.getvalue()


def appeal_table(
    rows: list[tuple[Appeal, int, int]], departments: Mapping[str, str]
) -> list[list[Any]]:
    """The appeals behind a figure as rows of cells (Beijing times), header first.

    ``departments`` names the lead departments by code (see ``department_name``).
    """
    header = [
        "诉求编号",
        "标题",
        "主办部门",
        "状态",
        "提交时间",
        "办理期限",
        "答复/终止时间",
        "延期次数",
        "部门退回次数",
    ]
    table_rows: list[list[Any]] = [header]
    for appeal, extensions, hand_backs in rows:
        table_rows.append(
            [
                appeal.number,
                appeal.title,
                department_name(appeal.lead_department, departments),
                appeal.status_label,
                _local(appeal.submitted_at),
                deadline_text(appeal.handling_due_at) or None,
                _local(appeal.finished_at),
                extensions,
                hand_backs,
            ]
        )
    return table_rows


def department_name(code: str | None, departments: Mapping[str, str]) -> str | None:
    """The name people read for a department code; the code when it is unknown
    (a department since removed), None for an appeal not yet dispatched."""
    if code is None:
        return None
    return departments.get(code, code)


def _local(moment: datetime | None) -> str | None:
    return local(moment).strftime("%Y-%m-%d %H:%M") if moment else None


def cells_to_xlsx(title: str, cells: list[list[Any]]) -> bytes:
    """One sheet: a title line, then the rows."""
    book = Workbook()
    sheet = book.active
    sheet.title = "诉求清单"
    sheet.append([title])
    for row in cells:
        _append(sheet, row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append(sheet: Worksheet, cells: list[Any]) -> None:
    """Add a row; text stays text, even when it starts with ``=``."""
    sheet.append(cells)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def cells_to_csv(title: str, cells: list[list[Any]]) -> str:
    """CSV text with a title line (UTF-8 with BOM)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title])
    writer.writerows(cells)
    return "\ufeff" + buffer.getvalue()
