"""Run a search: FTS5 match, filters, BM25 with a recency boost, snippets.

Ranking (``order="relevance"``)::

    score = -bm25(title 10, body 1, title_more 5, body_more 0.5)
            × (1 + 0.5 / (1 + age_days / 30))

BM25 (FTS5's, negated so larger is better) weighs a hit in the title ten
times a hit in the body; the boost lifts a story published today by 50 %, one
a month old by 25 %, and fades towards nothing for old stories, so recency
breaks near-ties without burying a clearly better old match.

Bounded work: FTS5 must compute BM25 for every row it returns, which for a
word found in most of a million stories costs seconds. So the ranking runs
over the newest ``CANDIDATES`` matches (by article id, which follows storing
order) plus the newest ``CANDIDATES`` title matches; a query matching fewer
stories is ranked exactly. ``order="newest"`` sorts the same candidates by
publication time. Totals are exact up to ``COUNT_LIMIT`` (1,000, as far as
pages go) and reported as "at least" beyond it: counting every match of a
common word costs more than the search.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from ..errors import QueryError, StoreError
from ..process.text import html_to_text
from .query import ParsedQuery, SearchQuery, parse
from .schema import DOCS_TABLE, FTS_TABLE
from .snippet import mark, snippet

CANDIDATES = 1000
COUNT_LIMIT = CANDIDATES    # no page reaches further, so "1000+" is enough to say
MAX_RESULTS_WINDOW = CANDIDATES     # offset + limit may not reach beyond this
TITLE_WEIGHTS = (10.0, 1.0, 5.0, 0.5)
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
class _Filter:
    where: str
    params: tuple


def _day_start(day, tz: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _filters(conn: sqlite3.Connection, query: SearchQuery, tz: ZoneInfo) -> _Filter | None:
    """SQL restricting ``a`` (search_docs); None when the filters exclude everything."""
    where: list[str] = []
    params: list = []
    if query.media:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM categories WHERE slug = ? OR name = ? OR original_slug = ?",
            (query.media,) * 3)]
        if not ids:
            return None
        where.append(f"a.category_id IN ({','.join('?' * len(ids))})")
        params.extend(ids)
    if query.stock:
        market, _, code = query.stock.rpartition(".")
        where.append("EXISTS (SELECT 1 FROM stock_mentions s WHERE s.article_id = a.id "
                     "AND s.code = ?" + (" AND s.market = ?)" if market else ")"))
        params.extend([code, market] if market else [code])
    if query.date_from:
        where.append("a.published >= ?")
        params.append(_day_start(query.date_from, tz))
    if query.date_to:
        where.append("a.published < ?")
        params.append(_day_start(query.date_to + timedelta(days=1), tz))
    sql = "".join(f" AND {w}" for w in where)
    return _Filter(sql, tuple(params))


def _with_phrases(flt: _Filter, phrases: tuple[str, ...]) -> _Filter:
    """``flt`` plus: the compacted title or body contains each phrase."""
    where, params = flt.where, list(flt.params)
    for phrase in phrases:
        where += (f" AND (instr(replace({FTS_TABLE}.title, ' ', ''), ?) > 0 "
                  f"OR instr(replace({FTS_TABLE}.body, ' ', ''), ?) > 0)")
        params += [phrase, phrase]
    return _Filter(where, tuple(params))


def _candidates(conn: sqlite3.Connection, match: str, flt: _Filter,
                cap: int) -> list[tuple[int, float, int]]:
    """(id, bm25, published) of the newest ``cap`` matches."""
    sql = (f"SELECT {FTS_TABLE}.rowid, bm25({FTS_TABLE}, {', '.join(map(str, TITLE_WEIGHTS))}), "
           f"a.published FROM {FTS_TABLE} JOIN {DOCS_TABLE} a ON a.id = {FTS_TABLE}.rowid "
           f"WHERE {FTS_TABLE} MATCH ?{flt.where} ORDER BY {FTS_TABLE}.rowid DESC LIMIT ?")
    return conn.execute(sql, (match, *flt.params, cap)).fetchall()


def _count(conn: sqlite3.Connection, match: str, flt: _Filter) -> int:
    # Without filters the count never leaves the FTS5 doclists.
    join = f"JOIN {DOCS_TABLE} a ON a.id = {FTS_TABLE}.rowid " if flt.where else ""
    sql = (f"SELECT COUNT(*) FROM (SELECT 1 FROM {FTS_TABLE} {join}"
           f"WHERE {FTS_TABLE} MATCH ?{flt.where} LIMIT ?)")
    return conn.execute(sql, (match, *flt.params, COUNT_LIMIT + 1)).fetchone()[0]


def _score(bm25: float, published: int, now: float) -> float:
    age_days = max(0.0, (now - published) / 86400.0)
    return -bm25 * (1.0 + RECENCY_BOOST / (1.0 + age_days / RECENCY_DAYS))


def _hits(conn: sqlite3.Connection, ranked: list[tuple[int, float]],
          parsed: ParsedQuery) -> list[SearchHit]:
    if not ranked:
        return []
    marks = ",".join("?" * len(ranked))
    rows = {r[0]: r for r in conn.execute(
        "SELECT a.id, a.path, a.title, a.digest, a.body_html, a.published, a.media, c.slug "
        f"FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.id IN ({marks})",
        [aid for aid, _ in ranked])}
    hits = []
    for aid, score in ranked:
        _, path, title, digest, body, published, media, slug = rows[aid]
        text = html_to_text(body) or digest
        hits.append(SearchHit(aid, path, title, mark(title, parsed.terms),
                              snippet(text, parsed.terms),
                              datetime.fromtimestamp(published, timezone.utc), media, slug,
                              round(score, 4)))
    return hits


def search(conn: sqlite3.Connection, query: SearchQuery, *, limit: int = 20, offset: int = 0,
           order: Order = "relevance", tz: ZoneInfo, now: float | None = None) -> SearchResults:
    """One page of results for ``query``; QueryError for a query that cannot run."""
    if order not in ("relevance", "newest"):
        raise QueryError(f"unknown order {order!r}; use relevance or newest")
    if limit < 1 or offset < 0 or offset + limit > MAX_RESULTS_WINDOW:
        raise QueryError(f"results are available up to number {MAX_RESULTS_WINDOW}; "
                         "narrow the search with more words or filters")
    parsed = parse(query.text)
    now = time.time() if now is None else now
    try:
        flt = _filters(conn, query, tz)
        if flt is not None and parsed.phrases:
            flt = _with_phrases(flt, parsed.phrases)
        rows = [] if flt is None else _candidates(conn, parsed.match(), flt, CANDIDATES)
        if flt is not None and len(rows) >= CANDIDATES:
            title_match = parsed.match("{title title_more}")
            seen = {r[0] for r in rows}
            rows += [r for r in _candidates(conn, title_match, flt, CANDIDATES)
                     if r[0] not in seen]
            total = max(_count(conn, parsed.match(), flt), len(rows))
        else:
            total = len(rows)
        if order == "newest":
            ordered = sorted(rows, key=lambda r: (r[2], r[0]), reverse=True)
            ranked = [(r[0], _score(r[1], r[2], now)) for r in ordered]
        else:
            ranked = sorted(((r[0], _score(r[1], r[2], now)) for r in rows),
                            key=lambda x: (-x[1], -x[0]))
        hits = _hits(conn, ranked[offset:offset + limit], parsed)
    except sqlite3.OperationalError as exc:
        # Every token is quoted, so this is a store problem, not the user's.
        raise StoreError(f"the search index cannot be read: {exc}") from exc
    return SearchResults(query, tuple(hits), min(total, COUNT_LIMIT), total <= COUNT_LIMIT,
                         offset, limit, order)
