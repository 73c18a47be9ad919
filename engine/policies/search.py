"""Full-text search of published policy information, ranked, filtered and paged.

Each item keeps its title and body as jieba-segmented words (``title_tokens``,
``body_tokens``); the database indexes those words:

- PostgreSQL: the generated column ``policy.search_vector`` (``to_tsvector`` with
  the ``simple`` configuration, title weighted A, body B) under a GIN index,
  matched with ``@@`` and ranked with ``ts_rank``;
- SQLite: the FTS5 table ``policy_fts`` (kept in step by triggers), matched with
  ``MATCH`` and ranked with ``bm25``, the title weighing ten times the body.

Both are created by the migration ``c1_policies``. A query must match every one
of its words; when no item does, items matching any word are shown instead, best
first. Drafts and withdrawn items are never found.

A query of single characters only (一字查询, e.g. 税 or 地) cannot use the word
index: jieba indexes 税收 and 个税 but seldom 税 alone, so such a query matches
the characters anywhere in the title or body instead (see ``_by_characters``):

- PostgreSQL: the generated column ``policy.character_vector`` holds every
  distinct character of title and body as a lexeme (a stripped ``tsvector``, so
  only a few bytes per character), under its own GIN index (migration
  ``g1_policy_characters``). A trigram index (pg_trgm) was not chosen: a one-
  or two-character pattern has no trigram, so ``LIKE '%税%'`` would read the
  whole index and recheck every row.
- SQLite: ``LIKE`` over title and body, a scan of the ``policy`` table. SQLite
  serves single-machine installations with at most a few thousand items, where
  the scan takes milliseconds; FTS5 has no tokenizer that indexes single
  Chinese characters (its trigram tokenizer also needs three).

Items with the characters in their title come first, then the newest. A query
mixing a one-character word with longer words (土地 税) uses the word index only,
so its single character matches only where jieba cut it alone; such an item can
be missing from the "every word" results.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from engine.errors import FieldError, FormInvalid
from engine.policies import highlight
from engine.policies.models import INDUSTRIES, KINDS, LEVELS, SEPARATOR, Policy
from engine.policies.segment import Term, query_terms

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
# Far more pages than any search has; keeps the offset within SQL integers.
MAX_PAGE = 100_000
MAX_QUERY_LENGTH = 100

# Weights of the title and the body in SQLite's bm25.
TITLE_WEIGHT = 10.0
BODY_WEIGHT = 1.0
# ts_rank normalisation 1: divide by 1 + log(length), so that a long law does not
# outrank a short notice only by repeating a word more often.
PG_NORMALISATION = 1

_PG_VECTOR: ColumnElement[Any] = literal_column("policy.search_vector")
_PG_CHARACTERS: ColumnElement[Any] = literal_column("policy.character_vector")
_SIMPLE: ColumnElement[Any] = literal_column("'simple'::regconfig")
_FTS = table("policy_fts", column("rowid"))


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to; None means no narrowing."""

    level: str | None = None
    issuer: str | None = None
    industry: str | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None


@dataclass(frozen=True)
class Hit:
    """One found item with its title and a body snippet as marked HTML."""

    policy: Policy
    title_html: str
    snippet_html: str


