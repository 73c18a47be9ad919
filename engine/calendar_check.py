"""Checking the holiday files (节假日文件检查), for the CLI and the admin page.

``bangban calendar check`` and the check button of the admin calendar page run
this same check and show the same lines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from engine.calendar import (
    CalendarError,
    HolidayFileError,
    HolidayYear,
    WorkingCalendar,
    read_year_file,
    year_files,
)
from engine.clock import local, now

logger = logging.getLogger(__name__)


@dataclass
class HolidayCheck:
    """What the check found: report lines, problems and the years with a file."""

    directory: Path
    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every file is valid."""
        return not self.problems

    def conclusion(self) -> str:
        """The last line of the report."""
        if self.problems:
            return f"{len(self.problems)} problem(s) in {self.directory}"
        first, last = self.years[0], self.years[-1]
        return f"all {len(self.years)} files are valid ({first}-{last})"


def summary(year_data: HolidayYear) -> str:
    """One line about one year's file."""
    off = sum(len(holiday.off) for holiday in year_data.holidays)
    worked = sum(len(holiday.workdays) for holiday in year_data.holidays)
    return (
        f"{year_data.year}  {len(year_data.holidays)} holidays, {off} days off, "
        f"{worked} make-up working days  {year_data.source}"
    )


def check_holidays(directory: Path) -> HolidayCheck:
    """Validate every holiday file in ``directory`` and their neighbours.

    Raises ``CalendarError`` when the folder cannot be read or has no file.
    """
    files = year_files(directory)
    if not files:
        raise CalendarError(f"no holiday files (YYYY.json) in {directory}")

    report = HolidayCheck(directory)
    loaded: list[HolidayYear] = []
    for path in files:
        try:
            year_data = read_year_file(path)
        except HolidayFileError as error:
            report.lines.append(f"BAD  {path.name}")
            report.lines.extend(f"     - {problem}" for problem in error.problems)
            report.problems.extend(f"{path.name}: {p}" for p in error.problems)
            continue
        loaded.append(year_data)
        report.lines.append(f"ok   {summary(year_data)}")

    # Each file can be fine on its own and still clash with its neighbour over a
    # date at the turn of the year.
    try:
        WorkingCalendar(loaded, folder=directory)
    except CalendarError as error:
        report.lines.append(f"BAD  {error}")
        report.problems.append(str(error))

    report.years = sorted(year_data.year for year_data in loaded)
    years = report.years
    if years:
        for gap in sorted(set(range(years[0], years[-1] + 1)) - set(years)):
            report.lines.append(
                f"note: no file for {gap}; deadlines that reach {gap} will fail"
            )
        # Deadlines of late December already reach into next year.
        upcoming = local(now()).year + 1
        if upcoming not in years:
            report.lines.append(
                f"warning: no file for {upcoming} yet; deadlines that reach "
                f"{upcoming} will fail: add {upcoming}.json from the State Council "
                "notice"
            )
    logger.info("holiday check of %s: %d problems", directory, len(report.problems))
    return report
