"""Computing the indicators (指标计算) from the recorded facts of the appeal flow.

Every count is one SQL condition on an appeal (``conditions``) summed in one
grouped query, so the drill-down (``appeals_behind``) lists exactly the appeals a
figure counts. Counts of decisions (extensions, hand-backs, dissatisfied ratings)
come from the audit trail; durations in working days are computed in Python from
the dispatch and finish times with ``workdays.WorkdayIndex``.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Subquery

from engine.appeals.facts import EXTENSION, HAND_BACK, REOPEN, AppealEvent
from engine.appeals.models import Appeal
from engine.clock import now
from engine.directory import department_names
from engine.evaluation.definitions import INDICATORS, RATES
from engine.evaluation.periods import Period

logger = logging.getLogger(__name__)

# What a report may be broken down by.
GROUPINGS = {"department": "主办部门", "category": "诉求类别", "month": "月份"}
# The group of appeals that have no department or category yet.
NONE_KEY = "-"
NONE_LABELS = {"department": "未转派", "category": "未分类"}

_COMPLETED_STATUSES = ("published", "following_up", "closed", "terminated")
# Indicators summed from the audit trail rather than counted as appeals.
SUMMED = ("extensions", "hand_backs")


def _decision_counts() -> Subquery:
    """Per appeal: the extensions, hand-backs and reopenings recorded."""

    def total(kind: str) -> Any:
        return func.sum(case((AppealEvent.kind == kind, 1), else_=0))

    return (
        select(
            AppealEvent.appeal_id.label("appeal_id"),
            total(EXTENSION).label("extensions"),
            total(HAND_BACK).label("hand_backs"),
            total(REOPEN).label("reopenings"),
        )
        # Every appeal's events: the table is small (a few events for some
        # appeals), and the outer join keeps only the period's appeals.
        .group_by(AppealEvent.appeal_id)
        .subquery("decisions")
    )


def conditions(counts: Subquery, at: datetime) -> dict[str, ColumnElement[bool]]:
    """For each counted indicator, when an appeal counts (see ``definitions``)."""
    rating = func.coalesce(Appeal.rating, Appeal.followup_rating)
    dispatched = Appeal.lead_department.is_not(None)
    completed = and_(dispatched, Appeal.status.in_(_COMPLETED_STATUSES))
    return {
        "received": literal(True),
        "dispatched": dispatched,
        "completed": completed,
        "accepted_in_time": and_(
            Appeal.accepted_at.is_not(None),
            Appeal.accepted_at <= Appeal.accept_due_at,
        ),
        "on_time": and_(completed, Appeal.finished_at <= Appeal.handling_due_at),
        "overdue": or_(
            and_(completed, Appeal.finished_at > Appeal.handling_due_at),
            and_(Appeal.status == "handling", Appeal.handling_due_at < at),
        ),
        "extensions": func.coalesce(counts.c.extensions, 0) > 0,
        # Known shortcoming: a hand-back counts in the row of the appeal's final
        # lead department, not of the department that handed it back (recorded
        # in ``AppealEvent.department`` but not used here yet).
        "hand_backs": func.coalesce(counts.c.hand_backs, 0) > 0,
        "terminated": Appeal.status == "terminated",
        "rated": rating.is_not(None),
        "satisfied": rating == "satisfied",
        "basically_satisfied": rating == "basically_satisfied",
        "dissatisfied": rating == "dissatisfied",
        "satisfied_or_basic": rating.in_(("satisfied", "basically_satisfied")),
        "reopened": func.coalesce(counts.c.reopenings, 0) > 0,
        "published": Appeal.published_at.is_not(None),
        "followed_up": Appeal.followup_at.is_not(None),
    }


def _group_key(grouping: str, period: Period) -> ColumnElement[Any]:
    if grouping == "department":
        return func.coalesce(Appeal.lead_department, NONE_KEY)
    if grouping == "category":
        return func.coalesce(Appeal.category, NONE_KEY)
    if grouping == "month":
        months = period.months()
        whens = [(Appeal.submitted_at < m.end, m.first.isoformat()[:7]) for m in months]
        return case(*whens, else_=months[-1].first.isoformat()[:7])
    return literal("all")


_Query = TypeVar("_Query", bound=Select)


@dataclass
class Row:
    """The indicators of one group (a department, category or month)."""

    key: str
    label: str
    values: dict[str, float | int | None] = field(default_factory=dict)


@dataclass
class Report:
    """The indicators of a period by group, with the period's totals."""

    period: Period
    grouping: str
    rows: list[Row]
    total: Row


def _in_period(query: _Query, period: Period) -> _Query:
    return query.where(
        Appeal.submitted_at >= period.start, Appeal.submitted_at < period.end
    )


