"""Report periods (统计期): month, quarter, year or any range of days, in Beijing time.

A period covers whole days from ``first`` to ``last`` inclusive, Asia/Shanghai; as
moments it runs from 00:00 of ``first`` to 00:00 of the day after ``last``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from engine.clock import SHANGHAI, local, now
from engine.errors import FieldError, FormInvalid


def _next_month(day: date, months: int = 1) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


KINDS = {"month": "月度", "quarter": "季度", "year": "年度", "range": "自定义"}


@dataclass(frozen=True)
class Period:
    """Whole days ``first`` to ``last`` (inclusive) in Asia/Shanghai."""

    first: date
    last: date
    label: str

    @property
    def start(self) -> datetime:
        """00:00 Beijing time of ``first``, in UTC."""
        return datetime.combine(self.first, time(0), SHANGHAI).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """00:00 Beijing time of the day after ``last`` (exclusive), in UTC."""
        after = self.last + timedelta(days=1)
        return datetime.combine(after, time(0), SHANGHAI).astimezone(UTC)

    def months(self) -> list[Period]:
        """The calendar months this period touches, each cut to the period."""
        result = []
        cursor = self.first.replace(day=1)
        while cursor <= self.last:
            following = _next_month(cursor)
            first = max(cursor, self.first)
            last = min(following - timedelta(days=1), self.last)
            result.append(Period(first, last, f"{cursor.year}年{cursor.month}月"))
            cursor = following
        return result


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    last = _next_month(first) - timedelta(days=1)
    return Period(first, last, f"{year}年{number}月")


def quarter(year: int, number: int) -> Period:
    first = date(year, 3 * number - 2, 1)
    last = _next_month(first, 3) - timedelta(days=1)
    return Period(first, last, f"{year}年第{number}季度")


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31), f"{number}年")


def day_range(first: date, last: date) -> Period:
    return Period(first, last, f"{first.isoformat()} 至 {last.isoformat()}")


def _int(value: str | None, name: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        raise FormInvalid([FieldError(name, f"请填写{label}")]) from None
    if not low <= number <= high:
        raise FormInvalid([FieldError(name, f"{label}应在 {low} 到 {high} 之间")])
    return number


def _date(value: str | None, name: str, label: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise FormInvalid(
            [FieldError(name, f"{label}应为 YYYY-MM-DD 格式的日期")]
        ) from None


def parse(args: dict[str, str]) -> Period:
    """The period a query asks for; the current month when it names none.

    ``period=month&year=2026&month=10``, ``period=quarter&year=2026&quarter=4``,
    ``period=year&year=2026`` or ``period=range&from=2026-10-01&to=2026-10-31``.
    """
    today = local(now()).date()
    kind = args.get("period") or "month"
    if kind not in KINDS:
        raise FormInvalid(
            [FieldError("period", "统计期应为 月度、季度、年度 或 自定义")]
        )
    if kind == "range":
        first = _date(args.get("from"), "from", "开始日期")
        last = _date(args.get("to"), "to", "结束日期")
        if last < first:
            raise FormInvalid([FieldError("to", "结束日期不能早于开始日期")])
        if (last - first).days > 3660:
            raise FormInvalid([FieldError("to", "统计期不能超过10年")])
        return day_range(first, last)

    number = _int(args.get("year") or str(today.year), "year", "年份", 2000, 2100)
    if kind == "year":
        return year(number)
    if kind == "quarter":
        default = str((today.month - 1) // 3 + 1)
        which = _int(args.get("quarter") or default, "quarter", "季度", 1, 4)
        return quarter(number, which)
    which = _int(args.get("month") or str(today.month), "month", "月份", 1, 12)
    return month(number, which)
