"""Scored evaluations of a department by third parties and experts (clause 6.1).

An assessor (绩效考核) or expert (专家) records a score out of 100 for a
department over a period, with comments; the reports show them beside the
indicators computed from the flow.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Date, ForeignKey, Numeric, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine import audit
from engine.clock import now
from engine.db import Base, UTCDateTime
from engine.directory import active_department_codes
from engine.errors import FieldError, FormInvalid
from engine.evaluation.definitions import ASSESSMENT_KINDS
from engine.evaluation.periods import Period

logger = logging.getLogger(__name__)


class DepartmentAssessment(Base):
    """One scored evaluation of a department for a period (第三方评价/专家评议)."""

    __tablename__ = "department_assessment"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(
        ForeignKey("department.code"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    score: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    comment: Mapped[str] = mapped_column(Text)
    assessor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    @property
    def kind_label(self) -> str:
        return ASSESSMENT_KINDS.get(self.kind, self.kind)


@dataclass(frozen=True)
class Summary:
    """A department's assessments in a period: how many, their mean score."""

    count: int
    mean: float


def _clean(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}
    department = str(values.get("department") or "").strip()
    if department not in active_department_codes(session):
        errors.append(FieldError("department", "请选择被评价的部门"))
    cleaned["department_code"] = department
    kind = str(values.get("kind") or "")
    if kind not in ASSESSMENT_KINDS:
        errors.append(FieldError("kind", "请选择评价方式：第三方评价或专家评议"))
    cleaned["kind"] = kind
    try:
        score = Decimal(str(values.get("score") or "").strip())
        if not score.is_finite() or not 0 <= score <= 100:
            raise InvalidOperation
        cleaned["score"] = round(score, 1)
    except InvalidOperation:
        errors.append(FieldError("score", "评分应为 0 到 100 之间的数字"))
    for name, label in (("period_start", "评价期开始"), ("period_end", "评价期结束")):
        try:
            cleaned[name] = date.fromisoformat(str(values.get(name) or ""))
        except ValueError:
            errors.append(FieldError(name, f"{label}应为 YYYY-MM-DD 格式的日期"))
    if not errors and cleaned["period_end"] < cleaned["period_start"]:
        errors.append(FieldError("period_end", "评价期结束不能早于开始"))
    comment = str(values.get("comment") or "").strip()
    if not comment:
        errors.append(FieldError("comment", "请填写评价意见"))
    elif len(comment) > 5000:
        errors.append(FieldError("comment", "评价意见不能超过 5000 个字"))
    cleaned["comment"] = comment
    if errors:
        raise FormInvalid(errors)
    return cleaned


def record(
    session: Session, values: dict[str, Any], *, assessor: str
) -> DepartmentAssessment:
    """Store an assessment after checking every field; audit who recorded it."""
    assessment = DepartmentAssessment(**_clean(session, values), assessor=assessor)
    session.add(assessment)
    session.flush()
    audit.record(
        session,
        "assess",
        assessor,
        business_key=f"department:{assessment.department_code}",
        values={"kind": assessment.kind, "score": str(assessment.score)},
        comment=assessment.comment,
    )
    logger.info(
        "assessment %s of %s scored %s by %s",
        assessment.id,
        assessment.department_code,
        assessment.score,
        assessor,
    )
    return assessment


def in_period(session: Session, period: Period) -> list[DepartmentAssessment]:
    """Assessments whose period overlaps ``period``, newest first."""
    query = (
        select(DepartmentAssessment)
        .where(
            DepartmentAssessment.period_start <= period.last,
            DepartmentAssessment.period_end >= period.first,
        )
        .order_by(DepartmentAssessment.created_at.desc())
    )
    return list(session.scalars(query))


def summaries(
    assessments: list[DepartmentAssessment],
) -> dict[tuple[str, str], Summary]:
    """Mean score per (department, kind)."""
    scores: dict[tuple[str, str], list[Decimal]] = {}
    for item in assessments:
        scores.setdefault((item.department_code, item.kind), []).append(item.score)
    return {
        key: Summary(len(values), round(float(sum(values)) / len(values), 1))
        for key, values in scores.items()
    }
