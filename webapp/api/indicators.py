"""Evaluation indicators for the assessors' own systems (``GET /indicators``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.errors import PermissionDenied
from engine.evaluation import indicators, periods
from engine.evaluation.definitions import INDICATORS
from webapp.api import bp
from webapp.api.auth import current_user
from webapp.api.errors import BadRequest
from webapp.extensions import session
from webapp.reports.access import READERS


def _row(row: indicators.Row) -> dict[str, Any]:
    return {"key": row.key, "label": row.label, "values": row.values}


@bp.get("/indicators")
def list_indicators() -> Any:
    """The indicators of a period by department, category or month."""
    user = current_user()
    assert user is not None
    if not READERS.intersection(user.role_list):
        raise PermissionDenied(
            "只有绩效考核、评议专家和平台管理岗位可以查看服务评价指标。"
        )
    grouping = request.args.get("by") or "department"
    if grouping not in indicators.GROUPINGS:
        raise BadRequest("分组 by 应为 department、category 或 month。")
    period = periods.parse(request.args)
    report = indicators.compute(session(), period, grouping)
    return jsonify(
        period={
            "label": period.label,
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
        },
        grouping=grouping,
        rows=[_row(row) for row in report.rows],
        total=_row(report.total),
        definitions={
            key: {"name": item.name, "definition": item.definition, "kind": item.kind}
            for key, item in INDICATORS.items()
        },
    )
