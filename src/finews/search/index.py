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

from ..errors import StoreError
from ..process.text import html_to_text
from .schema import DOCS_TABLE, FTS_TABLE
from .segment import index_tokens

#: How many articles :func:`reindex` reads, segments and writes per transaction.
BATCH = 1000

Progress = Callable[[int, int], None]   # (done, total)


def _text(digest: str, body_html: str) -> str:
    body = html_to_text(body_html)
    # The digest is usually the body's first sentences; index it only when it
    # says something the body does not, so it does not count twice in BM25.
    digest = (digest or "").strip()
    if digest and digest.rstrip("…") not in body:
        return f"{digest}\n{body}"
    return body


def _row(article_id: int, title: str, digest: str, body_html: str) -> tuple:
    text = _text(digest, body_html)
    title_words, title_more = index_tokens(title)
    body_words, body_more = index_tokens(text)
    return (article_id, " ".join(title_words), " ".join(body_words),
            " ".join(title_more), " ".join(body_more))


_INSERT = (f"INSERT INTO {FTS_TABLE} (rowid, title, body, title_more, body_more) "
           "VALUES (?, ?, ?, ?, ?)")


_DOCS = (f"INSERT OR REPLACE INTO {DOCS_TABLE} (id, published, category_id) "
         "SELECT id, published, category_id FROM articles WHERE id = ?")


def index_article(conn: sqlite3.Connection, article_id: int, title: str, digest: str,
                  body_html: str) -> None:
    """Index (or re-index) one article. Runs in the caller's transaction.

    Call it after the article's row is written: its time and category are
    read from there.
    """
    row = _row(article_id, title, digest, body_html)
    conn.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (article_id,))
    conn.execute(_INSERT, row)
    conn.execute(_DOCS, (article_id,))


def remove_article(conn: sqlite3.Connection, article_id: int) -> None:
    """Drop one article from the index. Runs in the caller's transaction."""
    conn.execute(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (article_id,))
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
        _in_transaction(conn, lambda: (conn.execute(f"DELETE FROM {FTS_TABLE}"),
                                       conn.execute(f"DELETE FROM {DOCS_TABLE}")))
        done = 0
        for rows, prepared in _prepared(conn, batch, workers):
            docs = [(row[0], row[4], row[5]) for row in rows]
            _in_transaction(conn, lambda: (
                conn.executemany(_INSERT, prepared),
                conn.executemany(f"INSERT OR REPLACE INTO {DOCS_TABLE} (id, published, "
                                 "category_id) VALUES (?, ?, ?)", docs)))
            done += len(prepared)
            if progress is not None:
                progress(done, total)
        if optimize:
            # One merged b-tree per term makes later queries cheaper.
            _in_transaction(conn, lambda: conn.execute(
                f"INSERT INTO {FTS_TABLE} ({FTS_TABLE}) VALUES ('optimize')"))
    except sqlite3.Error as exc:
        raise StoreError(f"cannot rebuild the search index: {exc}") from exc
    return done
