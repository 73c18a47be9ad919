"""How policy items read on pages and in the API: dates, paragraphs, summaries."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import url_for

from engine.policies.models import Policy
from engine.policies.search import Hit

_HEADING = re.compile(r"^(#+)\s*(.+)$")


def day(value: date | None) -> str | None:
    """A date as ``2024-05-01``, or None."""
    return value.isoformat() if value else None


def paragraphs(body: str) -> list[tuple[str, str]]:
    """The body as (``"h"`` or ``"p"``, text) blocks: Markdown-style ``#`` lines
    are headings, blank lines separate paragraphs. Shown escaped, never as HTML.
    """
    blocks: list[tuple[str, str]] = []
    for chunk in re.split(r"\n\s*\n", body.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        paragraph: list[str] = []
        for line in lines:
            heading = _HEADING.match(line)
            if heading:
                if paragraph:
                    blocks.append(("p", "\n".join(paragraph)))
                    paragraph = []
                blocks.append(("h", heading.group(2)))
            else:
                paragraph.append(line)
        if paragraph:
            blocks.append(("p", "\n".join(paragraph)))
    return blocks


def summary(policy: Policy) -> dict[str, Any]:
    """The fields every listing shows."""
    return {
        "id": policy.id,
        "kind": policy.kind,
        "kind_label": policy.kind_label,
        "title": policy.title,
        "issuing_body": policy.issuing_body,
        "document_number": policy.document_number,
        "level": policy.level,
        "level_label": policy.level_label,
        "published_on": day(policy.published_on),
        "apply_from": day(policy.apply_from),
        "apply_until": day(policy.apply_until),
        "window_open": policy.window_open(),
        "url": url_for("policies.show", policy_id=policy.id),
    }


def hit_view(hit: Hit) -> dict[str, Any]:
    """A search result: the summary with the marked title and snippet (HTML)."""
    return {
        **summary(hit.policy),
        "title_highlighted": hit.title_html,
        "snippet": hit.snippet_html,
    }


def detail(policy: Policy, interpretations: list[Policy]) -> dict[str, Any]:
    """Everything public about one item."""
    return {
        **summary(policy),
        "doc_type": policy.doc_type,
        "region": policy.region,
        "valid_from": day(policy.valid_from),
        "valid_until": day(policy.valid_until),
        "industries": policy.industry_list,
        "enterprise_sizes": policy.size_list,
        "body": policy.body,
        "attachments": policy.attachments or [],
        "source_url": policy.source_url,
        "parent_id": policy.parent_id,
        "interpretations": [summary(item) for item in interpretations],
    }
