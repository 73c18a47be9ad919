"""Admin page for the holiday calendar (节假日): a read-only view of holidays/
per year, with the same check as ``bangban calendar check``."""

from __future__ import annotations

import logging

from flask import render_template, request

from engine.calendar import CalendarError, WorkingCalendar, holidays_folder
from engine.calendar_check import HolidayCheck, check_holidays
from webapp.admin import ADMINS, bp, roles_required

logger = logging.getLogger(__name__)


@bp.route("/holidays", methods=["GET", "POST"])
@roles_required(ADMINS)
def holidays() -> tuple[str, int]:
    """Days off and make-up working days of one year; POST runs the check."""
    folder = holidays_folder()
    report: HolidayCheck | None = None
    failure = None
    if request.method == "POST":
        try:
            report = check_holidays(folder)
        except CalendarError as exc:
            failure = str(exc)

    try:
        calendar = WorkingCalendar.load(folder)
    except CalendarError as exc:
        page = render_template(
            "admin/holidays.html",
            failure=failure or str(exc),
            chinese=exc.chinese_message,
            report=report,
            years=[],
        )
        return page, 200
    years = calendar.years
    year = request.args.get("year", type=int) or (years[-1] if years else None)
    if year not in years:
        year = years[-1] if years else None
    page = render_template(
        "admin/holidays.html",
        years=years,
        year=year,
        source=calendar.year_data(year).source if year else "",
        off_days=calendar.off_days(year) if year else [],
        makeup_days=calendar.makeup_days(year) if year else [],
        report=report,
        failure=failure,
        folder=folder,
    )
    return page, 200
