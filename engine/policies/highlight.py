"""Marking the words a query matched, in titles and in a short snippet of the body.

The result is HTML: the text escaped, each match wrapped in ``<mark>``. Both
databases return the same marks because they are drawn here from the query's
words, not by the database (PostgreSQL's ts_headline cannot find Chinese words
in unsegmented text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import escape

# Characters of body text shown around the best match.
SNIPPET_LENGTH = 120
LEAD_IN = 30

_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r"^#+\s*", re.MULTILINE)


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    # Longest first, so that 中小企业 is marked whole rather than as 中小.
    ordered = sorted({w for w in words if w}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("|".join(re.escape(word) for word in ordered), re.IGNORECASE)


def mark(text: str, words: Iterable[str]) -> str:
    """``text`` as HTML with every occurrence of ``words`` in ``<mark>``."""
    pattern = _pattern(words)
    if pattern is None:
        return str(escape(text))
    pieces: list[str] = []
    cursor = 0
    for match in pattern.finditer(text):
        pieces.append(str(escape(text[cursor : match.start()])))
        pieces.append(f"<mark>{escape(match.group())}</mark>")
        cursor = match.end()
    pieces.append(str(escape(text[cursor:])))
    return "".join(pieces)


def snippet(body: str, words: Iterable[str]) -> str:
    """About ``SNIPPET_LENGTH`` characters of ``body`` around its densest match,
    as HTML with the matches marked; the opening of the body when nothing matches.
    """
    words = list(words)
    flat = _SPACE.sub(" ", _HEADING.sub("", body)).strip()
    pattern = _pattern(words)
    start = 0
    if pattern is not None:
        starts = [match.start() for match in pattern.finditer(flat)]
        if starts:
            start = max(0, _densest(starts) - LEAD_IN)
    end = min(len(flat), start + SNIPPET_LENGTH)
    text = flat[start:end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    return prefix + mark(text, words) + suffix


def _densest(starts: list[int]) -> int:
    """The match position with the most other matches in the window after it."""
    best, best_count = starts[0], 0
    right = 0
    for left, position in enumerate(starts):
        while right < len(starts) and starts[right] < position + SNIPPET_LENGTH:
            right += 1
        if right - left > best_count:
            best, best_count = position, right - left
    return best
