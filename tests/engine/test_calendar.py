"""Working-day deadlines, checked against dates anyone can verify on a wall calendar.

Every expected value is worked out by hand in a comment next to it, from the State
Council notices in holidays/ (see holidays/README.md).
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.calendar import (
    DEFAULT_HOLIDAYS_DIR,
    HOLIDAYS_DIR_ENV,
    SHANGHAI,
    CalendarError,
    HolidayFileError,
    MissingYearError,
    WorkingCalendar,
    default_calendar,
    read_year_file,
)

NEW_YORK = ZoneInfo("America/New_York")


def beijing(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0
) -> datetime:
    """A moment in Beijing time (Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    # The repository's own files, whatever $BANGBAN_HOLIDAYS_DIR says, so that the
    # dates below are checked against the real notices.
    return WorkingCalendar.load(DEFAULT_HOLIDAYS_DIR)


@pytest.fixture
def new_york_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the test with the process's local time zone set to America/New_York."""
    if not hasattr(time, "tzset"):
        pytest.skip("time.tzset() is not available on this platform")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        yield
    finally:
        monkeypatch.undo()
        time.tzset()


def write_year(folder: Path, year: int, holidays: list[dict[str, Any]]) -> Path:
    """Write a small holiday file for the broken-file tests."""
    path = folder / f"{year}.json"
    document = {"year": year, "source": "测试用通知", "holidays": holidays}
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


# --- The data as a whole ----------------------------------------------------------


def test_the_repository_covers_2004_to_2026(calendar: WorkingCalendar) -> None:
    assert calendar.years == list(range(2004, 2027))


def test_every_day_2004_to_2026_agrees_with_chinese_calendar(
    calendar: WorkingCalendar,
) -> None:
    chinese_calendar = pytest.importorskip(
        "chinese_calendar",
        reason="chinesecalendar is not installed (pip install chinesecalendar): "
        "THE DAY-BY-DAY CROSS-CHECK OF 2004-2026 DID NOT RUN",
    )
    # The one documented disagreement (holidays/README.md): the 2006 notice,
    # 国办发明电〔2005〕35号, has Saturday 31 December 2005 worked; chinese-calendar
    # 1.11 treats it as an ordinary Saturday (its open issue #125).
    known_disagreements = {date(2005, 12, 31): True}

    disagreements = {}
    day = date(2004, 1, 1)
    while day <= date(2026, 12, 31):
        ours = calendar.is_working_day(day)
        if ours != chinese_calendar.is_workday(day):
            disagreements[day] = ours
        day += timedelta(days=1)

    assert disagreements == known_disagreements


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 9), True),  # 除夕 2024, a Friday: worked (leave only encouraged)
        (date(2024, 2, 4), True),  # Sunday worked for the Spring Festival
        (date(2024, 2, 18), True),  # Sunday worked for the Spring Festival
        (date(2024, 2, 17), False),  # Saturday inside the Spring Festival
        (date(2020, 2, 1), False),  # Saturday first to be worked, then the 2020
        # extension (国办发明电〔2020〕1号) made the Spring Festival run to 2 February
        (date(2020, 2, 3), True),  # Monday: back to work after the extension
        (date(2015, 9, 4), False),  # Friday off for the 70th Victory Day
        (date(2015, 9, 6), True),  # Sunday worked for it
        (date(2019, 5, 2), False),  # Labour Day 2019 as changed by 〔2019〕3号
        (date(2019, 5, 5), True),  # Sunday worked for it
        (date(2014, 4, 7), False),  # Monday 补休 of the 2014 Qingming Festival
        (date(2007, 12, 31), False),  # set by the 2008 notice
        (date(2007, 12, 29), True),  # Saturday worked, also by the 2008 notice
        (date(2022, 12, 31), False),  # set by the 2023 notice
        (date(2005, 12, 31), True),  # Saturday worked, by the 2006 notice
    ],
)
def test_notable_days(calendar: WorkingCalendar, day: date, working: bool) -> None:
    assert calendar.is_working_day(day) is working


def test_a_year_without_a_file_is_an_error(calendar: WorkingCalendar) -> None:
    with pytest.raises(MissingYearError) as caught:
        calendar.is_working_day(date(2027, 3, 1))

    assert caught.value.year == 2027
    assert str(caught.value) == "no holiday data for 2027: add holidays/2027.json"
    assert caught.value.chinese_message == (
        "2027年的节假日安排尚未录入，无法计算工作日期限。"
        "请管理员补充 holidays/2027.json。"
    )
    with pytest.raises(MissingYearError):
        calendar.is_working_day(date(2003, 12, 31))


