"""Charts as SVG drawn on the server with pygal (图表).

The pages show them as images (``<img src=...svg>``), so nothing runs in the
browser: pygal's interactive script is left out (``js=[]``) and an SVG image
never runs scripts anyway. The SVG carries its own ``<style>``, which the chart
responses' own Content-Security-Policy allows.
"""

from __future__ import annotations

import pygal
from pygal.style import Style

from engine.evaluation.definitions import INDICATORS
from engine.evaluation.indicators import Report

_STYLE = Style(
    font_family='"Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif',
    background="white",
    plot_background="white",
    colors=("#0d6efd", "#198754", "#fd7e14", "#6f42c1"),
    # The dashboard shows two charts side by side, scaled down to about 420 px:
    # large fonts in a small canvas stay readable (about 11 px) once scaled.
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=17,
    title_font_size=19,
)
# The size the SVG is drawn at; the page scales it to the column's width.
WIDTH, HEIGHT = 600, 400

RANKED = ("completion_rate", "on_time_rate", "satisfaction_rate")


def _percent(value: float | int | None) -> float | None:
    return None if value is None else round(float(value) * 100, 1)


def ranking(report: Report) -> str:
    """Horizontal bars of the main rates per department."""
    chart = pygal.HorizontalBar(
        title="部门办结率、按时办结率、满意率（%）",
        range=(0, 100),
        truncate_label=-1,
        # pygal under-measures Chinese labels: room for nine characters.
        margin_left=90,
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=WIDTH,
        height=HEIGHT,
        legend_at_bottom=True,
    )
    rows = [row for row in report.rows if row.values["dispatched"]]
    chart.x_labels = [row.label for row in rows]
    for key in RANKED:
        chart.add(INDICATORS[key].name, [_percent(row.values[key]) for row in rows])
    return str(chart.render(is_unicode=True))


def trend(report: Report) -> str:
    """Monthly lines: appeals received and completed, and the on-time rate."""
    chart = pygal.Line(
        title="月度趋势",
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=WIDTH,
        height=HEIGHT,
        legend_at_bottom=True,
    )
    chart.x_labels = [row.label for row in report.rows]
    for key in ("received", "completed", "on_time", "overdue"):
        chart.add(INDICATORS[key].name, [row.values[key] for row in report.rows])
    return str(chart.render(is_unicode=True))


CHARTS = {"ranking": ("department", ranking), "trend": ("month", trend)}
