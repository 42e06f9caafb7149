"""The search index schema: FTS5 shards by article id, plus ``search_docs``.

The index is split by article id into shards of ``SHARD_SIZE`` stories, one
FTS5 table each: ``articles_fts`` (made by the store's migration 2) holds ids
1–50,000, ``articles_fts_1`` the next 50,000, and so on; a shard's table is
made when its first story is indexed. Why: FTS5's BM25 counts, for every
query word, the stories that contain it by reading the word's whole list —
over a million stories that costs 10–20 ms a word, several times the whole
budget of a query. Per shard the count covers at most 50,000 stories, and a
search reads the newest shards first and stops as soon as it has its
candidates, so its cost no longer grows with the archive. BM25 then uses
the shard's word statistics, which for shards this size match the archive's.

Each shard keeps its own copy of the tokens (not contentless): SQLite 3.40
cannot delete from a contentless table without the exact old tokens, and
re-segmenting an article's old text after a dictionary change would corrupt
the index. Columns, weighted by BM25 in ``engine``:

* ``title`` / ``body`` — plain segmentation in reading order (phrases match);
* ``title_more`` / ``body_more`` — search-mode sub-words and single Han
  characters (short words match inside long ones).

A small ``search_docs`` table repeats each article's time and category, so
ranking and filtering a thousand matches never reads article bodies.

``unicode61`` splits on the spaces ``segment`` puts between tokens; ``.`` is a
token character so numbers such as ``1.2`` stay whole, and diacritics are kept
because queries go through the same ``segment.normalise``.

``SHARD_SIZE`` is part of the database format: changing it needs
``finews reindex``.
"""

from __future__ import annotations

import re
import sqlite3

FTS_TABLE = "articles_fts"
DOCS_TABLE = "search_docs"
SHARD_SIZE = 50_000

_COLUMNS = """title, body, title_more, body_more,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '.'"
"""

FTS_MIGRATION = f"""
CREATE VIRTUAL TABLE articles_fts USING fts5(
    {_COLUMNS});
-- What ranking and filters read for every match. An articles row holds the
-- body before these columns, so reading them there costs the whole row.
CREATE TABLE search_docs (
    id          INTEGER PRIMARY KEY,          -- articles.id
    published   INTEGER NOT NULL,
    category_id INTEGER NOT NULL
);
"""

_SHARD_NAME = re.compile(rf"{FTS_TABLE}(?:_(\d+))?")


def shard_of(article_id: int) -> int:
    return max(0, (article_id - 1) // SHARD_SIZE)


def shard_table(shard: int) -> str:
    return FTS_TABLE if shard == 0 else f"{FTS_TABLE}_{shard}"


def shard_ids(shard: int) -> tuple[int, int]:
    """The first and last article id a shard holds."""
    return shard * SHARD_SIZE + 1, (shard + 1) * SHARD_SIZE


def shards(conn: sqlite3.Connection) -> list[int]:
    """The shards that exist, oldest first."""
    found = []
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name LIKE ?", (FTS_TABLE + "%",)):
        match = _SHARD_NAME.fullmatch(name)
        if match:
            found.append(int(match.group(1) or 0))
    return sorted(found)


def ensure_shard(conn: sqlite3.Connection, shard: int) -> str:
    """The shard's table name, made first if it does not exist yet (in the caller's transaction)."""
    table = shard_table(shard)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                    (table,)).fetchone() is None:
        conn.execute(f"CREATE VIRTUAL TABLE {table} USING fts5({_COLUMNS})")
    return table
