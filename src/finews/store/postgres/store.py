"""The PostgreSQL store: the same protocol, rules and columns as SQLite's.

Connections. A store that writes (ingest, the publisher, the CLI) holds one
connection of its own, opened with ``psycopg.connect``: it runs no threads,
so a full build may still fork its page-rendering workers, each of which
opens a store of its own from the URL (a forked child never touches the
parent's connection; its workers leave with ``os._exit``). Read-only stores —
the web server opens one per request — borrow a connection from one
``psycopg_pool`` pool per URL and give it back on close; the pool lives while
any store on that URL is open.

Writes run in one transaction each (``_write``), nested calls joining it.
The change sequence is safe with several writers: a writer numbers its
batch's changes only at the end of its transaction, holding a transaction
advisory lock from then until its commit (``stamp_changes``), so numbers are
handed out in commit order. A publisher that has seen number N has
therefore seen every change numbered below N: no lower number can commit
after a higher one, even with writers in several processes.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Iterator, Sequence
from zoneinfo import ZoneInfo

import psycopg
from psycopg_pool import ConnectionPool

from ...errors import StoreError
from ...model import Category, Headline
from ...search.indextext import entry_for
from ...search.query import SearchQuery
from ...search.results import Order, SearchResults
from .. import rows as rows_, rules
from ..copy import Table
from ..ledger import SQLLedger
from ..queries import StoreQueries
from . import search as pg_search
from .migrations import migrate

#: Held from numbering a batch's changes to its commit (see the module's text).
_SEQUENCE_LOCK = 0x66696E6577730002
#: Held by the one process clustering new stories (``clustering_turn``).
_CLUSTER_LOCK = 0x66696E6577730004
#: Connections one URL's read-only pool keeps at most.
POOL_MAX = 8

_ts = rules.timestamp
_dt = rows_.when


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _connect(url: str) -> psycopg.Connection:
    return psycopg.connect(url, autocommit=True, connect_timeout=10)


_pools: dict[str, tuple[ConnectionPool, int]] = {}
_pools_lock = threading.Lock()


def _borrow_pool(url: str) -> ConnectionPool:
    with _pools_lock:
        pool, users = _pools.get(url, (None, 0))
        if pool is None:
            pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=True,
                                  kwargs={"autocommit": True}, timeout=10,
                                  name="finews-readers")
        _pools[url] = (pool, users + 1)
    return pool


def _forget_pools() -> None:
    # A forked child must not use its parent's pools (their threads did not
    # come along, their connections are the parent's): it starts afresh.
    global _pools_lock
    _pools_lock = threading.Lock()
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pools)


def _return_pool(url: str) -> None:
    with _pools_lock:
        pool, users = _pools[url]
        if users > 1:
            _pools[url] = (pool, users - 1)
            return
        del _pools[url]
    pool.close()


class PostgresStore(StoreQueries):
    """Use :meth:`open` (or ``store.open_store``); close it (or use ``with``)."""

    # Two fetch workers leasing at once skip each other's rows instead of
    # waiting for them (or leasing them twice).
    _LEASE_LOCK = " FOR UPDATE SKIP LOCKED"

    def _lost_race(self, exc: BaseException) -> bool:
        # Two workers storing the same story at once (a source polled by two
        # after a lease ran out), or locking rows in opposite orders.
        cause = exc.__cause__ if isinstance(exc, StoreError) else exc
        return isinstance(cause, (psycopg.errors.UniqueViolation,
                                  psycopg.errors.DeadlockDetected,
                                  psycopg.errors.SerializationFailure))

    def __init__(self, conn: psycopg.Connection, tz: ZoneInfo, url: str,
                 pool: ConnectionPool | None = None) -> None:
        self._conn = conn
        self._pool = pool
        self.tz = tz
        self.url = url
        self._category_cache: dict[tuple[str, str], Category] = {}
        self._ledger = _Ledger(conn)
        self._depth = 0
        self._lock = threading.RLock()   # one statement at a time on the connection

    # --- lifecycle ----------------------------------------------------------

    @classmethod
    def open(cls, url: str, tz: ZoneInfo, *, readonly: bool = False) -> "PostgresStore":
        try:
            if readonly:
                pool = _borrow_pool(url)
                try:
                    conn = pool.getconn()
                except BaseException:
                    _return_pool(url)
                    raise
                return cls(conn, tz, url, pool)
            conn = _connect(url)
            try:
                migrate(conn)
            except BaseException:
                conn.close()
                raise
            return cls(conn, tz, url)
        except (psycopg.Error, OSError) as exc:
            message = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise StoreError(f"cannot open the store at {_safe(url)}: {message}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.putconn(self._conn)
            self._pool = None
            _return_pool(self.url)
        else:
            self._conn.close()

    def _alive(self) -> None:
        """A new connection in place of one the server dropped (a restart, a
        failover), between transactions only: a long ``finews run`` goes on."""
        if not (self._conn.closed or self._conn.broken):
            return
        try:
            if self._pool is not None:
                self._pool.putconn(self._conn)
                self._conn = self._pool.getconn()
            else:
                self._conn = _connect(self.url)
        except psycopg.Error as exc:
            raise StoreError(f"the store at {_safe(self.url)} cannot be reached: "
                             f"{exc}") from exc
        self._ledger = _Ledger(self._conn)

    def __enter__(self) -> "PostgresStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One transaction; a nested call joins the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            with self._outer(None, "store write failed"):
                yield

    @contextmanager
    def clustering_turn(self, *, wait: bool) -> Iterator[bool]:
        with self._lock:
            self._alive()
            try:
                if wait:
                    self._conn.execute("SELECT pg_advisory_lock(%s)", (_CLUSTER_LOCK,))
                    mine = True
                else:
                    mine = self._conn.execute("SELECT pg_try_advisory_lock(%s)",
                                              (_CLUSTER_LOCK,)).fetchone()[0]
            except psycopg.Error as exc:
                raise StoreError(f"the store cannot be used: {exc}") from exc
        try:
            yield mine
        finally:
            if mine and not (self._conn.closed or self._conn.broken):
                with self._lock:
                    try:
                        self._conn.execute("SELECT pg_advisory_unlock(%s)", (_CLUSTER_LOCK,))
                    except psycopg.Error:
                        pass      # the connection went: so did its lock

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see the store as it was at the first of them."""
        with self._lock:
            if self._depth:
                yield
                return
            with self._outer(psycopg.IsolationLevel.REPEATABLE_READ,
                             "the store cannot be read"):
                yield

    @contextmanager
    def _outer(self, level: psycopg.IsolationLevel | None, failed: str) -> Iterator[None]:
        """The outermost transaction (``level``: None for the connection's own),
        inside ``self._lock``; a driver error becomes a StoreError saying ``failed``."""
        self._alive()
        self._depth = 1
        before = self._conn.isolation_level
        if level is not None:
            self._conn.isolation_level = level
        try:
            with self._conn.transaction():
                yield
        except psycopg.Error as exc:
            raise StoreError(f"{failed}: {exc}") from exc
        finally:
            self._depth = 0
            if level is not None:
                self._conn.isolation_level = before

    def _q(self, sql: str, params: Sequence | None = None) -> list[tuple]:
        with self._lock:
            if not self._depth:
                self._alive()
            try:
                return self._conn.execute(sql, params).fetchall()
            except psycopg.Error as exc:
                raise StoreError(f"the store cannot be read: {exc}") from exc

    # what ``StoreQueries`` runs its SQL with (``?`` placeholders)
    def _rows(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self._q(sql.replace("?", "%s"), params)

    def _exec(self, sql: str, params: Sequence = ()) -> None:
        self._conn.execute(sql.replace("?", "%s"), params)

    def _exec_many(self, sql: str, rows: Sequence[Sequence]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)

    def _in(self, values: Sequence) -> Iterator[tuple[str, tuple]]:
        if values:
            yield "= ANY(?)", (list(values),)


    # --- articles: reading ------------------------------------------------------

    def _walk(self, join: str, params: tuple, offset: int) -> Iterator[Headline]:
        """Headlines oldest first by (published, id), read in pages as the caller
        goes, each after the last (published, id)."""
        select = f"SELECT {rows_.HEADLINE_COLUMNS} {join}"
        page = self._headline_rows(select + "ORDER BY a.published, a.id OFFSET %s LIMIT 2000",
                                   (*params, offset))
        while page:
            yield from page
            last = page[-1]
            page = self._headline_rows(
                select + "AND (a.published, a.id) > (%s, %s) ORDER BY a.published, a.id "
                "LIMIT 2000", (*params, _ts(last.published), last.id))

    def _headline_rows(self, sql: str, params: Sequence) -> list[Headline]:
        return [rows_.headline(row) for row in self._q(sql, params)]

    def category_walk(self, category_id: int, offset: int = 0) -> Iterator[Headline]:
        return self._walk("FROM articles a JOIN categories c ON c.id = a.category_id "
                          "WHERE a.category_id = %s ", (category_id,), offset)

    def stock_walk(self, market: str, code: str, offset: int = 0) -> Iterator[Headline]:
        return self._walk(self._STOCK_JOIN.replace("?", "%s"), (code, market), offset)

    # --- search ---------------------------------------------------------------

    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0,
               order: Order = "relevance", now: float | None = None) -> SearchResults:
        """Full-text search (see :mod:`.search`)."""
        with self._lock:
            return pg_search.search(self._conn, query, limit=limit, offset=offset,
                                    order=order, tz=self.tz, now=now)

    def reindex(self, progress=None, *, batch: int = 1000) -> int:
        """Rebuild the search index from the stored stories, a batch per transaction."""
        total = self.count_articles()
        with self._write():
            self._conn.execute("DELETE FROM search_docs")
        done, last = 0, 0
        while True:
            rows = self._q("SELECT id, title, digest, body_html, published, category_id "
                           "FROM articles WHERE id > %s ORDER BY id LIMIT %s", (last, batch))
            if not rows:
                break
            prepared = [pg_search.index_row(aid, published, cid,
                                            entry_for(title, digest, body))
                        for aid, title, digest, body, published, cid in rows]
            with self._write(), self._conn.cursor() as cur:
                cur.executemany(pg_search.INDEX_SQL, prepared)
            done += len(rows)
            last = rows[-1][0]
            if progress is not None:
                progress(done, total)
        return done

    # --- copying a whole archive (store.copy) -----------------------------------

    def copy_write(self, table: Table, rows: list[tuple]) -> None:
        columns = ", ".join(table.columns)
        with self._write(), self._conn.cursor() as cur:
            # COPY: several times faster than INSERTs for whole tables.
            with cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def copy_finish(self) -> None:
        """Counters past the copied rows: the next story, revision… gets a new id."""
        with self._write():
            for name in ("categories", "articles", "revisions", "quarantine"):
                self._conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)")
            self._conn.execute("SELECT setval('change_seq', "
                               "COALESCE((SELECT MAX(seq) FROM articles), 0) + 1, false)")
        self._category_cache.clear()

    # --- sources ----------------------------------------------------------------

    # --- state ------------------------------------------------------------------

