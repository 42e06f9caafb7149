"""SQLite search: FTS5 match, filters and BM25 (ranking and snippets: ``search.results``).

Ranking (``order="relevance"``)::

    score = -bm25(title 10, body 1, title_more 5, body_more 0.5)
            × (1 + 0.5 / (1 + age_days / 30))

BM25 (FTS5's, negated so larger is better) weighs a hit in the title ten
times a hit in the body; the boost lifts a story published today by 50 %, one
a month old by 25 %, and fades towards nothing for old stories, so recency
breaks near-ties without burying a clearly better old match.

Bounded work. FTS5 computes BM25 for every row it returns, and before the
first row counts, for each query word, the stories holding it — over the
whole table. So the index is split into shards of 50,000 stories
(``fts_schema``), read from the newest: the ranking runs over the newest
``CANDIDATES`` matches (by article id, which follows storing order) plus the
newest ``CANDIDATES`` title matches of the last shard read; a query
matching fewer stories is ranked exactly. ``order="newest"`` sorts the same
candidates by publication time. Totals are exact up to ``COUNT_LIMIT``
(1,000, as far as pages go) and reported as "at least" beyond it: counting
every match of a common word costs more than the search. A date range is
also turned into a range of ids when that is cheap (``_id_range``), so an
old month is read without walking every newer match.

Sparse shards. Common words that seldom meet (逆回购 科创50 扩产 沪指) match
a few stories in every shard, so every shard is read; FTS5's word counting
would then cost more than the matching. Each shard is first read without
ranking, oldest match first (FTS5 walks its lists forwards faster), up to
``FEW`` matches: a shard with fewer is ranked in Python (``fts_rank``) with the
word counts of one reference shard, the newest searched one holding ``STATS_MIN_ROWS``
stories (counted once, and kept until that shard changes); a shard with
more is ranked by FTS5.

Reading ahead. Once the shards read show that several more sparse ones are
needed, helper threads read the next ones unranked on read-only
connections of their own while this thread ranks those already read
(``fts_fanout``): SQLite intersects word lists without holding Python's GIL.
Shards with ``FEW`` matches or more, which FTS5 ranks and returns row by
row, are left to this thread. Results are handed over in shard order, so
hits, order and totals are the sequential search's; an in-memory
database, a caller inside a transaction, a single core and a query FTS5
ranks in every shard read alone.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ...errors import StoreError
from ...search import results as res
from ...search.query import ParsedQuery, SearchQuery, parse
from ...search.results import CANDIDATES, COUNT_LIMIT, HitRow, Order, SearchResults
from . import fts_fanout as fanout
from .fts_query import match as fts_match
from .fts_rank import ShardStats, fts_phrases, shard_rows, shard_stats
from .fts_rank import bm25 as rank_bm25
from .fts_schema import DOCS_TABLE, shard_ids, shard_table, shards

TITLE_WEIGHTS = (10.0, 1.0, 5.0, 0.5)
#: A shard with fewer matches than this is ranked in Python (``rank``); with
#: more, FTS5's word counting costs less than reading the matches' tokens.
FEW = 100
#: The shard whose word counts rank the others holds at least this many stories.
STATS_MIN_ROWS = 10_000
@dataclass(frozen=True, slots=True)
class _Filter:
    where: str                # SQL on ``a`` (search_docs), each part starting " AND "
    params: tuple
    first_id: int = 1         # no match lies outside these article ids
    last_id: int = 2**62


#: A date range holding more stories than this is not turned into an id range:
#: finding the ids (≈0.15 ms per thousand) would cost more than it saves.
ID_RANGE_SCAN = 30_000


def _day_start(day, tz: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _id_range(conn: sqlite3.Connection, start: int | None, end: int | None) -> tuple[int, int]:
    """The ids of the stories published in [start, end), as a range; all ids when unknown.

    Ids follow storing order, so a date range is an id range plus a few
    stories stored late; FTS5 then reads only that part of each word's list
    instead of every newer match. The range comes from the time index and is
    skipped when the dates cover too many stories to be worth it.
    """
    row = conn.execute(
        "SELECT MIN(id), MAX(id), COUNT(*) FROM (SELECT id FROM articles "
        "WHERE published >= ? AND published < ? LIMIT ?)",
        (start if start is not None else -2**62, end if end is not None else 2**62,
         ID_RANGE_SCAN + 1)).fetchone()
    if row[2] > ID_RANGE_SCAN:
        return 1, 2**62
    if row[2] == 0:
        return 1, 0
    return row[0], row[1]


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
    start = _day_start(query.date_from, tz) if query.date_from else None
    end = _day_start(query.date_to + timedelta(days=1), tz) if query.date_to else None
    if start is not None:
        where.append("a.published >= ?")
        params.append(start)
    if end is not None:
        where.append("a.published < ?")
        params.append(end)
    # Without an end the newest stories qualify, and they are read first anyway.
    first, last = (1, 2**62) if end is None else _id_range(conn, start, end)
    if first > last:
        return None
    sql = "".join(f" AND {w}" for w in where)
    return _Filter(sql, tuple(params), first, last)


def _with_phrases(flt: _Filter, phrases: tuple[str, ...]) -> _Filter:
    """``flt`` plus: the compacted title or body contains each phrase.

    ``{table}`` stands for the shard. The check reads the stored text, so it
    is made last, inside one ``CASE`` after the other filters: as separate
    conditions SQLite would check the phrase before a stock filter's
    subquery, on every story that has the words.
    """
    checks, params = [], []
    for phrase in phrases:
        checks.append("(instr(replace({table}.title, ' ', ''), ?) > 0 "
                      "OR instr(replace({table}.body, ' ', ''), ?) > 0)")
        params += [phrase, phrase]
    where = f" AND CASE WHEN 1{flt.where} THEN {' AND '.join(checks)} ELSE 0 END"
    return _Filter(where, (*flt.params, *params), flt.first_id, flt.last_id)


def _select_sql(shard: int, flt: _Filter, *, ranked: bool, newest: bool) -> str:
    """The SQL of one shard's matches in id order: (id, bm25, published) or (id, published).

    Parameters: the MATCH expression, ``flt.first_id``, ``flt.last_id``,
    ``flt.params``, and the most rows to return.
    """
    table = shard_table(shard)
    score = f"bm25({table}, {', '.join(map(str, TITLE_WEIGHTS))}) AS score, " if ranked else ""
    return (f"SELECT {table}.rowid AS id, {score}a.published AS published FROM {table} "
            f"JOIN {DOCS_TABLE} a ON a.id = {table}.rowid "
            f"WHERE {table} MATCH ? AND {table}.rowid BETWEEN ? AND ?"
            f"{flt.where.replace('{table}', table)} "
            f"ORDER BY {table}.rowid {'DESC' if newest else 'ASC'} LIMIT ?")


def _select(conn: sqlite3.Connection, shard: int, match: str, flt: _Filter, cap: int, *,
            ranked: bool, newest: bool) -> list[tuple]:
    """Up to ``cap`` matches of one shard in id order: (id, bm25, published) or (id, published)."""
    sql = _select_sql(shard, flt, ranked=ranked, newest=newest)
    return conn.execute(sql, (match, flt.first_id, flt.last_id, *flt.params, cap)).fetchall()


def _candidates(conn: sqlite3.Connection, shard: int, match: str, flt: _Filter,
                cap: int) -> list[tuple[int, float, int]]:
    """(id, bm25, published) of the newest ``cap`` matches in one shard."""
    return _select(conn, shard, match, flt, cap, ranked=True, newest=True)


def _shards_in(conn: sqlite3.Connection, flt: _Filter) -> list[int]:
    """The shards that may hold matches, newest first."""
    return [s for s in reversed(shards(conn))
            if s == 0 or shard_ids(s)[0] <= flt.last_id and shard_ids(s)[1] >= flt.first_id]


def _plain(conn: sqlite3.Connection, shard: int, match: str, flt: _Filter, cap: int, *,
           joined: bool = False) -> list[tuple[int, int]]:
    """(id, published) of up to ``cap`` matches in one shard, unranked, oldest first.

    FTS5 walks its lists backwards by decoding each page forwards first, so
    reading a whole shard oldest first costs 40 % less.

    ``joined`` has SQLite return the matches as one string, for a helper
    thread (``fanout``): ``sqlite3`` lets go of the GIL only while SQLite
    works, so row by row a helper waits for the GIL at every row while the
    caller's thread ranks in Python (p95 41 → 35 ms at 1M stories). Alone,
    rows are 3 % faster.
    """
    if not joined:
        return _select(conn, shard, match, flt, cap, ranked=False, newest=False)
    sql = (f"SELECT group_concat(id || ' ' || published, ' ') "
           f"FROM ({_select_sql(shard, flt, ranked=False, newest=False)})")
    found = conn.execute(sql, (match, flt.first_id, flt.last_id, *flt.params, cap)).fetchone()[0]
    numbers = list(map(int, found.split())) if found else []
    # Ids are unique; sorted, as group_concat promises no order.
    return sorted(zip(numbers[::2], numbers[1::2]))


class _Ranker:
    """BM25 of a sparse shard's matches, on the scale of one reference shard (``rank``)."""

    def __init__(self, conn: sqlite3.Connection, phrases: list[str],
                 newest_first: list[int]) -> None:
        self._conn, self._phrases, self._shards = conn, phrases, newest_first
        self._stats: ShardStats | None = None

    def _reference(self) -> ShardStats:
        # The newest shard holding enough stories for steady word counts,
        # else the largest (a small archive).
        largest = (-1, self._shards[0])
        for shard in self._shards:
            rows = shard_rows(self._conn, shard_table(shard))
            if rows >= STATS_MIN_ROWS:
                largest = (rows, shard)
                break
            largest = max(largest, (rows, shard))
        return shard_stats(self._conn, shard_table(largest[1]), self._phrases)

    def rows(self, shard: int, plain: list[tuple[int, int]]) -> list[tuple[int, float, int]]:
        if self._stats is None:
            self._stats = self._reference()
        scores = rank_bm25(self._conn, shard_table(shard), [r[0] for r in plain],
                           self._phrases, self._stats, TITLE_WEIGHTS)
        # A story taken out of the index since a helper read its shard has
        # no score.
        return [(story, scores[story], published) for story, published in plain
                if story in scores]


