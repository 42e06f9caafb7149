"""Keep the FTS5 index in step with the articles table.

The store calls :func:`index_article` for every new or updated article inside
its own write transaction, so a story is searchable the moment it is stored
and a failed write leaves neither the row nor its index entry. Nothing here
commits except :func:`reindex`, which owns its transactions.
"""

from __future__ import annotations

import os
import sqlite3
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable, Iterable, Iterator

from ...errors import StoreError
from ...search import segment
from ...search.indextext import IndexEntry, entry_for
from .fts_schema import DOCS_TABLE, ensure_shard, shard_of, shard_table, shards

#: How many articles :func:`reindex` reads, segments and writes per transaction.
BATCH = 1000

Progress = Callable[[int, int], None]   # (done, total)


def _row(article_id: int, title: str, digest: str, body_html: str,
         entry: IndexEntry | None = None) -> tuple:
    entry = entry_for(title, digest, body_html, entry)
    return (article_id, entry.title, entry.body, entry.title_more, entry.body_more)


def _insert_sql(table: str) -> str:
    return (f"INSERT INTO {table} (rowid, title, body, title_more, body_more) "
            "VALUES (?, ?, ?, ?, ?)")


_DOCS = f"INSERT OR REPLACE INTO {DOCS_TABLE} (id, published, category_id) VALUES (?, ?, ?)"


def index_article(conn: sqlite3.Connection, article_id: int, title: str, digest: str,
                  body_html: str, *, entry: IndexEntry | None = None,
                  new: bool = False) -> None:
    """Index (or re-index) one article. Runs in the caller's transaction.

    Call it after the article's row is written: its time and category are
    read from there. ``entry`` is used when it was made from this same text
    (:func:`make_entry`); ``new`` says the article was never indexed, which
    spares looking for an old entry to take out.
    """
    row = _row(article_id, title, digest, body_html, entry)
    table = ensure_shard(conn, shard_of(article_id))
    if not new:
        conn.execute(f"DELETE FROM {table} WHERE rowid = ?", (article_id,))
    conn.execute(_insert_sql(table), row)
    # Single-row statements only: a statement that may write several rows
    # (INSERT … SELECT) opens a statement savepoint, and FTS5 writes its
    # pending terms out as a new segment at every savepoint — that alone
    # doubled the cost of indexing a story.
    found = conn.execute("SELECT published, category_id FROM articles WHERE id = ?",
                         (article_id,)).fetchone()
    if found is not None:
        conn.execute(_DOCS, (article_id, *found))


def remove_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Drop one article from the index. Runs in the caller's transaction."""
    shard = shard_of(article_id)
    if shard in shards(conn):
        conn.execute(f"DELETE FROM {shard_table(shard)} WHERE rowid = ?", (article_id,))
    conn.execute(f"DELETE FROM {DOCS_TABLE} WHERE id = ?", (article_id,))


def _batches(conn: sqlite3.Connection, size: int) -> Iterable[list[tuple]]:
    last = 0
    while True:
        rows = conn.execute("SELECT id, title, digest, body_html, published, category_id "
                            "FROM articles "
                            "WHERE id > ? ORDER BY id LIMIT ?", (last, size)).fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _in_transaction(conn: sqlite3.Connection, work: Callable[[], None]) -> None:
    if conn.in_transaction:          # the caller owns the transaction
        work()
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        work()
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _prepare(rows: list[tuple]) -> list[tuple]:
    return [_row(*row[:4]) for row in rows]


def _prepared(conn: sqlite3.Connection, size: int,
              workers: int) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """Index rows batch by batch, segmented by ``workers`` processes when > 1.

    Segmentation is pure CPU work, so it runs beside the single writer; at most
    two batches per worker are in flight, so memory stays flat.
    """
    if workers <= 1:
        for rows in _batches(conn, size):
            yield rows, _prepare(rows)
        return
    segment.load()   # once, before the workers fork
    with ProcessPoolExecutor(workers) as pool:
        pending: deque[tuple[list[tuple], Future]] = deque()
        for rows in _batches(conn, size):
            pending.append((rows, pool.submit(_prepare, rows)))
            if len(pending) >= 2 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def reindex(conn: sqlite3.Connection, progress: Progress | None = None, *,
            batch: int = BATCH, optimize: bool = True, workers: int | None = None) -> int:
    """Rebuild the whole index from the articles table; return how many were indexed.

    Each batch is its own transaction, so a rebuild of a large archive does not
    hold the writer for minutes; searches made meanwhile see a partial index.
    ``progress(done, total)`` is called after each batch. ``workers``
    (default: the CPU count) processes segment text in parallel.
    """
    workers = (os.cpu_count() or 1) if workers is None else workers
    try:
        total = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        _in_transaction(conn, lambda: _empty(conn))
        done = 0
        for rows, prepared in _prepared(conn, batch, workers):
            _in_transaction(conn, lambda: _write_batch(conn, rows, prepared))
            done += len(prepared)
            if progress is not None:
                progress(done, total)
        if optimize:
            # One merged b-tree per term makes later queries cheaper.
            for shard in shards(conn):
                table = shard_table(shard)
                _in_transaction(conn, lambda: conn.execute(
                    f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot rebuild the search index: {exc}") from exc
    return done


def _empty(conn: sqlite3.Connection) -> None:
    # Dropping a shard is far cheaper than deleting its rows one by one, which
    # FTS5 does by re-reading and re-tokenizing every stored text.
    for shard in shards(conn):
        conn.execute(f"DROP TABLE {shard_table(shard)}")
    ensure_shard(conn, 0)
    conn.execute(f"DELETE FROM {DOCS_TABLE}")


def _write_batch(conn: sqlite3.Connection, rows: list[tuple], prepared: list[tuple]) -> None:
    by_shard: dict[int, list[tuple]] = {}
    for row in prepared:
        by_shard.setdefault(shard_of(row[0]), []).append(row)
    for shard, shard_rows in by_shard.items():
        conn.executemany(_insert_sql(ensure_shard(conn, shard)), shard_rows)
    conn.executemany(_DOCS, [(row[0], row[4], row[5]) for row in rows])
