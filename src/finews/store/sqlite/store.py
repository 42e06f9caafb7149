"""The SQLite store: one file in WAL mode, one writer, domain-named methods.

Writes go through short ``BEGIN IMMEDIATE`` transactions, so a crash leaves
either the whole batch or none of it. Readers (the publisher, the web server)
open their own connections; WAL lets them read while the writer writes.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

from ...errors import StoreError
from ...model import Category, Headline
from ...search.query import SearchQuery
from ...search.results import Order, SearchResults
from .. import rows as rows_, rules
from ..copy import Table
from ..ledger import SQLLedger
from ..queries import StoreQueries
from . import readers
from .fts_index import index_article
from .migrations import migrate

_HEADLINE_COLUMNS = rows_.HEADLINE_COLUMNS


def _now() -> datetime:
    return datetime.now(timezone.utc)


class SQLiteStore(StoreQueries):
    """The default store. Use :meth:`open`; close it (or use ``with``)."""

    def __init__(self, conn: sqlite3.Connection, tz: ZoneInfo, path: Path) -> None:
        self._conn = conn
        self.tz = tz
        self.path = path
        self._category_cache: dict[tuple[str, str], Category] = {}
        self._ledger = _Ledger(conn)
        # Searches read older shards on read-only connections of their own.
        self._readers = readers.attach(conn)

    # --- lifecycle ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path, tz: ZoneInfo, *, readonly: bool = False) -> "SQLiteStore":
        path = Path(path)
        try:
            if readonly:
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True,
                                       isolation_level=None, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 10000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")
            if not readonly:
                migrate(conn)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from exc
        return cls(conn, tz, path)

    @property
    def url(self) -> str:
        """The URL that opens this store again (``store.open_store``)."""
        return f"sqlite:///{self.path}"

    def close(self) -> None:
        readers.detach(self._readers)
        self._readers = None
        self._conn.close()

    def __enter__(self) -> "SQLiteStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _write(self):
        return _Transaction(self._conn)

    # what ``StoreQueries`` runs its SQL with
    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._conn.execute(sql, params).fetchall()

    def _exec(self, sql: str, params: Sequence = ()) -> None:
        self._conn.execute(sql, params)

    def _exec_many(self, sql: str, rows: Sequence[Sequence]) -> None:
        self._conn.executemany(sql, rows)

    def _in(self, values: Sequence) -> Iterator[tuple[str, tuple]]:
        # SQLite binds at most 999 values per statement in older builds.
        for start in range(0, len(values), 500):
            chunk = tuple(values[start:start + 500])
            yield f"IN ({','.join('?' * len(chunk))})", chunk

    @contextmanager
    def clustering_turn(self, *, wait: bool) -> Iterator[bool]:
        # One fetch worker per SQLite store: its turn is always free (and a
        # `finews recluster` beside it is kept consistent by the write lock).
        yield True

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        # A read transaction keeps the WAL snapshot of its first read until
        # it ends; writes inside it would be refused once another connection
        # has committed, so a build writes its state after it.
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN DEFERRED")
        try:
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            yield
        finally:
            self._conn.execute("COMMIT" if self._conn.in_transaction else "SELECT 1")

    def integrity_check(self) -> str:
        return self._conn.execute("PRAGMA integrity_check").fetchone()[0]


    # --- articles: reading ------------------------------------------------------

    def stock_walk(self, market: str, code: str, offset: int = 0) -> Iterator[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} {self._STOCK_JOIN}"
            "ORDER BY a.published, a.id LIMIT -1 OFFSET ?", (code, market, offset))
        for row in rows:
            yield rows_.headline(row)

    def category_walk(self, category_id: int, offset: int = 0) -> Iterator[Headline]:
        rows = self._conn.execute(
            f"SELECT {_HEADLINE_COLUMNS} FROM articles a JOIN categories c "
            "ON c.id = a.category_id WHERE a.category_id = ? ORDER BY a.published, a.id "
            "LIMIT -1 OFFSET ?", (category_id, offset))
        for row in rows:
            yield rows_.headline(row)

    # --- search ---------------------------------------------------------------

    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0,
               order: Order = "relevance", now: float | None = None) -> SearchResults:
        """Full-text search (see :mod:`.fts_engine`)."""
        from .fts_engine import search
        return search(self._conn, query, limit=limit, offset=offset, order=order, tz=self.tz,
                      now=now)

    def reindex(self, progress=None) -> int:
        """Rebuild the search index from the stored articles."""
        from .fts_index import reindex
        return reindex(self._conn, progress=progress)

    # --- copying a whole archive (store.copy) -----------------------------------

    def copy_write(self, table: Table, rows: list[tuple]) -> None:
        marks = ", ".join("?" * len(table.columns))
        with self._write():
            self._conn.executemany(f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                                   f"VALUES ({marks})", rows)

    def copy_finish(self) -> None:
        self._category_cache.clear()


class _Ledger(SQLLedger):
    """The archive's rules' SQL (``store.ledger``) on the writer's connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn)
        self._seq = 0

    def _run(self, sql: str, params: Sequence = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _many(self, sql: str, rows: Sequence[Sequence]) -> None:
        self._conn.executemany(sql, rows)

    def _returning(self, sql: str, params: Sequence, column: str) -> int:
        # Not RETURNING: it opens a statement savepoint, and FTS5 writes its
        # pending terms out as a segment at every savepoint (fts_index).
        assert column == "id"
        return self._conn.execute(sql, params).lastrowid

    def _index(self, article_id: int, row: rules.ArticleRow, category_id: int, *,
               new: bool) -> None:
        index_article(self._conn, article_id, row.title, row.digest, row.body_html,
                      entry=row.entry, new=new)

    def start_batch(self) -> None:
        # The writer holds the database (BEGIN IMMEDIATE): numbers counted on
        # from the newest one are in commit order.
        self._seq = self._conn.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()[0]

    def change_seq(self) -> int:
        self._seq += 1
        return self._seq

    def stamp_changes(self, article_ids: Sequence[int]) -> None:
        pass

    def id_by_headline(self, published: int, title: str, source: str,
                       partial: bool) -> int | None:
        return self._id(
            "SELECT id FROM articles WHERE published = ? AND title = ? AND source != ? "
            "AND (? OR json_extract(extra, '$.partial') IS NOT NULL) LIMIT 1",
            (published, title, source, partial))


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

    Nested use joins the outer transaction, so a method that writes can be
    called from inside another write.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._owner = False

    def __enter__(self) -> None:
        if not self._conn.in_transaction:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise StoreError(f"cannot start a write: {exc}") from exc
            self._owner = True

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._owner:
            return
        if exc_type is None:
            try:
                self._conn.execute("COMMIT")
            except sqlite3.Error as err:
                self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot commit a write: {err}") from err
        else:
            self._conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"store write failed: {exc}") from exc