def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class _Ledger(SQLLedger):
    """The archive's rules' SQL (``store.ledger``) on the writer's connection."""

    def _run(self, sql: str, params: Sequence = ()) -> psycopg.Cursor:
        return self._conn.execute(sql.replace("?", "%s"), params)

    def _many(self, sql: str, rows: Sequence[Sequence]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(sql.replace("?", "%s"), rows)

    def _index(self, article_id: int, row: rules.ArticleRow, category_id: int, *,
               new: bool) -> None:
        self._conn.execute(pg_search.INDEX_SQL, pg_search.index_row(
            article_id, row.published, category_id, row.entry))

    def change_seq(self) -> None:
        return None           # numbered at the end of the batch, in commit order

    def stamp_changes(self, article_ids: Sequence[int]) -> None:
        # Held until this transaction ends: the next writer numbers its changes
        # only after this one's are committed (or rolled back).
        self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SEQUENCE_LOCK,))
        # A story changed twice in the batch takes its last number only.
        article_ids = list(dict.fromkeys(reversed(article_ids)))[::-1]
        self._conn.execute(
            "UPDATE articles a SET seq = n.seq FROM (SELECT id, nextval('change_seq') AS seq "
            "FROM unnest(%s::bigint[]) WITH ORDINALITY AS u(id, k) ORDER BY k) n "
            "WHERE a.id = n.id", (list(article_ids),))
        # Delivered when this transaction commits, to every publisher listening
        # (store.coordination.listen_changes), on any machine.
        self._conn.execute("SELECT pg_notify('finews_changes', '')")

    def id_by_headline(self, published: int, title: str, source: str,
                       partial: bool) -> int | None:
        # Not through _run: the jsonb operator is a question mark.
        row = self._conn.execute(
            "SELECT id FROM articles WHERE published = %s AND title = %s AND source != %s "
            "AND (%s OR (extra::jsonb) ? 'partial') LIMIT 1",
            (published, title, source, partial)).fetchone()
        return row[0] if row else None
