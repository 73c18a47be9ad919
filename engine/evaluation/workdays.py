"""Working-day durations for many appeals at once (工作日时长).

``WorkingCalendar.working_days_between`` walks day by day; a report over 100,000
appeals asks it 100,000 times. ``WorkdayIndex`` asks the calendar once per day of
the span instead and answers each duration by subtracting two running totals:
the same result (only time on working days counts, per 24 hours), at the cost of
two dictionary look-ups.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from engine.calendar import WorkingCalendar
from engine.clock import local

_DAY = timedelta(days=1)


class WorkdayIndex:
    """Running totals of working days over the days ``first`` to ``last``."""

    def __init__(self, calendar: WorkingCalendar, first: date, last: date) -> None:
        self._before: dict[date, float] = {}
        self._working: dict[date, bool] = {}
        total = 0.0
        day = first
        while day <= last:
            self._before[day] = total
            working = calendar.is_working_day(day)
            self._working[day] = working
            total += 1.0 if working else 0.0
            day += _DAY
        self._before[day] = total

    def position(self, moment: datetime) -> float:
        """Working days from the start of the index to ``moment``."""
        shanghai = local(moment)
        day = shanghai.date()
        elapsed = 0.0
        if self._working.get(day):
            midnight = shanghai.replace(hour=0, minute=0, second=0, microsecond=0)
            elapsed = (shanghai - midnight) / _DAY
        return self._before[day] + elapsed

    def between(self, a: datetime, b: datetime) -> float:
        """Working days from ``a`` to ``b``; 0.0 if ``b`` is not after ``a``."""
        if b <= a:
            return 0.0
        return self.position(b) - self.position(a)


def durations(
    calendar: WorkingCalendar, spans: list[tuple[datetime, datetime]]
) -> list[float]:
    """The working-day length of each (start, end) span."""
    if not spans:
        return []
    first = min(local(start).date() for start, _ in spans)
    last = max(local(end).date() for _, end in spans)
    index = WorkdayIndex(calendar, first, max(first, last))
    return [index.between(start, end) for start, end in spans]