def compute(
    session: Session,
    period: Period,
    grouping: str = "department",
) -> Report:
    """The indicators of ``period`` by ``grouping`` (a key of ``GROUPINGS``)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}")
    counts = _decision_counts()
    checks = conditions(counts, now())
    key = _group_key(grouping, period).label("key")

    columns: list[Any] = [key]
    for name, condition in checks.items():
        if name in SUMMED:
            column = func.coalesce(getattr(counts.c, name), 0)
            columns.append(func.sum(column).label(name))
        else:
            columns.append(func.sum(case((condition, 1), else_=0)).label(name))
    query = (
        select(*columns)
        .select_from(Appeal)
        .outerjoin(counts, counts.c.appeal_id == Appeal.id)
    )
    rows = {
        str(row.key): {name: int(row._mapping[name] or 0) for name in checks}
        for row in session.execute(_in_period(query, period).group_by(key))
    }

    days: dict[str, list[float]] = {name: [] for name in rows}
    day_query = select(key, Appeal.handling_days).where(
        checks["completed"], Appeal.handling_days.is_not(None)
    )
    for group, length in session.execute(_in_period(day_query, period)):
        days[str(group)].append(float(length))

    report = _assemble(session, period, grouping, rows, days)
    logger.info(
        "evaluation report %s by %s: %s appeals",
        period.label,
        grouping,
        report.total.values["received"],
    )
    return report


def _assemble(
    session: Session,
    period: Period,
    grouping: str,
    sums: dict[str, dict[str, int]],
    days: dict[str, list[float]],
) -> Report:
    names = labels(session, period, grouping)
    rows = []
    for key in sorted(sums, key=lambda k: (k == NONE_KEY, k)):
        rows.append(_row(key, names.get(key, key), sums[key], days.get(key, [])))

    totals = {name: sum(row[name] for row in sums.values()) for name in _names()}
    every = [length for lengths in days.values() for length in lengths]
    total = _row("all", "合计", totals, every)
    return Report(period, grouping, rows, total)


def _names() -> list[str]:
    return [
        *(k for k, v in INDICATORS.items() if v.kind == "count"),
        "satisfied_or_basic",
    ]


def _row(key: str, label: str, sums: dict[str, int], days: list[float]) -> Row:
    values: dict[str, float | int | None] = {
        name: sums.get(name, 0) for name in _names()
    }
    for rate, (numerator, denominator) in RATES.items():
        below = sums.get(denominator, 0)
        values[rate] = round(sums.get(numerator, 0) / below, 4) if below else None
    values["avg_days"] = round(sum(days) / len(days), 2) if days else None
    values["p90_days"] = round(percentile(days, 90), 2) if days else None
    return Row(key, label, values)


def percentile(values: Sequence[float], rank: float) -> float:
    """The nearest-rank percentile: the smallest value with ``rank`` % at or below."""
    ordered = sorted(values)
    position = max(1, math.ceil(rank / 100 * len(ordered)))
    return ordered[position - 1]


def labels(session: Session, period: Period, grouping: str) -> dict[str, str]:
    """The names people read for the groups' keys."""
    if grouping == "department":
        return {**department_names(session), NONE_KEY: NONE_LABELS["department"]}
    if grouping == "month":
        return {m.first.isoformat()[:7]: m.label for m in period.months()}
    return {NONE_KEY: NONE_LABELS.get(grouping, NONE_KEY)}


def appeals_behind(
    session: Session,
    period: Period,
    indicator: str,
    grouping: str = "department",
    key: str | None = None,
) -> list[tuple[Appeal, int, int]]:
    """The appeals a count counts: each with its extensions and hand-backs.

    For ``extensions`` and ``hand_backs`` (sums) the appeals with at least one are
    listed; the sum of their column equals the figure.
    """
    counts = _decision_counts()
    checks = conditions(counts, now())
    if indicator not in checks:
        raise ValueError(f"indicator {indicator!r} lists no appeals")
    query = (
        select(
            Appeal,
            func.coalesce(counts.c.extensions, 0).cast(Integer),
            func.coalesce(counts.c.hand_backs, 0).cast(Integer),
        )
        .outerjoin(counts, counts.c.appeal_id == Appeal.id)
        .where(checks[indicator])
        .order_by(Appeal.submitted_at, Appeal.number)
    )
    if key is not None and grouping in GROUPINGS:
        query = query.where(_group_key(grouping, period) == key)
    return [
        (appeal, int(extensions), int(hand_backs))
        for appeal, extensions, hand_backs in session.execute(_in_period(query, period))
    ]
