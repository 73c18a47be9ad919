"""Evaluation reports (服务评价报表) for the performance assessors, clause 6.

The dashboard with charts, the department ranking, monthly trends, drill-down to
the appeals behind a figure, exports to XLSX and CSV, a printable page, and the
scored assessments by third parties and experts.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")

# Views register themselves on ``bp`` when their modules are imported.
from webapp.reports import assessments, views  # noqa: E402, F401
