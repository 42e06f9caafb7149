"""Search results and the backend-neutral half of running a search.

Both backends find candidate matches their own way (FTS5 shards, a GIN
index on a ``tsvector``) as ``(article id, text score, published)``, with a
text score where lower is better (FTS5's BM25 convention). Everything from
there is here, so ranking, paging, totals, snippets and highlighting are one
implementation:

    score = -text_score × (1 + 0.5 / (1 + age_days / 30))

The boost lifts a story published today by 50 %, one a month old by 25 %,
and fades towards nothing for old stories, so recency breaks near-ties
without burying a clearly better old match. Totals are exact up to
``COUNT_LIMIT`` (1,000, as far as pages go) and reported as "at least"
beyond it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Literal, Mapping, Sequence

from ..errors import QueryError
from ..process.text import html_to_text
from .query import ParsedQuery, SearchQuery
from .snippet import mark, snippet

CANDIDATES = 1000
COUNT_LIMIT = CANDIDATES    # no page reaches further, so "1000+" is enough to say
MAX_RESULTS_WINDOW = CANDIDATES     # offset + limit may not reach beyond this
RECENCY_BOOST, RECENCY_DAYS = 0.5, 30.0

Order = Literal["relevance", "newest"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    path: str                 # the story page, relative to the site root
    title: str                # plain text
    title_html: str           # escaped, query words in <mark>
    snippet_html: str         # escaped, query words in <mark>
    published: datetime       # UTC
    media: str
    category_slug: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchResults:
    query: SearchQuery
    hits: tuple[SearchHit, ...]
    total: int                # exact when total_exact, else a lower bound
    total_exact: bool
    offset: int
    limit: int
    order: str


@dataclass(frozen=True, slots=True)
class HitRow:
    """What a backend reads of one story shown in the results."""

    id: int
    path: str
    title: str
    digest: str
    body_html: str
    published: int            # Unix seconds
    media: str
    category_slug: str


def check_window(limit: int, offset: int, order: str) -> None:
    """QueryError for a page or order no search serves."""
    if order not in ("relevance", "newest"):
        raise QueryError(f"unknown order {order!r}; use relevance or newest")
    if limit < 1 or offset < 0 or offset + limit > MAX_RESULTS_WINDOW:
        raise QueryError(f"results are available up to number {MAX_RESULTS_WINDOW}; "
                         "narrow the search with more words or filters")


def score(text_score: float, published: int, now: float) -> float:
    age_days = max(0.0, (now - published) / 86400.0)
    return -text_score * (1.0 + RECENCY_BOOST / (1.0 + age_days / RECENCY_DAYS))


def ranked(rows: Sequence[tuple[int, float, int]], order: str,
           now: float) -> list[tuple[int, float]]:
    """(id, score) of the candidates in the order shown."""
    if order == "newest":
        ordered = sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)
        return [(r[0], score(r[1], r[2], now)) for r in ordered]
    return sorted(((r[0], score(r[1], r[2], now)) for r in rows),
                  key=lambda x: (-x[1], -x[0]))


def hits(page: Sequence[tuple[int, float]], rows: Mapping[int, HitRow],
         parsed: ParsedQuery) -> list[SearchHit]:
    """The shown page, with highlighted titles and snippets."""
    out = []
    for aid, value in page:
        row = rows[aid]
        text = html_to_text(row.body_html) or row.digest
        out.append(SearchHit(aid, row.path, row.title, mark(row.title, parsed.terms),
                             snippet(text, parsed.terms),
                             datetime.fromtimestamp(row.published, timezone.utc),
                             row.media, row.category_slug, round(value, 4)))
    return out


def results(query: SearchQuery, shown: list[SearchHit], candidates: int, more: bool,
            offset: int, limit: int, order: str, *,
            count_limit: int = COUNT_LIMIT) -> SearchResults:
    total = count_limit + 1 if more else candidates
    return SearchResults(query, tuple(shown), min(total, count_limit),
                         total <= count_limit, offset, limit, order)