def test_a_datetime_is_refused_where_a_date_is_meant(
    calendar: WorkingCalendar,
) -> None:
    with pytest.raises(TypeError, match="takes a date"):
        calendar.is_working_day(beijing(2024, 3, 1, 9))


# --- deadline ---------------------------------------------------------------------


def test_saturday_dispatch_with_one_day_is_due_at_the_end_of_monday(
    calendar: WorkingCalendar,
) -> None:
    # Saturday 2 March 2024: counting starts Sunday 3 (off); Monday 4 is day 1.
    due = calendar.deadline(beijing(2024, 3, 2, 10, 0), 1)

    assert due == beijing(2024, 3, 5)  # 24:00 Monday = 00:00 Tuesday
    assert due.tzinfo is SHANGHAI


def test_the_events_own_day_never_counts(calendar: WorkingCalendar) -> None:
    # Monday 4 March 2024 at 08:00, a working day: day 1 is still Tuesday 5.
    assert calendar.deadline(beijing(2024, 3, 4, 8, 0), 1) == beijing(2024, 3, 6)
    # One minute before midnight makes no difference either.
    assert calendar.deadline(beijing(2024, 3, 4, 23, 59), 1) == beijing(2024, 3, 6)


def test_deadline_across_the_2024_spring_festival(calendar: WorkingCalendar) -> None:
    # Off 10-17 February; Sundays 4 and 18 February worked.
    # Friday 2 Feb: Sat 3 off, Sun 4 worked (1), Mon 5 (2), Tue 6 (3).
    assert calendar.deadline(beijing(2024, 2, 2, 16, 0), 3) == beijing(2024, 2, 7)
    # Thursday 8 Feb: Fri 9 (1), 10-17 off, Sun 18 worked (2).
    assert calendar.deadline(beijing(2024, 2, 8, 9, 0), 2) == beijing(2024, 2, 19)
    # Friday 9 Feb (除夕): 10-17 off, Sun 18 (1), Mon 19 (2), Tue 20 (3).
    assert calendar.deadline(beijing(2024, 2, 9, 15, 30), 3) == beijing(2024, 2, 21)


def test_a_make_up_saturday_is_a_working_day(calendar: WorkingCalendar) -> None:
    # Saturday 11 May 2024 was worked for Labour Day.
    assert calendar.is_working_day(date(2024, 5, 11))
    # Friday 10 May: Saturday 11 is day 1, so it is due at 24:00 that Saturday.
    assert calendar.deadline(beijing(2024, 5, 10, 17, 0), 1) == beijing(2024, 5, 12)


def test_national_day_2025(calendar: WorkingCalendar) -> None:
    # 国庆节、中秋节 2025: 1-8 October off; Sunday 28 September and Saturday
    # 11 October worked.
    for day in range(1, 9):
        assert not calendar.is_working_day(date(2025, 10, day))
    assert calendar.is_working_day(date(2025, 9, 28))
    assert calendar.is_working_day(date(2025, 10, 11))

    # Saturday 27 Sep: Sunday 28 is worked, so one day ends at 24:00 that Sunday.
    assert calendar.deadline(beijing(2025, 9, 27, 11, 0), 1) == beijing(2025, 9, 29)
    # Tuesday 30 Sep: 1-8 off, Thu 9 (1), Fri 10 (2), Sat 11 worked (3).
    assert calendar.deadline(beijing(2025, 9, 30, 14, 0), 2) == beijing(2025, 10, 11)
    assert calendar.deadline(beijing(2025, 9, 30, 14, 0), 3) == beijing(2025, 10, 12)


def test_deadline_across_new_year_uses_the_next_years_notice(
    calendar: WorkingCalendar,
) -> None:
    # Friday 27 Dec 2024: Mon 30 (1), Tue 31 (2), 1 Jan 2025 off, Thu 2 Jan (3).
    assert calendar.deadline(beijing(2024, 12, 27, 10, 0), 3) == beijing(2025, 1, 3)


