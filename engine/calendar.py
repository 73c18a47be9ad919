"""Chinese working days for deadlines (工作日期限).

Government departments count deadlines in working days as the State Council sets
them each year (国务院办公厅关于XXXX年部分节假日安排的通知): weekends are off,
statutory holidays are off, and some weekend days are worked instead (调休上班).
This module reads one JSON file per year from ``holidays/`` (see its README) and
answers four questions, always in Asia/Shanghai time:

- is a given day a working day;
- when does a deadline of N working days end, and when does its early warning
  (预警) start;
- where does an approved extension move a deadline;
- how many working days lie between two moments (for reports).

The deadline rule, from the product brief: N working days are counted from the day
after the event, whether or not the event's own day is a working day, and the
deadline is 24:00 of the Nth working day. 24:00 of day D is represented as 00:00 of
D+1, Asia/Shanghai. A day whose year has no file raises ``MissingYearError``: the
engine never guesses a year's holidays.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")

#: Environment variable that points the default calendar at another folder.
HOLIDAYS_DIR_ENV = "BANGBAN_HOLIDAYS_DIR"

#: The ``holidays/`` folder at the top of the repository.
DEFAULT_HOLIDAYS_DIR = Path(__file__).resolve().parent.parent / "holidays"

_ONE_DAY = timedelta(days=1)
_MIDNIGHT = time(0)
_FILE_NAME = re.compile(r"(\d{4})\.json")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEKDAY_NAMES = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)


class CalendarError(Exception):
    """The holiday data is missing or wrong, so working days cannot be counted."""

    @property
    def chinese_message(self) -> str:
        """A Chinese explanation for the person who sees the error."""
        return (
            "节假日数据有误，无法计算工作日期限。"
            "请管理员运行 bangban calendar check 检查节假日文件。"
        )


class HolidayFileError(CalendarError):
    """One holiday file cannot be used; ``problems`` says everything wrong with it."""

    def __init__(self, path: Path, problems: Iterable[str]) -> None:
        self.path = path
        self.problems = tuple(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


class MissingYearError(CalendarError):
    """A day was asked about whose year has no holiday file."""

    def __init__(self, year: int, file_hint: str | None = None) -> None:
        self.year = year
        self.file_hint = file_hint or f"holidays/{year}.json"
        super().__init__(f"no holiday data for {year}: add {self.file_hint}")

    @property
    def chinese_message(self) -> str:
        """A Chinese explanation for the person who sees the error."""
        return (
            f"{self.year}年的节假日安排尚未录入，无法计算工作日期限。"
            f"请管理员补充 {self.file_hint}。"
        )


@dataclass(frozen=True)
class Holiday:
    """One holiday period of a notice: its days off and its make-up working days.

    ``off`` lists every day off the notice gives, weekends included; ``workdays``
    lists the weekend days worked instead (调休上班). ``note`` is free text for the
    admin, such as a later notice that changed the period.
    """

    name: str
    off: tuple[date, ...]
    workdays: tuple[date, ...]
    note: str = ""


@dataclass(frozen=True)
class HolidayYear:
    """One year's arrangement as read from ``holidays/YYYY.json``.

    Its days may reach into the last days of December of the year before, when the
    notice for ``year`` arranges the New Year break that way.
    """

    year: int
    source: str
    holidays: tuple[Holiday, ...]
    path: Path | None = None


def holidays_folder(folder: str | Path | None = None) -> Path:
    """The folder to read: ``folder``, else $BANGBAN_HOLIDAYS_DIR, else holidays/."""
    if folder is not None:
        return Path(folder)
    from_environment = os.environ.get(HOLIDAYS_DIR_ENV)
    if from_environment:
        return Path(from_environment)
    return DEFAULT_HOLIDAYS_DIR


def year_files(folder: str | Path) -> list[Path]:
    """Every ``*.json`` file in ``folder``, sorted by name.

    Files not named ``YYYY.json`` are returned too, so that reading them reports
    the misnamed file instead of silently skipping it.
    """
    directory = Path(folder)
    if not directory.is_dir():
        raise CalendarError(f"holiday folder {directory} does not exist")
    return sorted(directory.glob("*.json"))


def read_year_file(path: str | Path) -> HolidayYear:
    """Read and validate one ``YYYY.json`` file.

    Raises ``HolidayFileError`` naming the file and listing every problem found:
    a year that does not match the file name, a date that is not a real
    YYYY-MM-DD date, a date listed twice (for example both off and worked), a
    make-up working day that is not a weekend, a date far outside the year, or a
    holiday whose days off are interrupted by anything but an ordinary weekend.
    """
    file = Path(path)
    name_match = _FILE_NAME.fullmatch(file.name)
    if name_match is None:
        raise HolidayFileError(file, ["the file name must be the year, e.g. 2024.json"])

    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise HolidayFileError(file, [f"cannot be read: {error}"]) from error
    except ValueError as error:
        # json.JSONDecodeError and UnicodeDecodeError are both ValueErrors; their
        # text carries the line and column an admin needs.
        raise HolidayFileError(file, [f"is not valid UTF-8 JSON: {error}"]) from error

    problems: list[str] = []
    year_data = _parse_year(raw, int(name_match.group(1)), file, problems)
    if problems or year_data is None:
        raise HolidayFileError(file, problems)
    return year_data


class WorkingCalendar:
    """Working days of the years whose holiday files are loaded.

    Build one with ``WorkingCalendar.load()`` or use ``default_calendar()``. Every
    question about a day whose year has no file raises ``MissingYearError``.
    """

    def __init__(
        self, years: Iterable[HolidayYear], folder: Path | None = None
    ) -> None:
        """Index ``years``; raise ``CalendarError`` if two of them claim one date."""
        self._folder = folder
        self._years: dict[int, HolidayYear] = {}
        self._off: dict[date, str] = {}
        self._makeup: dict[date, str] = {}
        self._listed_by: dict[date, HolidayYear] = {}

        for year_data in sorted(years, key=lambda item: item.year):
            if year_data.year in self._years:
                raise CalendarError(f"two sets of holiday data for {year_data.year}")
            self._years[year_data.year] = year_data
            for holiday in year_data.holidays:
                for day in holiday.off:
                    self._claim(day, year_data)
                    self._off[day] = holiday.name
                for day in holiday.workdays:
                    self._claim(day, year_data)
                    self._makeup[day] = holiday.name

    @classmethod
    def load(cls, folder: str | Path | None = None) -> WorkingCalendar:
        """Load and validate every file of ``folder`` (see ``holidays_folder``).

        Raises ``CalendarError`` naming the file and the problem when any file is
        wrong: a half-valid calendar would give wrong deadlines without notice.
        """
        directory = holidays_folder(folder)
        files = year_files(directory)
        if not files:
            raise CalendarError(f"no holiday files (YYYY.json) in {directory}")

        calendar = cls((read_year_file(file) for file in files), folder=directory)
        logger.info(
            "loaded holiday data for %s years (%d-%d) from %s",
            len(calendar.years),
            calendar.years[0],
            calendar.years[-1],
            directory,
        )
        return calendar

    @property
    def years(self) -> list[int]:
        """The years that have a holiday file, in order."""
        return sorted(self._years)

    def year_data(self, year: int) -> HolidayYear:
        """The arrangement read from ``year``'s file."""
        self._require_year(year)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day.

        That is a Monday to Friday that no notice gives off, or a weekend day
        worked instead (调休上班).
        """
        if isinstance(day, datetime):
            # A datetime's date depends on its zone; make the caller choose it.
            raise TypeError(
                "is_working_day takes a date; for a moment use "
                "moment.astimezone(SHANGHAI).date()"
            )
        self._require_year(day.year)
        if day in self._makeup:
            return True
        if day in self._off:
            return False
        return day.weekday() < 5

    def deadline(self, start: datetime, n: int) -> datetime:
        """The end of a deadline of ``n`` working days after the event at ``start``.

        Working days are counted from the day after ``start``'s day in Asia/Shanghai,
        whatever that day is; the result is 24:00 of the nth working day, given as
        00:00 of the next day in Asia/Shanghai. A Saturday event with n = 1 is due
        at the end of Monday (if Monday is a working day).
        """
        last_day = self._nth_working_day(_event_day(start, "start"), n)
        due = _start_of(last_day + _ONE_DAY)
        logger.debug("deadline of %d working days after %s: %s", n, start, due)
        return due

    def warning_time(self, start: datetime, n: int) -> datetime:
        """When the early warning (预警) of ``deadline(start, n)`` starts.

        That is 00:00 Asia/Shanghai of the nth working day: the start of the last
        working day before the deadline.
        """
        return _start_of(self._nth_working_day(_event_day(start, "start"), n))

    def add_working_days(self, deadline: datetime, n: int) -> datetime:
        """Push ``deadline`` back by ``n`` more working days (an approved extension).

        A deadline at 00:00 Asia/Shanghai, as ``deadline()`` returns it, means
        24:00 of the day before, so that day is the last one already granted and
        the extra days are counted after it. Hence
        ``add_working_days(deadline(start, a), b) == deadline(start, a + b)``.
        A deadline at any other time of day grants its own day, and the extra
        days are counted after that day; the result is again 24:00 of the last
        of them.
        """
        local = _as_shanghai(deadline, "deadline")
        last_granted = local.date()
        if local.time() == _MIDNIGHT:
            last_granted -= _ONE_DAY
        return _start_of(self._nth_working_day(last_granted, n) + _ONE_DAY)

    def working_days_between(self, a: datetime, b: datetime) -> float:
        """Working time from ``a`` to ``b``, in working days, for reports.

        Only the time that falls on working days (Asia/Shanghai) counts, divided
        by 24 hours: from Friday 12:00 to Monday 12:00 around an ordinary weekend
        is 1.0 (half of Friday and half of Monday). 0.0 if ``b`` is not after
        ``a``.
        """
        start = _as_shanghai(a, "a")
        end = _as_shanghai(b, "b")
        if end <= start:
            return 0.0

        # A moment at 00:00 takes nothing from its own day, whose year may not be
        # loaded yet (the end of a report period on 1 January, say).
        last_day = end.date()
        if end.time() == _MIDNIGHT:
            last_day -= _ONE_DAY

        worked = timedelta(0)
        day = start.date()
        while day <= last_day:
            if self.is_working_day(day):
                begin = max(start, _start_of(day))
                finish = min(end, _start_of(day + _ONE_DAY))
                # Subtract in UTC: two datetimes sharing a tzinfo subtract as wall
                # clock times, which is wrong across a DST change.
                worked += finish.astimezone(UTC) - begin.astimezone(UTC)
            day += _ONE_DAY
        return worked / _ONE_DAY

    def off_days(self, year: int) -> list[tuple[date, str]]:
        """The days off of calendar year ``year`` with their holiday names, in order.

        Weekends outside a holiday are not listed. A day off in the last days of
        December may come from the next year's notice, if that file is loaded.
        """
        self._require_year(year)
        return sorted(
            (day, name) for day, name in self._off.items() if day.year == year
        )

    def makeup_days(self, year: int) -> list[tuple[date, str]]:
        """The weekend days worked (调休上班) in calendar year ``year``, in order.

        Each comes with the name of the holiday it makes up for.
        """
        self._require_year(year)
        return sorted(
            (day, name) for day, name in self._makeup.items() if day.year == year
        )

    def notice_year(self, day: date) -> int | None:
        """The year of the notice that lists ``day``, or None for an ordinary day."""
        year_data = self._listed_by.get(day)
        return None if year_data is None else year_data.year

    def _require_year(self, year: int) -> None:
        if year not in self._years:
            raise MissingYearError(year, self._file_hint(year))

    def _file_hint(self, year: int) -> str:
        if self._folder is None or self._folder == DEFAULT_HOLIDAYS_DIR:
            return f"holidays/{year}.json"
        return str(self._folder / f"{year}.json")

    def _claim(self, day: date, owner: HolidayYear) -> None:
        # A date belongs to the one notice that lists it; two files listing the
        # same date would make the answer depend on the order they were read in.
        listed_by = self._listed_by.setdefault(day, owner)
        if listed_by is not owner:
            raise CalendarError(
                f"{day} is listed by both {_describe(listed_by)} and "
                f"{_describe(owner)}; keep it only in the file of the notice that "
                "names it"
            )

    def _nth_working_day(self, after: date, n: int) -> date:
        """The nth working day strictly after ``after``."""
        if n < 1:
            raise ValueError(f"n must be at least 1 working day, got {n}")
        day = after
        found = 0
        while found < n:
            day += _ONE_DAY
            if self.is_working_day(day):
                found += 1
        return day


@functools.cache
def default_calendar() -> WorkingCalendar:
    """The calendar of the default folder (see ``holidays_folder``), loaded once.

    Call ``default_calendar.cache_clear()`` to reload after the files change.
    """
    return WorkingCalendar.load()


def _as_shanghai(moment: datetime, what: str) -> datetime:
    """``moment`` in Asia/Shanghai; a naive datetime is refused, not guessed."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{what} must be timezone-aware, got the naive datetime "
            f"{moment.isoformat()}; attach its zone first, for Beijing time "
            "with .replace(tzinfo=SHANGHAI)"
        )
    return moment.astimezone(SHANGHAI)