@dataclass(frozen=True, slots=True)
class _ShardRead:
    """One shard's matches as read, on the caller's or a helper's connection."""

    ranked: bool              # rows are (id, bm25, published), newest first,
    rows: list[tuple]         # or (id, published) of every match, oldest first


def _read_shard(conn: sqlite3.Connection, shard: int, match: str, flt: _Filter, cap: int, *,
                sparse: bool, helper: bool) -> _ShardRead | None:
    """One shard's matches, on the caller's or a helper's connection (``fanout``).

    Ranked: the newest ``cap`` matches. With ``sparse``, a shard with fewer
    than ``FEW`` matches gives them all unranked instead, for ``_Ranker`` on
    the caller's thread: FTS5's own ranking would first count each word over
    the whole shard. A helper leaves a shard with more to the caller (None):
    FTS5 returns ranked matches row by row, and a helper taking the GIL at
    every row slowed both threads down more than it read.
    """
    if sparse:
        plain = _plain(conn, shard, match, flt, FEW, joined=helper)
        if len(plain) < FEW:                 # every match of the shard
            return _ShardRead(False, plain)
    if helper:
        return None
    return _ShardRead(True, _candidates(conn, shard, match, flt, cap))


def _matches(conn: sqlite3.Connection, parsed: ParsedQuery,
             flt: _Filter) -> tuple[list[tuple[int, float, int]], bool]:
    """(candidates, whether more matches exist than ``CANDIDATES``).

    The newest ``CANDIDATES`` matches, shard by shard from the newest; when
    there are more, also the newest ``CANDIDATES`` title matches in the last
    shard read — the only one not read whole — so a story named in its
    title is not lost behind a thousand newer stories that only mention the
    words.
    """
    rows: list[tuple[int, float, int]] = []
    seen: set[int] = set()
    read: list[int] = []
    match = fts_match(parsed)
    phrases = fts_phrases(match)
    readable = _shards_in(conn, flt)
    ranker = _Ranker(conn, phrases, readable) if phrases is not None else None

    def read_shard(c: sqlite3.Connection, shard: int, cap: int) -> _ShardRead | None:
        return _read_shard(c, shard, match, flt, cap, sparse=ranker is not None,
                           helper=c is not conn)

    def wanted() -> int:
        return CANDIDATES + 1 - len(rows)

    # Helpers only read sparse shards: a query FTS5 ranks in every shard reads alone.
    reads = (fanout.in_order(conn, readable, read_shard, wanted) if ranker is not None
             else ((shard, read_shard(conn, shard, wanted())) for shard in readable))
    # Closed on leaving the loop, which stops and waits for the helper threads.
    with closing(reads) as shard_reads:
        for shard, got in shard_reads:
            if got is None:                  # left by a helper: many matches
                got = _ShardRead(True, _candidates(conn, shard, match, flt, wanted()))
            # An index made before shards keeps every story in shard 0 until
            # ``finews reindex``; it is still searched, newest entry first.
            # A shard read ahead was read before the shards ahead of it were
            # counted: its first rows are the ones a read now would give.
            if got.ranked or ranker is None:
                more = got.rows[:wanted()]
            else:
                more = ranker.rows(shard, got.rows[::-1][:wanted()])
            rows += [r for r in more if r[0] not in seen]
            seen.update(r[0] for r in more)
            read.append(shard)
            if len(rows) > CANDIDATES:
                break
    if len(rows) <= CANDIDATES:
        return rows, False
    rows = rows[:CANDIDATES]
    seen = {r[0] for r in rows}
    title_match = fts_match(parsed, "{title title_more}")
    rows += [r for r in _candidates(conn, read[-1], title_match, flt, CANDIDATES)
             if r[0] not in seen]
    return rows, True