def test_deadline_into_a_year_without_data_names_that_year(tmp_path: Path) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2024.json", tmp_path / "2024.json")
    only_2024 = WorkingCalendar.load(tmp_path)

    # Friday 27 Dec 2024: Mon 30 (1), Tue 31 (2), then 1 Jan 2025 is unknown.
    with pytest.raises(MissingYearError) as caught:
        only_2024.deadline(beijing(2024, 12, 27, 10, 0), 3)

    assert caught.value.year == 2025
    assert "2025" in str(caught.value)
    assert "2025年的节假日安排尚未录入" in caught.value.chinese_message
    # Two days still fit inside 2024.
    assert only_2024.deadline(beijing(2024, 12, 27, 10, 0), 2) == beijing(2025, 1, 1)


def test_a_moment_in_another_zone_counts_from_its_beijing_day(
    calendar: WorkingCalendar,
) -> None:
    # 16:30 UTC on Thursday 29 Feb 2024 is 00:30 Beijing on Friday 1 March, so
    # day 1 is Monday 4 March, not Friday 1 March.
    start = datetime(2024, 2, 29, 16, 30, tzinfo=UTC)
    assert calendar.deadline(start, 1) == beijing(2024, 3, 5)


def test_the_servers_time_zone_does_not_change_a_result(
    calendar: WorkingCalendar, new_york_server: None
) -> None:
    # 20:00 UTC on Thursday 29 Feb 2024 is 04:00 Friday 1 March in Beijing but
    # 15:00 Thursday in New York. Counted from the Beijing Friday, day 1 is Monday
    # 4 March (due 00:00 Tuesday 5); counted from the server's Thursday it would
    # wrongly be Friday 1 March (due 00:00 Saturday 2).
    start = datetime(2024, 2, 29, 20, 0, tzinfo=UTC)
    # Make sure the process really is on New York time during this test.
    assert datetime.fromtimestamp(start.timestamp()).hour == 15

    due = calendar.deadline(start, 1)

    assert due == beijing(2024, 3, 5)
    assert due.utcoffset() == timedelta(hours=8)
    assert calendar.warning_time(start, 1) == beijing(2024, 3, 4)
    assert calendar.deadline(beijing(2024, 3, 2, 10, 0), 1) == beijing(2024, 3, 5)


