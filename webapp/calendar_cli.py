"""``bangban calendar``: working-day deadlines and the holiday files, from the shell.

The group needs no Flask app context; the lead registers it under ``bangban``.

    bangban calendar deadline 2024-02-09T15:30 3   # when is it due?
    bangban calendar year 2024                     # days off and make-up days
    bangban calendar check                         # validate holidays/*.json
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import click

from engine.calendar import (
    SHANGHAI,
    CalendarError,
    WorkingCalendar,
    default_calendar,
    holidays_folder,
)
from engine.calendar_check import check_holidays

WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

folder_option = click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of YYYY.json holiday files "
    "(default: $BANGBAN_HOLIDAYS_DIR, else holidays/).",
)

calendar_cli = click.Group(
    "calendar",
    help="Working days (工作日) and the State Council holiday files (节假日安排).",
)


@calendar_cli.command("deadline")
@click.argument("start")
@click.argument("n", type=click.IntRange(min=1))
@folder_option
def deadline_command(start: str, n: int, folder: Path | None) -> None:
    """Print when a deadline of N working days after START ends.

    START is an ISO date-time such as 2024-02-09T15:30 or
    2024-02-09T15:30+08:00; without an offset it is Beijing time. Counting starts
    the day after START, and the deadline is 24:00 of the Nth working day.
    """
    moment = _parse_start(start)
    calendar = _calendar(folder)
    try:
        due = calendar.deadline(moment, n)
        warning = calendar.warning_time(moment, n)
    except CalendarError as error:
        raise _failure(error) from error

    event_day = moment.astimezone(SHANGHAI).date()
    # The warning starts at 00:00 of the Nth working day and the deadline, stored as
    # 00:00 of the day after, is read by people as 24:00 of that same day.
    last_day = warning.date()
    click.echo(due.isoformat())
    click.echo(
        f"办理期限：{_chinese_date(last_day)}24:00前（北京时间）；"
        f"自{_chinese_date(event_day)}次日起算{n}个工作日。"
    )
    click.echo(f"预警时间：{_chinese_date(last_day)}0:00起。")


@calendar_cli.command("year")
@click.argument("year", type=int)
@folder_option
def year_command(year: int, folder: Path | None) -> None:
    """Print the days off and make-up working days of YEAR, with holiday names."""
    calendar = _calendar(folder)
    try:
        source = calendar.year_data(year).source
        off_days = calendar.off_days(year)
        makeup_days = calendar.makeup_days(year)
    except CalendarError as error:
        raise _failure(error) from error

    click.echo(f"{year}年 {source}")
    click.echo(f"放假 days off ({len(off_days)}):")
    for day, name in off_days:
        click.echo(_day_line(calendar, year, day, name))
    click.echo(f"调休上班 make-up working days ({len(makeup_days)}):")
    for day, name in makeup_days:
        click.echo(_day_line(calendar, year, day, name))


@calendar_cli.command("check")
@folder_option
def check_command(folder: Path | None) -> None:
    """Validate every holiday file and print one line per year.

    Exits with status 1 and lists the problems when any file is wrong.
    """
    directory = holidays_folder(folder)
    try:
        report = check_holidays(directory)
    except CalendarError as error:
        raise click.ClickException(str(error)) from error
    for line in report.lines:
        click.echo(line)
    if not report.ok:
        click.echo(report.conclusion(), err=True)
        raise click.exceptions.Exit(1)
    click.echo(report.conclusion())


def _calendar(folder: Path | None) -> WorkingCalendar:
    try:
        if folder is None:
            return default_calendar()
        return WorkingCalendar.load(folder)
    except CalendarError as error:
        raise _failure(error) from error


def _failure(error: CalendarError) -> click.ClickException:
    return click.ClickException(f"{error}\n{error.chinese_message}")


def _parse_start(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not an ISO date-time such as 2024-02-09T15:30+08:00",
            param_hint="START",
        ) from None
    if moment.tzinfo is None:
        # Operators type Beijing time; the server's own zone must not leak in.
        moment = moment.replace(tzinfo=SHANGHAI)
    return moment


def _chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS[day.weekday()]}）"


def _day_line(calendar: WorkingCalendar, year: int, day: date, name: str) -> str:
    line = f"  {day.isoformat()}  {WEEKDAYS[day.weekday()]}  {name}"
    notice_year = calendar.notice_year(day)
    if notice_year is not None and notice_year != year:
        # Late December days set by next year's New Year arrangement.
        line += f"（{notice_year}年安排）"
    return line
