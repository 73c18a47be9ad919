"""Helpers of the staff task pages: submitted values, field errors, task data.

The form itself is always drawn from the step's form definition in the BPMN, so a
field the process owner adds shows without a code change.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from engine.clock import local
from engine.errors import FormInvalid
from engine.forms import FormField
from engine.parsing import Step

logger = logging.getLogger(__name__)

# A form field of this id is the step's own comment box (备案意见, 审核意见):
# the page then shows no generic 审批意见 box beside it.
COMMENT_FIELD = "comment"

# Comments offered when the step's BPMN names no phrases of its own (a version
# deployed before phrases were drawn in the model).
DEFAULT_PHRASES = ["已办理。", "情况已核实。"]

# How the departments' answers of a parallel acceptance read.
ACCEPTANCE_LABELS = {"accept": "签收办理", "hand_back": "非本部门职责，退回平台"}

# Task data shown beside the form when present: key and Chinese label.
FACT_LABELS = {
    "reply": "部门答复",
    "extension_days": "申请延期工作日数",
    "material": "延期书面材料",
}


def shanghai_time(moment: datetime | None) -> str:
    """``moment`` as Beijing time, e.g. ``2026-12-08 00:00``; empty for None."""
    if moment is None:
        return ""
    return local(moment).strftime("%Y-%m-%d %H:%M")


def shown_value(value: Any) -> str:
    """One value of a business record as a table cell shows it.

    ISO times in Beijing time to the minute, lists joined, nothing as "—".
    """
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            return shanghai_time(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def initial_values(fields: list[FormField]) -> dict[str, Any]:
    """What a fresh form shows: the defaults the BPMN gives."""
    values: dict[str, Any] = {}
    for form_field in fields:
        if form_field.type == "departments":
            values[form_field.id] = [form_field.default] if form_field.default else []
        else:
            values[form_field.id] = form_field.default
    return values


def submitted_values(
    fields: list[FormField], form: MultiDict[str, str]
) -> dict[str, Any]:
    """The values of a posted form, by field id, for ``Runtime.complete``.

    Empty inputs become None (an empty list for ``departments``, which posts one
    value per ticked box), so that the form's rules decide what is missing.
    Read-only fields are not taken from the request.
    """
    values: dict[str, Any] = {}
    for form_field in fields:
        if "readonly" in form_field.constraints:
            continue
        if form_field.type == "departments":
            values[form_field.id] = [
                code for code in form.getlist(form_field.id) if code
            ]
            continue
        if form_field.type == "file":
            continue  # files come with the request's uploads
        raw = form.get(form_field.id, "")
        values[form_field.id] = raw if raw.strip() else None
    return values


def errors_by_field(exc: FormInvalid) -> dict[str, list[str]]:
    """Every message of a rejected form, grouped by the field it concerns."""
    grouped: dict[str, list[str]] = {}
    for error in exc.errors:
        grouped.setdefault(error.field, []).append(error.message)
    return grouped


def phrases_for(step: Step) -> list[str]:
    """Suggested comments (审批意见常用语) for one step, drawn in its BPMN."""
    return step.phrases or DEFAULT_PHRASES


def posted_comment(form: MultiDict[str, str]) -> str:
    """The comment of a posted task form, with the phrase chosen from the list.

    Without JavaScript the phrase list is a plain select posted beside the
    comment: the chosen phrase comes first, then whatever was typed. With
    JavaScript, choosing a phrase writes it into the comment and clears the list.
    """
    phrase = form.get("phrase", "").strip()
    typed = form.get("comment", "").strip()
    if phrase and phrase not in typed:
        return f"{phrase}{typed}"
    return typed


def task_facts(
    data: Mapping[str, Any], names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The earlier decisions a form is filled against, as (label, text) pairs."""
    facts: list[tuple[str, str]] = []

    lead = data.get("lead_department")
    if lead:
        facts.append(("主办部门", names.get(lead, lead)))
    co = [code for code in data.get("co_departments") or [] if code != lead]
    if co:
        facts.append(("协办部门", "、".join(names.get(code, code) for code in co)))

    for key, label in FACT_LABELS.items():
        value = data.get(key)
        if value not in (None, "", []):
            facts.append((label, str(value)))
    return facts


def contributions(
    data: Mapping[str, Any], names: Mapping[str, str]
) -> list[tuple[str, str]]:
    """The co-handling departments' opinions (协办意见): department and opinion."""
    found = []
    for item in data.get("contributions") or []:
        if isinstance(item, Mapping):
            code = str(item.get("co_department") or "")
            found.append((names.get(code, code), str(item.get("opinion") or "")))
    return found


def acceptances(
    data: Mapping[str, Any], names: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """The departments' acceptances (签收): department, decision, explanation."""
    found = []
    for item in data.get("acceptances") or []:
        if isinstance(item, Mapping):
            code = str(item.get("department") or "")
            decision = str(item.get("decision") or "")
            found.append(
                (
                    names.get(code, code),
                    ACCEPTANCE_LABELS.get(decision, decision),
                    str(item.get("explanation") or ""),
                )
            )
    return found
