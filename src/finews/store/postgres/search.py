"""PostgreSQL search: the rjieba tokens of each story in a weighted ``tsvector``.

Indexing. The store's words (``search.indextext``: the same segmentation as
SQLite's FTS5 columns) are written as a ``tsvector`` literal, not passed
through a text search parser: ``to_tsvector`` would split 1.2 or A股 its own
way, while a literal keeps each rjieba token whole, and queries are built as
``tsquery`` literals of the same tokens, so both sides agree exactly without
any extension. Configuration ``simple`` semantics (no stemming, no stop
words) follow from that. Weights: title A, title sub-words B, body C, body
sub-words D; each part's positions start after a gap, so a phrase never
runs from the title into the body.

Ranking. ``ts_rank`` with the weights {D 0.05, C 0.1, B 0.5, A 1.0} — a title
hit counts ten times a body hit, as on SQLite — then the shared recency boost
(``search.results``). Candidates: the newest ``CANDIDATES`` matches (by id,
which follows storing order), plus, when there are more, the newest
``CANDIDATES`` title matches, so a story named in its title is not lost
behind a thousand newer ones that only mention the words.

Phrases are checked as on SQLite: a required phrase needs its words
anywhere (the GIN index finds those), then the title's or body's tokens
joined without spaces must contain it; a phrase inside OR or after ``-``
is consecutive tokens (``<->``).
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from ...errors import StoreError
from ...search import results as res
from ...search.indextext import IndexEntry
from ...search.query import ParsedQuery, SearchQuery, Term, parse
from ...search.results import CANDIDATES, HitRow, Order, SearchResults

#: ts_rank's weights, in its order {D, C, B, A}.
WEIGHTS = "{0.05, 0.1, 0.5, 1.0}"
#: ts_rank of a story is small (0.01–1); scaled so rounded scores stay apart.
SCALE = 10.0
#: tsvector limits: positions up to 16383, 256 positions per lexeme, 2046-byte lexemes.
_MAX_POS, _MAX_POSITIONS, _MAX_LEXEME = 16383, 256, 2046
_GAP = 8


def _lexeme(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector(entry: IndexEntry) -> str:
    """The ``tsvector`` literal of an article's index columns."""
    positions: dict[str, list[str]] = {}
    pos = 0
    for column, weight in ((entry.title, "A"), (entry.title_more, "B"),
                           (entry.body, "C"), (entry.body_more, "D")):
        tokens = column.split()
        start = pos + _GAP + 1
        for at, token in enumerate(tokens, start):
            found = positions.get(token)
            if found is None:
                positions[token] = [f"{at}{weight}" if at < _MAX_POS else f"{_MAX_POS}{weight}"]
            elif len(found) < _MAX_POSITIONS:
                found.append(f"{at}{weight}" if at < _MAX_POS else f"{_MAX_POS}{weight}")
        pos = start + len(tokens)
    return " ".join(f"{_lexeme(t)}:{','.join(p)}" for t, p in positions.items()
                    if len(t) * 4 <= _MAX_LEXEME or len(t.encode("utf-8")) <= _MAX_LEXEME)


def _term(term: Term, checked: bool = False) -> str:
    labelled = [_lexeme(t) for t in term.tokens]
    if term.phrase and not checked and len(labelled) > 1:
        return "(" + " <-> ".join(labelled) + ")"
    if len(labelled) == 1:
        return labelled[0]
    return "(" + " & ".join(labelled) + ")"


def tsquery(parsed: ParsedQuery, *, positive: bool = False) -> str:
    """The query tree (``search.query``) as a ``tsquery`` literal.

    ``positive`` leaves the excluded words out: what ``ts_rank`` ranks by (a
    negated part ranks 0), and what the title's own column is matched with.
    """
    parts = []
    for group in parsed.groups:
        if parsed.checked(group):
            parts.append(_term(group[0], checked=True))
        else:
            terms = [_term(t) for t in group]
            parts.append(terms[0] if len(terms) == 1 else "(" + " | ".join(terms) + ")")
    query = " & ".join(parts)
    if parsed.excluded and not positive:
        query = f"({query}) & !(" + " | ".join(_term(t) for t in parsed.excluded) + ")"
    return query


def _day_start(day, tz: ZoneInfo) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=tz).timestamp())


def _filters(conn: psycopg.Connection, query: SearchQuery, parsed: ParsedQuery,
             tz: ZoneInfo) -> tuple[str, list] | None:
    """SQL restricting ``d`` (search_docs); None when the filters exclude everything."""
    where: list[str] = []
    params: list = []
    if query.media:
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM categories WHERE slug = %s OR name = %s OR original_slug = %s",
            (query.media,) * 3)]
        if not ids:
            return None
        where.append("d.category_id = ANY(%s)")
        params.append(ids)
    if query.stock:
        market, _, code = query.stock.rpartition(".")
        where.append("EXISTS (SELECT 1 FROM stock_mentions s WHERE s.article_id = d.id "
                     "AND s.code = %s" + (" AND s.market = %s)" if market else ")"))
        params.extend([code, market] if market else [code])
    if query.date_from:
        where.append("d.published >= %s")
        params.append(_day_start(query.date_from, tz))
    if query.date_to:
        where.append("d.published < %s")
        params.append(_day_start(query.date_to + timedelta(days=1), tz))
    for phrase in parsed.phrases:
        where.append("(strpos(replace(d.title_words, ' ', ''), %s) > 0 "
                     "OR strpos(replace(d.body_words, ' ', ''), %s) > 0)")
        params += [phrase, phrase]
    return "".join(f" AND {w}" for w in where), params


