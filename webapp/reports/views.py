"""Report pages: dashboard, drill-down, exports, charts and the printable page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, render_template, request, url_for
from flask_login import login_required

from engine.appeals.models import Appeal
from engine.directory import department_names
from engine.errors import FormInvalid
from engine.evaluation import assessments, export, indicators, periods
from engine.evaluation.definitions import ASSESSMENT_KINDS, INDICATORS
from engine.evaluation.indicators import GROUPINGS
from webapp.extensions import session
from webapp.reports import bp
from webapp.reports.access import READERS, may_read, require
from webapp.reports.charts import CHARTS, RANKED

logger = logging.getLogger(__name__)

# The chart images' own policy: their inline <style>, nothing else.
CHART_POLICY = "default-src 'none'; style-src 'unsafe-inline'"


@bp.app_context_processor
def _nav() -> dict[str, Any]:
    return {"may_read_reports": may_read}


def _query() -> dict[str, Any]:
    """The period and grouping arguments, to carry into links."""
    keys = ("period", "year", "month", "quarter", "from", "to", "by", "sort")
    return {key: request.args[key] for key in keys if request.args.get(key)}


def _report(grouping: str | None = None) -> indicators.Report:
    by = grouping or request.args.get("by") or "department"
    if by not in GROUPINGS:
        by = "department"
    return indicators.compute(session(), periods.parse(request.args), by)


def _sorted(report: indicators.Report) -> str:
    """Rank the rows by the chosen rate, best first (部门排名).

    Departments are ranked by the on-time rate unless another is chosen.
    """
    default = "on_time_rate" if report.grouping == "department" else ""
    key = request.args.get("sort") or default
    if key not in INDICATORS:
        return ""
    report.rows.sort(key=lambda row: -(row.values.get(key) or 0))
    return key


def _period_error(exc: FormInvalid) -> tuple[str, int]:
    return render_template("reports/error.html", errors=exc.errors), 422


def _page(template: str) -> tuple[str, int]:
    require(READERS)
    try:
        report = _report()
    except FormInvalid as exc:
        return _period_error(exc)
    sort = _sorted(report)
    found = assessments.in_period(session(), report.period)
    page = render_template(
        template,
        report=report,
        indicators=INDICATORS,
        groupings=GROUPINGS,
        kinds=periods.KINDS,
        query=_query(),
        sort=sort,
        ranked=RANKED,
        assessments=found,
        summaries=assessments.summaries(found),
        assessment_kinds=ASSESSMENT_KINDS,
    )
    return page, 200


@bp.get("/")
@login_required
def dashboard() -> tuple[str, int]:
    """Charts, the indicators by department, category or month, assessments."""
    return _page("reports/dashboard.html")


@bp.get("/print")
@login_required
def printable() -> tuple[str, int]:
    """The same report laid out for paper (打印)."""
    return _page("reports/print.html")


@bp.get("/charts/<name>.svg")
@login_required
def chart(name: str) -> Response:
    """A chart of the period as an SVG image."""
    require(READERS)
    if name not in CHARTS:
        abort(404)
    grouping, draw = CHARTS[name]
    try:
        report = _report(grouping)
    except FormInvalid:
        abort(400)
    response = Response(draw(report), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = CHART_POLICY
    return response


@dataclass(frozen=True)
class _Figure:
    """The figure a drill-down asks for: indicator, grouping, group, period."""

    indicator: str
    by: str
    key: str | None
    period: periods.Period


def _figure() -> _Figure:
    """The figure of the request; 404 for an unknown one, FormInvalid for a period."""
    indicator = request.args.get("indicator", "")
    if indicator not in INDICATORS or not INDICATORS[indicator].drillable:
        abort(404)
    by = request.args.get("by") or "department"
    if by not in GROUPINGS:
        by = "department"
    period = periods.parse(request.args)
    return _Figure(indicator, by, request.args.get("key"), period)


def _behind(figure: _Figure) -> list[tuple[Appeal, int, int]]:
    return indicators.appeals_behind(
        session(), figure.period, figure.indicator, figure.by, figure.key
    )


@bp.get("/appeals/export.<fmt>")
@login_required
def download_appeals(fmt: str) -> Response | tuple[str, int]:
    """The appeals behind one figure as XLSX or CSV."""
    require(READERS)
    if fmt not in {"xlsx", "csv"}:
        abort(404)
    try:
        figure = _figure()
    except FormInvalid as exc:
        return _period_error(exc)
    name = INDICATORS[figure.indicator].name
    title = f"{name} {figure.period.label} {figure.key or '合计'}"
    cells = export.appeal_table(_behind(figure), department_names(session()))
    filename = f"appeals-{figure.indicator}.{fmt}"
    if fmt == "xlsx":
        return _file(export.cells_to_xlsx(title, cells), filename)
    return _file(export.cells_to_csv(title, cells), filename)


def _file(body: bytes | str, name: str) -> Response:
    # Full Content-Type values, given as content_type: Werkzeug adds a charset
    # of its own to a text/* ``mimetype``, which named it twice.
    kinds = {
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "csv": "text/csv; charset=utf-8",
    }
    response = Response(body, content_type=kinds[name.rsplit(".", 1)[1]])
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


@bp.get("/appeals")
@login_required
def drill_down() -> tuple[str, int]:
    """The appeals behind one figure (穿透查询)."""
    require(READERS)
    try:
        figure = _figure()
    except FormInvalid as exc:
        return _period_error(exc)
    names = indicators.labels(session(), figure.period, figure.by)
    page = render_template(
        "reports/appeals.html",
        rows=_behind(figure),
        departments=department_names(session()),
        indicator=INDICATORS[figure.indicator],
        group_label=names.get(figure.key, figure.key) if figure.key else "合计",
        period=figure.period,
        back=url_for("reports.dashboard", **_query()),
        args=request.args.to_dict(),
    )
    return page, 200


@bp.get("/export.<fmt>")
@login_required
def download(fmt: str) -> Response | tuple[str, int]:
    """The report as XLSX or CSV, with the indicators' definitions."""
    require(READERS)
    if fmt not in {"xlsx", "csv"}:
        abort(404)
    try:
        report = _report()
    except FormInvalid as exc:
        return _period_error(exc)
    _sorted(report)
    name = f"service-evaluation-{report.period.first}-{report.period.last}"
    name += f"-{report.grouping}.{fmt}"
    body = export.to_xlsx(report) if fmt == "xlsx" else export.to_csv(report)
    response = _file(body, name)
    logger.info("report %s exported as %s", report.period.label, fmt)
    return response