def test_naive_datetimes_are_refused(calendar: WorkingCalendar) -> None:
    naive = datetime(2024, 3, 1, 9, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.deadline(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.warning_time(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_days(naive, 1)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_days_between(naive, beijing(2024, 3, 2))


@pytest.mark.parametrize("n", [0, -1])
def test_fewer_than_one_working_day_is_refused(
    calendar: WorkingCalendar, n: int
) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        calendar.deadline(beijing(2024, 3, 1, 9), n)
    with pytest.raises(ValueError, match="at least 1"):
        calendar.add_working_days(beijing(2024, 3, 2), n)


# --- warning_time and add_working_days --------------------------------------------


def test_warning_time_is_the_start_of_the_last_working_day(
    calendar: WorkingCalendar,
) -> None:
    # Saturday 2 March, one day: due 24:00 Monday 4, warned from 00:00 Monday 4.
    assert calendar.warning_time(beijing(2024, 3, 2, 10), 1) == beijing(2024, 3, 4)
    # Thursday 8 Feb, two days: due 24:00 Sunday 18 Feb (a worked Sunday), so the
    # warning starts at 00:00 that Sunday, not on the holiday before it.
    assert calendar.warning_time(beijing(2024, 2, 8, 9), 2) == beijing(2024, 2, 18)


def test_add_working_days_extends_a_deadline(calendar: WorkingCalendar) -> None:
    # Wednesday 25 Sep 2024, two days: Thu 26 (1), Fri 27 (2), due 28 Sep 00:00.
    due = calendar.deadline(beijing(2024, 9, 25, 10), 2)
    assert due == beijing(2024, 9, 28)
    # Two more: Sat 28 off, Sun 29 worked (1), Mon 30 (2), due 1 Oct 00:00.
    assert calendar.add_working_days(due, 2) == beijing(2024, 10, 1)
    # Three more: National Day 1-7 October off, Tue 8 October is the third.
    assert calendar.add_working_days(due, 3) == beijing(2024, 10, 9)


def test_add_working_days_agrees_with_a_longer_deadline(
    calendar: WorkingCalendar,
) -> None:
    # Extending an N-day deadline by M days is the same as an (N+M)-day deadline,
    # for every start in 2024 (its Spring Festival, make-up days and New Year).
    start = beijing(2024, 1, 1, 9)
    while start.year == 2024:
        for first, extra in ((1, 1), (3, 2), (5, 5)):
            extended = calendar.add_working_days(calendar.deadline(start, first), extra)
            assert extended == calendar.deadline(start, first + extra), start
        start += timedelta(days=1)


def test_add_working_days_to_a_deadline_set_during_the_day(
    calendar: WorkingCalendar,
) -> None:
    # A deadline at 18:00 Tuesday 5 March grants that Tuesday; one more working
    # day is Wednesday 6, so the new deadline is 24:00 Wednesday.
    assert calendar.add_working_days(beijing(2024, 3, 5, 18), 1) == beijing(2024, 3, 7)


# --- working_days_between ---------------------------------------------------------


def test_working_days_between_skips_a_weekend(calendar: WorkingCalendar) -> None:
    # Friday 1 March 12:00 to Monday 4 March 12:00: half of Friday, half of Monday.
    assert calendar.working_days_between(
        beijing(2024, 3, 1, 12), beijing(2024, 3, 4, 12)
    ) == pytest.approx(1.0)
    # Friday 18:00 to Monday 06:00: a quarter of each.
    assert calendar.working_days_between(
        beijing(2024, 3, 1, 18), beijing(2024, 3, 4, 6)
    ) == pytest.approx(0.5)


def test_working_days_between_counts_a_make_up_sunday(
    calendar: WorkingCalendar,
) -> None:
    # Saturday 17 Feb 2024 (holiday) 00:00 to Monday 19 Feb 00:00: only the
    # worked Sunday 18 counts.
    assert calendar.working_days_between(
        beijing(2024, 2, 17), beijing(2024, 2, 19)
    ) == pytest.approx(1.0)


def test_working_days_between_mixed_zones_and_reversed(
    calendar: WorkingCalendar,
) -> None:
    # 01:00 UTC is 09:00 Beijing: Monday 4 March 09:00 to 21:00 is half a day.
    a = datetime(2024, 3, 4, 1, 0, tzinfo=UTC)
    b = datetime(2024, 3, 4, 8, 0, tzinfo=NEW_YORK)  # 21:00 Beijing
    assert calendar.working_days_between(a, b) == pytest.approx(0.5)
    assert calendar.working_days_between(b, a) == 0.0
    assert calendar.working_days_between(a, a) == 0.0


def test_working_days_between_ending_at_midnight_needs_no_next_year(
    tmp_path: Path,
) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2024.json", tmp_path / "2024.json")
    only_2024 = WorkingCalendar.load(tmp_path)

    # Mon 30 and Tue 31 Dec 2024 are working days; 00:00 on 1 January adds nothing.
    assert only_2024.working_days_between(
        beijing(2024, 12, 30), beijing(2025, 1, 1)
    ) == pytest.approx(2.0)


# --- off_days and makeup_days -----------------------------------------------------


def test_off_and_makeup_days_of_2024(calendar: WorkingCalendar) -> None:
    off = calendar.off_days(2024)
    makeup = calendar.makeup_days(2024)

    # 1 + 8 + 3 + 5 + 1 + 3 + 7 days off; 2 + 1 + 2 + 1 + 2 weekend days worked.
    assert len(off) == 28
    assert len(makeup) == 8
    assert off[0] == (date(2024, 1, 1), "元旦")
    assert (date(2024, 2, 10), "春节") in off
    assert makeup[:2] == [(date(2024, 2, 4), "春节"), (date(2024, 2, 18), "春节")]
    assert makeup[-1] == (date(2024, 10, 12), "国庆节")


def test_december_days_set_by_the_next_years_notice(
    calendar: WorkingCalendar,
) -> None:
    # The 2019 notice gave 30-31 December 2018 off and had Saturday 29 worked.
    assert calendar.off_days(2018)[-2:] == [
        (date(2018, 12, 30), "元旦"),
        (date(2018, 12, 31), "元旦"),
    ]
    assert calendar.makeup_days(2018)[-1] == (date(2018, 12, 29), "元旦")
    assert calendar.notice_year(date(2018, 12, 30)) == 2019
    assert calendar.notice_year(date(2018, 12, 28)) is None


# --- Loading ----------------------------------------------------------------------


def test_default_calendar_reads_the_environment_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copy(DEFAULT_HOLIDAYS_DIR / "2025.json", tmp_path / "2025.json")
    monkeypatch.setenv(HOLIDAYS_DIR_ENV, str(tmp_path))
    default_calendar.cache_clear()
    try:
        assert default_calendar().years == [2025]
        assert default_calendar() is default_calendar()
    finally:
        default_calendar.cache_clear()


def test_a_bad_date_names_the_file(tmp_path: Path) -> None:
    write_year(
        tmp_path,
        2024,
        [{"name": "春节", "off": ["2024-02-10", "2024-02-30"], "workdays": []}],
    )

    with pytest.raises(CalendarError) as caught:
        WorkingCalendar.load(tmp_path)

    message = str(caught.value)
    assert "2024.json" in message
    assert "'2024-02-30' is not a valid date" in message


def test_a_day_both_off_and_worked_names_the_file(tmp_path: Path) -> None:
    path = write_year(
        tmp_path,
        2024,
        [
            {"name": "春节", "off": ["2024-02-10", "2024-02-11"], "workdays": []},
            {"name": "测试", "off": ["2024-03-01"], "workdays": ["2024-02-11"]},
        ],
    )

    with pytest.raises(HolidayFileError) as caught:
        read_year_file(path)

    assert caught.value.path == path
    assert str(path) in str(caught.value)
    assert caught.value.problems == (
        "2024-02-11 is listed twice: as day off of 春节 and make-up working day "
        "of 测试",
    )


def test_a_wrong_year_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "2024.json"
    path.write_text(
        json.dumps(
            {
                "year": 2023,
                "source": "测试",
                "holidays": [{"name": "元旦", "off": ["2024-01-01"]}],
            }
        ),
        encoding="utf-8",
    )

    with pytest.raises(CalendarError, match=r"2024\.json.*2023 but the file name"):
        WorkingCalendar.load(tmp_path)


@pytest.mark.parametrize(
    ("holiday", "problem"),
    [
        (
            {"name": "春节", "off": ["2024-02-10"], "workdays": ["2024-02-05"]},
            "make-up working day 2024-02-05 of 春节 is a Monday",
        ),
        (
            # A typo (2024-12-17 for 2024-02-17) breaks the holiday in two.
            {"name": "春节", "off": ["2024-02-10", "2024-12-17"]},
            "the days off of 春节 are not one break: 2024-02-12",
        ),
        (
            {"name": "元旦", "off": ["2022-06-30"]},
            "day off of 元旦 2022-06-30 is outside 2024",
        ),
        ({"name": "元旦", "off": []}, '"off" lists no day'),
        ({"name": "元旦", "offf": ["2024-01-01"]}, "unknown 'offf'"),
        ({"name": "元旦", "off": ["20240101"]}, "'20240101' is not a valid date"),
    ],
)
def test_file_problems_are_reported(
    tmp_path: Path, holiday: dict[str, Any], problem: str
) -> None:
    path = write_year(tmp_path, 2024, [holiday])

    with pytest.raises(HolidayFileError) as caught:
        read_year_file(path)

    assert any(problem in text for text in caught.value.problems), caught.value


def test_an_ordinary_weekend_may_split_a_holiday(tmp_path: Path) -> None:
    # 2014 清明节: "4月5日放假，4月7日（星期一）补休"; Sunday 6 April between them is
    # an ordinary weekend day and needs no listing.
    path = write_year(
        tmp_path, 2014, [{"name": "清明节", "off": ["2014-04-05", "2014-04-07"]}]
    )

    assert read_year_file(path).holidays[0].off == (date(2014, 4, 5), date(2014, 4, 7))


def test_broken_json_and_misnamed_files_are_reported(tmp_path: Path) -> None:
    broken = tmp_path / "2024.json"
    broken.write_text('{"year": 2024,', encoding="utf-8")
    misnamed = tmp_path / "holidays-2024.json"
    misnamed.write_text("{}", encoding="utf-8")

    with pytest.raises(HolidayFileError, match=r"2024\.json: is not valid UTF-8 JSON"):
        read_year_file(broken)
    with pytest.raises(HolidayFileError, match="must be the year"):
        read_year_file(misnamed)


def test_two_files_listing_one_date_are_refused(tmp_path: Path) -> None:
    write_year(tmp_path, 2022, [{"name": "元旦", "off": ["2022-12-31"]}])
    write_year(tmp_path, 2023, [{"name": "元旦", "off": ["2022-12-31", "2023-01-01"]}])

    with pytest.raises(
        CalendarError, match=r"2022-12-31 is listed by both .*2022\.json"
    ):
        WorkingCalendar.load(tmp_path)


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="does not exist"):
        WorkingCalendar.load(tmp_path / "nowhere")
    with pytest.raises(CalendarError, match="no holiday files"):
        WorkingCalendar.load(tmp_path)
