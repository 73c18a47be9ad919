"""Hand-computed deadlines (期限) against the State Council schedules.

Each case was counted on a calendar by hand: the start's own Beijing day never
counts, weekends are off unless a notice makes them make-up working days (调休),
and the deadline is 24:00 of the Nth working day (00:00 of the next day).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.calendar import SHANGHAI, WorkingCalendar


def beijing(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


CASES = [
    # (start, N, due, why)
    ("2024-03-08 15:00", 1, "2024-03-12", "Friday start: Monday is the day"),
    ("2024-03-09 10:00", 1, "2024-03-12", "Saturday start: also Monday"),
    ("2024-03-08 15:00", 3, "2024-03-14", "Friday start, three days: Mon-Wed"),
    ("2026-03-07 09:00", 5, "2026-03-14", "Saturday start, five days: Mon-Fri"),
    ("2024-02-04 10:00", 1, "2024-02-06", "start on a make-up Sunday"),
    ("2026-02-28 09:00", 1, "2026-03-03", "start on a make-up Saturday"),
    (
        "2024-02-08 10:00",
        3,
        "2024-02-20",
        "Spring Festival 2024: 9th, make-up 18th, 19th",
    ),
    ("2024-02-09 09:00", 5, "2024-02-23", "Spring Festival 2024: 18th to 22nd"),
    ("2025-01-30 11:00", 1, "2025-02-06", "during Spring Festival 2025"),
    ("2025-09-30 16:00", 1, "2025-10-10", "National Day 2025: 9 October"),
    ("2025-09-30 16:00", 3, "2025-10-12", "National Day 2025: 9, 10, make-up 11"),
    ("2024-09-30 09:00", 5, "2024-10-13", "National Day 2024: 8-11, make-up 12"),
    ("2025-12-31 10:00", 1, "2026-01-05", "New Year 2026: make-up Sunday 4th"),
    ("2025-12-31 10:00", 3, "2026-01-07", "New Year 2026: 4th, 5th, 6th"),
    ("2025-04-30 17:30", 3, "2025-05-09", "Labour Day 2025: 6th to 8th"),
    ("2026-04-03 18:00", 1, "2026-04-08", "Qingming 2026: Tuesday 7th"),
    ("2024-04-26 12:00", 3, "2024-05-01", "make-up Sunday 28 April counts"),
]


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.load()


@pytest.mark.parametrize(("start", "n", "due", "why"), CASES, ids=[c[3] for c in CASES])
def test_hand_computed_deadlines(
    calendar: WorkingCalendar, start: str, n: int, due: str, why: str
) -> None:
    assert calendar.deadline(beijing(start), n) == beijing(f"{due} 00:00")


def test_half_past_seven_in_beijing_is_still_yesterday_in_utc(
    calendar: WorkingCalendar,
) -> None:
    # Tuesday 10 March 07:30 in Beijing is Monday 23:30 UTC: the Beijing day counts.
    start = datetime(2026, 3, 9, 23, 30, tzinfo=UTC)
    assert calendar.deadline(start, 1) == beijing("2026-03-12 00:00")
    assert (
        calendar.deadline(start, 1).utcoffset()
        == beijing("2026-03-12 00:00").utcoffset()
    )
