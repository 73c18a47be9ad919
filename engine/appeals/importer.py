"""Bulk import of appeals from a CSV export (历史诉求导入).

The way a city moves its history from an older hotline system: every row is
validated, a row without a reply starts in the appeal flow at triage, a row with a
reply is recorded as a closed appeal with that reply published. Rows already
imported (same legacy id) are skipped, so an import can be run again safely.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from tqdm import tqdm

from engine import audit
from engine.appeals import service
from engine.appeals.models import Appeal
from engine.clock import SHANGHAI, now
from engine.errors import EngineError, FormInvalid
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

IMPORTER = Actor("import")
REQUIRED_COLUMNS = ("id", "title", "content", "submitted_at")
# Older dates are typing mistakes: no online appeal system predates them.
EARLIEST_YEAR = 1990
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


@dataclass
class ImportReport:
    """What an import did, row by row where it did not import."""

    imported_open: int = 0
    imported_closed: int = 0
    skipped: list[str] = field(default_factory=list)
    # (legacy id, appeal number, query code) of every imported appeal: the only
    # copy of the codes, for telling each appellant how to follow their appeal.
    codes: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the operator: what went in, what was skipped."""
        return (
            f"imported {self.imported_open + self.imported_closed} appeals "
            f"({self.imported_open} to triage, {self.imported_closed} closed with "
            f"their reply), skipped {len(self.skipped)}"
        )


class ImportFailed(EngineError):
    """The file as a whole cannot be imported; nothing was."""

    code = "import_failed"


def _parse_time(text: str | None) -> datetime | None:
    """A time as written in the export, or None; without an offset it is local
    (Asia/Shanghai) time."""
    if not text or not text.strip():
        return None
    text = text.strip()
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"时间格式无法识别：{text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _text_of(path: Path) -> str:
    """The file's text: UTF-8 (with or without BOM), else GB 18030, which covers
    the GBK files older Chinese systems export."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFailed("文件编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(_text_of(path), newline=""))
    missing = [
        name for name in REQUIRED_COLUMNS if name not in (reader.fieldnames or [])
    ]
    if missing:
        raise ImportFailed(
            f"CSV 缺少列：{', '.join(missing)}；第一行应为列名，至少包含 "
            f"{', '.join(REQUIRED_COLUMNS)}。"
        )

    # Report the physical line where a record starts, as an editor shows it: a
    # quoted field may span several lines.
    start = 2
    for row in reader:
        yield start, row
        start = reader.line_num + 1


def import_csv(
    session: Session, runtime: Runtime, path: Path, *, progress: bool = False
) -> ImportReport:
    """Import every valid row of ``path``; commit once at the end."""
    report = ImportReport()
    rows = list(_rows(path))
    known = set(
        session.scalars(select(Appeal.legacy_id).where(Appeal.legacy_id.isnot(None)))
    )

    for line, row in tqdm(rows, disable=not progress, unit="row", desc="importing"):
        legacy_id = (row.get("id") or "").strip() or None
        label = f"line {line}" + (f" ({legacy_id})" if legacy_id else "")
        if legacy_id is None:
            report.skipped.append(f"{label}: 缺少 id，无法识别重复导入")
            continue
        if legacy_id in known:
            report.skipped.append(f"{label}: 已导入过")
            continue
        savepoint = session.begin_nested()
        try:
            submission, closed = _import_row(session, runtime, row, legacy_id)
            savepoint.commit()
        except (FormInvalid, ValueError, EngineError) as exc:
            savepoint.rollback()
            report.skipped.append(f"{label}: {_reason(exc)}")
            continue
        known.add(legacy_id)
        report.codes.append(
            (legacy_id, submission.appeal.number, submission.query_code)
        )
        if closed:
            report.imported_closed += 1
        else:
            report.imported_open += 1

    session.commit()
    logger.info("import of %s: %s", path.name, report.summary())
    return report


def _reason(exc: Exception) -> str:
    if isinstance(exc, FormInvalid):
        return "；".join(f"{e.field}: {e.message}" for e in exc.errors)
    if isinstance(exc, EngineError):
        return exc.message
    return str(exc)


def _import_row(
    session: Session, runtime: Runtime, row: dict[str, str], legacy_id: str
) -> tuple[service.Submission, bool]:
    """Import one row; say whether it went in closed (it had a reply)."""
    values: dict[str, Any] = {
        name: row.get(name)
        for name in (
            "enterprise_name",
            "credit_code",
            "contact_name",
            "phone",
            "category",
            "title",
            "content",
        )
    }
    values["channel"] = (row.get("channel") or "").strip() or "import"
    cleaned = service.clean_submission(values, legacy=True)
    submitted_at = _parse_time(row.get("submitted_at"))
    if submitted_at is None:
        raise ValueError("缺少提交时间 submitted_at")
    if submitted_at > now():
        raise ValueError("提交时间晚于当前时间")
    if submitted_at.year < EARLIEST_YEAR:
        raise ValueError(f"提交时间早于 {EARLIEST_YEAR} 年，请核对")
    reply = (row.get("reply") or "").strip()
    replied_at = _parse_time(row.get("replied_at"))
    if reply and replied_at is None:
        raise ValueError("有答复但缺少答复时间 replied_at")
    if replied_at is not None and replied_at < submitted_at:
        raise ValueError("答复时间早于提交时间")
    if replied_at is not None and replied_at > now():
        raise ValueError("答复时间晚于当前时间")

    submission = service.record_appeal(
        session,
        runtime,
        cleaned,
        actor=IMPORTER,
        legacy_id=legacy_id,
        submitted_at=submitted_at,
        start_flow=not reply,
    )
    if not reply:
        return submission, False

    assert replied_at is not None  # checked above: a reply comes with its time
    appeal = submission.appeal
    appeal.status = "closed"
    appeal.result = reply
    appeal.published_at = replied_at
    appeal.closed_at = replied_at
    audit.record(
        session,
        "import",
        IMPORTER.username,
        at=replied_at,
        business_key=appeal.number,
        values={"legacy_id": legacy_id, "status": "closed"},
        comment="历史诉求导入：已答复并办结",
    )
    return submission, True