#: Story ids read in the first window of a search, newest first; each next
#: window is WINDOW_GROWTH times larger.
FIRST_WINDOW = 20_000
WINDOW_GROWTH = 4


def _candidates(conn: psycopg.Connection, parsed: ParsedQuery, where: str, params: list,
                cap: int, top: int, *, title_only: bool = False
                ) -> list[tuple[int, float, int]]:
    """(id, text score, published) of the newest ``cap`` matches; ``title_only``:
    of the stories whose title holds the words (excluded words still
    excluded anywhere), through the title's own index (migration 3).

    Read in windows of ids, newest first, each larger than the last, until
    ``cap`` are found: PostgreSQL finds a word's stories in its GIN index
    but must then visit each one to order them by id, so a common word
    (in 15 % of 100,000 stories) cost a visit to every story holding it,
    where the newest window already holds the ``cap`` wanted. A rare word
    costs one index look-up per window (four at a million stories). ``top``
    is the highest id in the index.
    """
    if title_only:
        where = " AND d.words @@ %s::tsquery" + where
        params = [tsquery(parsed), *params]
    rank_query = tsquery(parsed, positive=True)
    match_query = tsquery(parsed, positive=title_only)
    column = "title_vec" if title_only else "words"
    # Ranked in the outer query: only the newest matches are ranked, not
    # every story holding a common word. Never prepared: psycopg prepares a
    # statement run five times, and PostgreSQL may then plan it once for
    # any words, when how many stories the words match decides the plan.
    sql = (f"SELECT m.id, -{SCALE} * ts_rank('{WEIGHTS}', m.words, %s::tsquery), m.published "
           f"FROM (SELECT d.id, d.words, d.published FROM search_docs d "
           f"WHERE d.{column} @@ %s::tsquery AND d.id > %s AND d.id <= %s{where} "
           f"ORDER BY d.id DESC LIMIT %s) m ORDER BY m.id DESC")
    found: list[tuple[int, float, int]] = []
    upper, window = top, FIRST_WINDOW
    while upper > 0 and len(found) < cap:
        lower = max(0, upper - window)
        rows = conn.execute(sql, [rank_query, match_query, lower, upper, *params,
                                  cap - len(found)], prepare=False).fetchall()
        found += [(aid, float(score), published) for aid, score, published in rows]
        upper, window = lower, window * WINDOW_GROWTH
    return found


def _hit_rows(conn: psycopg.Connection, ids: list[int]) -> dict[int, HitRow]:
    if not ids:
        return {}
    return {r[0]: HitRow(*r) for r in conn.execute(
        "SELECT a.id, a.path, a.title, a.digest, a.body_html, a.published, a.media, c.slug "
        "FROM articles a JOIN categories c ON c.id = a.category_id WHERE a.id = ANY(%s)",
        (ids,))}


def search(conn: psycopg.Connection, query: SearchQuery, *, limit: int = 20, offset: int = 0,
           order: Order = "relevance", tz: ZoneInfo, now: float | None = None) -> SearchResults:
    """One page of results for ``query``; QueryError for a query that cannot run."""
    res.check_window(limit, offset, order)
    parsed = parse(query.text)
    now = time.time() if now is None else now
    try:
        flt = _filters(conn, query, parsed, tz)
        rows: list[tuple[int, float, int]] = []
        more = False
        if flt is not None:
            where, params = flt
            top = conn.execute("SELECT max(id) FROM search_docs").fetchone()[0] or 0
            rows = _candidates(conn, parsed, where, params, CANDIDATES + 1, top)
            if len(rows) > CANDIDATES:
                more = True
                rows = rows[:CANDIDATES]
                seen = {r[0] for r in rows}
                rows += [r for r in _candidates(conn, parsed, where, params, CANDIDATES, top,
                                                title_only=True)
                         if r[0] not in seen]
        ordered = res.ranked(rows, order, now)[offset:offset + limit]
        shown = res.hits(ordered, _hit_rows(conn, [aid for aid, _ in ordered]), parsed)
    except psycopg.Error as exc:
        # Every token is quoted, so this is a store problem, not the user's.
        raise StoreError(f"the search index cannot be read: {exc}") from exc
    return res.results(query, shown, len(rows), more, offset, limit, order)


def index_row(article_id: int, published: int, category_id: int,
              entry: IndexEntry) -> tuple:
    """The ``search_docs`` row of one story."""
    return (article_id, published, category_id, tsvector(entry), entry.title, entry.body)


INDEX_SQL = (
    "INSERT INTO search_docs (id, published, category_id, words, title_words, body_words) "
    "VALUES (%s, %s, %s, %s::tsvector, %s, %s) ON CONFLICT (id) DO UPDATE SET "
    "published = excluded.published, category_id = excluded.category_id, "
    "words = excluded.words, title_words = excluded.title_words, "
    "body_words = excluded.body_words")