_score = res.score


def _hit_rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, HitRow]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return {r[0]: HitRow(*r) for r in conn.execute(
        "SELECT a.id, a.path, a.title, a.digest, a.body_html, a.published, a.media, c.slug "
        f"FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.id IN ({marks})",
        ids)}


def search(conn: sqlite3.Connection, query: SearchQuery, *, limit: int = 20, offset: int = 0,
           order: Order = "relevance", tz: ZoneInfo, now: float | None = None) -> SearchResults:
    """One page of results for ``query``; QueryError for a query that cannot run."""
    res.check_window(limit, offset, order)
    parsed = parse(query.text)
    now = time.time() if now is None else now
    try:
        flt = _filters(conn, query, tz)
        if flt is not None and parsed.phrases:
            flt = _with_phrases(flt, parsed.phrases)
        rows, more = ([], False) if flt is None else _matches(conn, parsed, flt)
        ordered = res.ranked(rows, order, now)[offset:offset + limit]
        shown = res.hits(ordered, _hit_rows(conn, [aid for aid, _ in ordered]), parsed)
    except sqlite3.OperationalError as exc:
        # Every token is quoted, so this is a store problem, not the user's.
        raise StoreError(f"the search index cannot be read: {exc}") from exc
    return res.results(query, shown, len(rows), more, offset, limit, order,
                       count_limit=COUNT_LIMIT)