def _event_day(moment: datetime, what: str) -> date:
    return _as_shanghai(moment, what).date()


def _start_of(day: date) -> datetime:
    """00:00 Asia/Shanghai of ``day``."""
    return datetime.combine(day, _MIDNIGHT, tzinfo=SHANGHAI)


def _describe(year_data: HolidayYear) -> str:
    if year_data.path is not None:
        return str(year_data.path)
    return f"the data for {year_data.year}"


def _parse_year(
    raw: Any, file_year: int, path: Path, problems: list[str]
) -> HolidayYear | None:
    """Turn a file's JSON into a ``HolidayYear``, adding problems as they are found."""
    if not isinstance(raw, dict):
        problems.append(
            'the file must hold an object with "year", "source" and "holidays"'
        )
        return None
    _check_keys(raw, {"year", "source", "holidays"}, {"note"}, "the file", problems)

    year = raw.get("year")
    if isinstance(year, bool) or not isinstance(year, int):
        problems.append(f'"year" must be a number such as {file_year}, not {year!r}')
    elif year != file_year:
        problems.append(f'"year" is {year} but the file name says {file_year}')

    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append(
            '"source" must name the notice, e.g. 国务院办公厅关于2024年部分节假日安排的'
            "通知（国办发明电〔2023〕7号）"
        )
        source = ""

    entries = raw.get("holidays")
    if not isinstance(entries, list) or not entries:
        problems.append('"holidays" must be a non-empty list of holiday periods')
        entries = []
    holidays = [
        holiday
        for number, entry in enumerate(entries, start=1)
        if (holiday := _parse_holiday(entry, number, problems)) is not None
    ]

    _check_days(holidays, file_year, problems)
    return HolidayYear(file_year, source.strip(), tuple(holidays), path)