@dataclass
class Results:
    """One page of results and what it took to get them."""

    hits: list[Hit]
    total: int
    page: int
    page_size: int
    terms: list[Term] = field(default_factory=list)
    # False when no item had every word and items with any word are shown.
    matched_all: bool = True

    @property
    def pages(self) -> int:
        """The number of pages (at least 1)."""
        return max(1, -(-self.total // self.page_size))

    @property
    def beyond_last(self) -> bool:
        """Whether the page asked for lies after the last one (and is empty)."""
        return self.page > self.pages


def parse_filters(values: Mapping[str, Any]) -> Filters:
    """Filters from request arguments; raise every problem at once, in Chinese."""
    errors: list[FieldError] = []

    def choice(name: str, allowed: Mapping[str, str] | tuple[str, ...]) -> str | None:
        value = str(values.get(name) or "").strip()
        if not value:
            return None
        if value not in allowed:
            errors.append(FieldError(name, f"“{value}”不是可选的值"))
            return None
        return value

    def day(name: str, label: str) -> date | None:
        value = str(values.get(name) or "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors.append(FieldError(name, f"“{label}”应为日期，如 2024-05-01"))
            return None

    issuer = str(values.get("issuer") or "").strip()[:200] or None
    filters = Filters(
        level=choice("level", LEVELS),
        issuer=issuer,
        industry=choice("industry", INDUSTRIES),
        kind=choice("kind", KINDS),
        date_from=day("date_from", "发布日期起"),
        date_to=day("date_to", "发布日期止"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors.append(FieldError("date_to", "“发布日期止”不能早于“发布日期起”"))
    if errors:
        raise FormInvalid(errors)
    return filters


def parse_page(raw: Any) -> int:
    """A page number from a request argument; anything else is page 1."""
    text = str(raw or "")
    if text.isascii() and text.isdigit():
        return max(1, min(int(text), MAX_PAGE))
    return 1


def search(
    session: Session,
    text: str,
    filters: Filters | None = None,
    *,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> Results:
    """Published items matching ``text`` and ``filters``, best first.

    An empty query (or one of stop words only) lists the filtered items, newest
    first.
    """
    terms = query_terms(text[:MAX_QUERY_LENGTH])
    base = _filtered(filters or Filters())
    page = max(1, min(page, MAX_PAGE))

    if not terms:
        ordered = base.order_by(Policy.published_on.desc(), Policy.id.desc())
        return _page(session, ordered, terms, page, page_size, matched_all=True)

    dialect = session.get_bind().dialect.name
    ordered = _ranked(base, terms, dialect, every=True)
    results = _page(session, ordered, terms, page, page_size, matched_all=True)
    if results.total == 0 and len(terms) > 1:
        ordered = _ranked(base, terms, dialect, every=False)
        results = _page(session, ordered, terms, page, page_size, matched_all=False)
    logger.info(
        "policy search %r: %d found (%s)",
        text[:MAX_QUERY_LENGTH],
        results.total,
        "every word" if results.matched_all else "any word",
    )
    return results


def _filtered(filters: Filters) -> Select[Policy]:
    # The industry filter finds the items that name the industry; items that
    # name none (meant for every industry, as all the imported real documents)
    # are not among them, so an enterprise filtering by its industry misses the
    # general policies and should also search without the filter.
    query = select(Policy).where(Policy.status == "published")
    if filters.level:
        query = query.where(Policy.level == filters.level)
    if filters.issuer:
        query = query.where(
            Policy.issuing_body.contains(filters.issuer, autoescape=True)
        )
    if filters.industry:
        name = f"{SEPARATOR}{filters.industry}{SEPARATOR}"
        query = query.where(Policy.industries.contains(name, autoescape=True))
    if filters.kind:
        query = query.where(Policy.kind == filters.kind)
    if filters.date_from:
        query = query.where(Policy.published_on >= filters.date_from)
    if filters.date_to:
        query = query.where(Policy.published_on <= filters.date_to)
    return query


def _ranked(
    base: Select[Policy], terms: list[Term], dialect: str, *, every: bool
) -> Select[Policy]:
    if all(len(term.word) == 1 for term in terms):
        return _by_characters(base, [term.word for term in terms], dialect, every=every)
    if dialect == "postgresql":
        tsquery = func.to_tsquery(_SIMPLE, pg_query(terms, every=every))
        # The whole item's rank plus the title's own: ts_rank does not weigh a
        # short title that says exactly what was asked above a long body that
        # mentions it often. The title's vector is computed for matches only.
        title = func.to_tsvector(_SIMPLE, Policy.title_tokens)
        rank: ColumnElement[Any] = func.ts_rank(
            title, tsquery, PG_NORMALISATION
        ) + func.ts_rank(_PG_VECTOR, tsquery, PG_NORMALISATION)
        return base.where(_PG_VECTOR.op("@@")(tsquery)).order_by(
            rank.desc(), Policy.published_on.desc(), Policy.id.desc()
        )

    match = literal_column("policy_fts").op("MATCH")(fts_query(terms, every=every))
    bm25 = func.bm25(literal_column("policy_fts"), TITLE_WEIGHT, BODY_WEIGHT)
    return (
        base.join(_FTS, _FTS.c.rowid == Policy.id)
        .where(match)
        # bm25 is lower for better matches.
        .order_by(bm25, Policy.published_on.desc(), Policy.id.desc())
    )


def _by_characters(
    base: Select[Policy], characters: list[str], dialect: str, *, every: bool
) -> Select[Policy]:
    """Items whose title or body contains the characters (all, or any of them)."""
    title = func.lower(Policy.title)
    in_title = [title.contains(char, autoescape=True) for char in characters]
    if dialect == "postgresql":
        # Characters are letters, digits or underscores (see segment): quoting
        # them with single quotes is safe.
        joiner = " & " if every else " | "
        tsquery = func.to_tsquery(_SIMPLE, joiner.join(f"'{c}'" for c in characters))
        matched: ColumnElement[bool] = _PG_CHARACTERS.op("@@")(tsquery)
    else:
        body = func.lower(Policy.body)
        each = [
            or_(found, body.contains(char, autoescape=True))
            for found, char in zip(in_title, characters, strict=True)
        ]
        matched = and_(*each) if every else or_(*each)
    title_first = case((and_(*in_title), 0), else_=1)
    return base.where(matched).order_by(
        title_first, Policy.published_on.desc(), Policy.id.desc()
    )


def pg_query(terms: list[Term], *, every: bool) -> str:
    """A ``to_tsquery`` text: ``'中小企业' | ('中小' & '企业')`` per term.

    Words are letters, digits and underscores only (see ``segment``), so quoting
    them with single quotes is safe.
    """

    def one(term: Term) -> str:
        if not term.parts:
            return f"'{term.word}'"
        parts = " & ".join(f"'{part}'" for part in term.parts)
        return f"('{term.word}' | ({parts}))"

    return (" & " if every else " | ").join(one(term) for term in terms)


def fts_query(terms: list[Term], *, every: bool) -> str:
    """An FTS5 query: ``("中小企业" OR ("中小" AND "企业"))`` per term."""

    def one(term: Term) -> str:
        if not term.parts:
            return f'"{term.word}"'
        parts = " AND ".join(f'"{part}"' for part in term.parts)
        return f'("{term.word}" OR ({parts}))'

    return (" AND " if every else " OR ").join(one(term) for term in terms)


def _page(
    session: Session,
    ordered: Select[Policy],
    terms: list[Term],
    page: int,
    page_size: int,
    *,
    matched_all: bool,
) -> Results:
    total = session.scalar(
        select(func.count()).select_from(ordered.order_by(None).subquery())
    )
    rows = session.scalars(ordered.limit(page_size).offset((page - 1) * page_size))
    words = [word for term in terms for word in term.words]
    hits = [
        Hit(
            policy=policy,
            title_html=highlight.mark(policy.title, words),
            snippet_html=highlight.snippet(policy.body, words),
        )
        for policy in rows
    ]
    return Results(hits, total or 0, page, page_size, terms, matched_all)
