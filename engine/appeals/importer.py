"""Bulk import of appeals from a CSV export (历史诉求导入).

The way a city moves its history from an older hotline system: every row is
validated, a row without a reply starts in the appeal flow at triage, a row with a
reply is recorded as a closed appeal with that reply published. Rows already
imported (same legacy id) are skipped, so an import can be run again safely.
"""

from __future__ import annotations

import csv
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
from engine.clock import SHANGHAI
from engine.errors import EngineError, FormInvalid
from engine.runtime import Actor, Runtime

logger = logging.getLogger(__name__)

IMPORTER = Actor("import")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d")


@dataclass
class ImportReport:
    """What an import did, row by row where it did not import."""

    imported_open: int = 0
    imported_closed: int = 0
    skipped: list[str] = field(default_factory=list)
    # (legacy id, appeal number, query code) of every imported appeal: the only
    # copy of the codes, for telling each appellant how to follow their appeal.
    codes: list[tuple[str | None, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"imported {self.imported_open + self.imported_closed} appeals "
            f"({self.imported_open} to triage, {self.imported_closed} closed with "
            f"their reply), skipped {len(self.skipped)}"
        )


def _parse_time(text: str | None) -> datetime | None:
    """A local (Asia/Shanghai) time as written in the export, or None."""
    if not text or not text.strip():
        return None
    for pattern in _TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=SHANGHAI)
        except ValueError:
            continue
    raise ValueError(f"时间格式无法识别：{text!r}")


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        # Report the physical line where a record starts, as an editor shows it:
        # a quoted field may span several lines.
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
        if legacy_id and legacy_id in known:
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
        if legacy_id:
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
    session: Session, runtime: Runtime, row: dict[str, str], legacy_id: str | None
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
    reply = (row.get("reply") or "").strip()

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

    appeal = submission.appeal
    replied_at = _parse_time(row.get("replied_at")) or appeal.submitted_at
    appeal.status = "closed"
    appeal.result = reply
    appeal.published_at = replied_at
    appeal.closed_at = replied_at
    audit.record(
        session,
        "import",
        IMPORTER.username,
        business_key=appeal.number,
        values={"legacy_id": legacy_id, "status": "closed"},
        comment="历史诉求导入：已答复并办结",
    )
    return submission, True