def _parse_holiday(entry: Any, number: int, problems: list[str]) -> Holiday | None:
    label = f"holiday #{number}"
    if not isinstance(entry, dict):
        problems.append(f'{label} must be an object with "name", "off" and "workdays"')
        return None

    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f'{label} needs a "name" such as "春节"')
        name = ""
    else:
        name = name.strip()
        label = f"{label} ({name})"
    _check_keys(entry, {"name", "off"}, {"workdays", "note"}, label, problems)

    off = _parse_dates(entry.get("off"), f'{label} "off"', problems)
    if entry.get("off") == []:
        problems.append(f'{label} "off" lists no day')
    workdays = _parse_dates(entry.get("workdays", []), f'{label} "workdays"', problems)

    note = entry.get("note", "")
    if not isinstance(note, str):
        problems.append(f'{label} "note" must be text')
        note = ""
    return Holiday(name, tuple(off), tuple(workdays), note)


def _parse_dates(values: Any, label: str, problems: list[str]) -> list[date]:
    if values is None:
        return []
    if not isinstance(values, list):
        problems.append(f'{label} must be a list of dates such as "2024-02-10"')
        return []
    days = []
    for value in values:
        day = _parse_date(value)
        if day is None:
            problems.append(f"{label}: {value!r} is not a valid date (use YYYY-MM-DD)")
        else:
            days.append(day)
    return days


