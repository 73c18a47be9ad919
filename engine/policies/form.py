"""Checking what an information maintainer typed for a policy, field by field.

Every problem is collected and raised at once (``FormInvalid``) with a Chinese
message beside its field, so that the form can be shown again as it was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from engine import forms
from engine.errors import FieldError, FormInvalid
from engine.policies.models import INDUSTRIES, KINDS, LEVELS, SIZES, join_names

LABELS = {
    "kind": "类型",
    "parent_id": "所解读的政策编号",
    "title": "标题",
    "issuing_body": "发文机关",
    "document_number": "文号",
    "level": "层级",
    "doc_type": "文种",
    "region": "地区",
    "published_on": "发布日期",
    "valid_from": "施行日期",
    "valid_until": "有效期至",
    "industries": "适用行业",
    "enterprise_sizes": "适用企业规模",
    "body": "正文",
    "attachments": "附件",
    "source_url": "原文链接",
    "apply_from": "申报开始日期",
    "apply_until": "申报截止日期",
}

_TEXT_LIMITS = {
    "title": 300,
    "issuing_body": 200,
    "document_number": 100,
    "doc_type": 50,
    "region": 50,
    "body": 200_000,
}
_REQUIRED = {"title", "issuing_body", "body"}


def clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """The cleaned columns of a policy, or ``FormInvalid`` listing every problem.

    ``industries`` and ``enterprise_sizes`` are lists of names; the other values
    are text as typed. ``parent_id`` is checked against the database by the
    service, not here.
    """
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {}

    def attempt(name: str, check: Callable[[], Any]) -> None:
        try:
            cleaned[name] = check()
        except ValueError as exc:
            errors.append(FieldError(name, str(exc)))

    for name in _TEXT_LIMITS:
        attempt(name, partial(_text, values, name))
    attempt("kind", lambda: _choice(values, "kind", KINDS, required=True))
    attempt("level", lambda: _choice(values, "level", LEVELS, required=True))
    attempt("parent_id", lambda: _number(values, "parent_id"))
    for name in (
        "published_on",
        "valid_from",
        "valid_until",
        "apply_from",
        "apply_until",
    ):
        attempt(name, partial(_date, values, name))
    attempt("industries", lambda: _names(values, "industries", INDUSTRIES))
    attempt("enterprise_sizes", lambda: _names(values, "enterprise_sizes", SIZES))
    attempt("attachments", lambda: _attachments(values.get("attachments")))
    attempt("source_url", lambda: _url(values.get("source_url"), "source_url"))

    errors.extend(_cross_checks(cleaned))
    if errors:
        raise FormInvalid(errors)
    return cleaned


def _cross_checks(cleaned: Mapping[str, Any]) -> list[FieldError]:
    """Rules between fields: dates in order, what each kind needs."""
    errors: list[FieldError] = []
    if cleaned.get("published_on") is None and "published_on" in cleaned:
        errors.append(FieldError("published_on", "请填写“发布日期”"))
    if _reversed(cleaned, "valid_from", "valid_until"):
        errors.append(FieldError("valid_until", "“有效期至”不能早于“施行日期”"))
    if _reversed(cleaned, "apply_from", "apply_until"):
        errors.append(FieldError("apply_until", "“申报截止日期”不能早于“申报开始日期”"))

    kind = cleaned.get("kind")
    if kind == "notice":
        for name in ("apply_from", "apply_until"):
            if name in cleaned and cleaned[name] is None:
                errors.append(FieldError(name, f"申报通知请填写“{LABELS[name]}”"))
    if kind == "interpretation" and "parent_id" in cleaned and not cleaned["parent_id"]:
        errors.append(FieldError("parent_id", "政策解读请填写所解读的政策编号"))
    if kind != "interpretation" and cleaned.get("parent_id"):
        errors.append(FieldError("parent_id", "只有政策解读需要填写所解读的政策"))
    return errors


def _reversed(cleaned: Mapping[str, Any], first: str, second: str) -> bool:
    start, end = cleaned.get(first), cleaned.get(second)
    return start is not None and end is not None and end < start


def _raw(values: Mapping[str, Any], name: str) -> str:
    raw = values.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValueError(f"“{LABELS[name]}”应为文字")
    return raw.strip()


def _text(values: Mapping[str, Any], name: str) -> str | None:
    text = _raw(values, name)
    label = LABELS[name]
    if not text:
        if name in _REQUIRED:
            raise ValueError(f"请填写“{label}”")
        return None
    forms.check_characters(text)
    limit = _TEXT_LIMITS[name]
    if len(text) > limit:
        raise ValueError(f"“{label}”不能超过 {limit} 个字（现有 {len(text)} 个）")
    return text


def _choice(
    values: Mapping[str, Any], name: str, allowed: Mapping[str, str], *, required: bool
) -> str | None:
    text = _raw(values, name)
    if not text:
        if required:
            raise ValueError(f"请选择“{LABELS[name]}”")
        return None
    if text not in allowed:
        raise ValueError(f"请从列表中选择“{LABELS[name]}”")
    return text


def _number(values: Mapping[str, Any], name: str) -> int | None:
    raw = values.get(name)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw
    text = _raw(values, name)
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ValueError(f"“{LABELS[name]}”应为数字，见政策网址 /policies/编号")
    return int(text)


def _date(values: Mapping[str, Any], name: str) -> date | None:
    raw = values.get(name)
    if isinstance(raw, date):
        return raw
    text = _raw(values, name)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"“{LABELS[name]}”应为日期，如 2024-05-01") from None


def _names(values: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    raw = values.get(name) or []
    names = [raw] if isinstance(raw, str) else list(raw)
    chosen = [str(item).strip() for item in names if str(item).strip()]
    unknown = [item for item in chosen if item not in allowed]
    if unknown:
        raise ValueError(f"“{LABELS[name]}”中有不可选的项：{'、'.join(unknown)}")
    # Stored in the list's own order, each once.
    return join_names([item for item in allowed if item in chosen])


def _url(raw: Any, name: str) -> str | None:
    text = raw.strip() if isinstance(raw, str) else ""
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or len(text) > 500:
        raise ValueError(f"“{LABELS[name]}”应为 http:// 或 https:// 开头的网址")
    return text


def _attachments(raw: Any) -> list[dict[str, str]] | None:
    """One attachment a line: its name, a space, its address."""
    if isinstance(raw, list):
        return raw or None
    text = raw if isinstance(raw, str) else ""
    found: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _space, address = line.rpartition(" ")
        try:
            url = _url(address, "attachments")
        except ValueError:
            raise ValueError(
                f"附件第 {number} 行应为“名称 网址”，网址以 http:// 或 https:// 开头"
            ) from None
        found.append({"name": name.strip() or address, "url": url or address})
    return found or None


def attachments_text(attachments: list[dict[str, Any]] | None) -> str:
    """Attachments as the form shows them: one ``name address`` a line."""
    return "\n".join(f"{item['name']} {item['url']}" for item in attachments or [])