def _parse_date(value: Any) -> date | None:
    # date.fromisoformat also takes forms like "20240210"; the files keep to one.
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _check_keys(
    mapping: dict[str, Any],
    required: set[str],
    optional: set[str],
    where: str,
    problems: list[str],
) -> None:
    # Unknown keys are usually typos ("workday", "offs") that would drop data.
    missing = sorted(required - mapping.keys())
    unknown = sorted(mapping.keys() - required - optional)
    if missing:
        problems.append(f"{where} lacks {', '.join(repr(key) for key in missing)}")
    if unknown:
        allowed = ", ".join(repr(key) for key in sorted(required | optional))
        problems.append(
            f"{where} has unknown {', '.join(repr(key) for key in unknown)} "
            f"(allowed: {allowed})"
        )


def _check_days(holidays: list[Holiday], file_year: int, problems: list[str]) -> None:
    """Check the dates of one file against each other and against the calendar."""
    listed: dict[date, str] = {}
    makeup = {day for holiday in holidays for day in holiday.workdays}

    for holiday in holidays:
        kinds = (("day off", holiday.off), ("make-up working day", holiday.workdays))
        for kind, days in kinds:
            for day in days:
                what = f"{kind} of {holiday.name}"
                if not _within_notice_reach(day, file_year):
                    problems.append(
                        f"{what} {day} is outside {file_year}: a notice may only reach "
                        f"into late December {file_year - 1} or early January "
                        f"{file_year + 1}"
                    )
                if day in listed:
                    problems.append(
                        f"{day} is listed twice: as {listed[day]} and {what}"
                    )
                else:
                    listed[day] = what

        for day in holiday.workdays:
            if day.weekday() < 5:
                problems.append(
                    f"make-up working day {day} of {holiday.name} is a "
                    f"{_WEEKDAY_NAMES[day.weekday()]}; only a Saturday or Sunday can "
                    "be worked instead (调休上班)"
                )

        # The days off of one holiday form one break. The only gap a notice leaves
        # is an ordinary weekend ("4月5日放假，4月7日（星期一）补休"); any other gap
        # is most likely a typo in a date.
        if holiday.off:
            first, last = min(holiday.off), max(holiday.off)
            day = first
            while day < last:
                if day not in holiday.off and (day.weekday() < 5 or day in makeup):
                    problems.append(
                        f"the days off of {holiday.name} are not one break: {day} "
                        f"lies between {first} and {last} but is a working day"
                    )
                    break
                day += _ONE_DAY


def _within_notice_reach(day: date, file_year: int) -> bool:
    """Whether a notice for ``file_year`` can plausibly list ``day``.

    Notices arrange the New Year break across the turn of the year (the 2008
    notice gives 30-31 December 2007 off and 29 December 2007 worked), so the
    neighbouring December and January are allowed.
    """
    if day.year == file_year:
        return True
    if day.year == file_year - 1:
        return day.month == 12
    return day.year == file_year + 1 and day.month == 1
