"""Read-only connections to a store's database, lent to search's helper threads.

A search of a large archive reads its older shards on a second connection
while the store's own connection reads the rest (``search.fanout``).
Opening a connection and reading its schema costs milliseconds, and its
page cache starts empty, so those connections are kept between searches: one small pool per
database file, alive while any store on that file is open, closed with the
last one. The web server opens a store per request, so a server that does
not also fetch (``finews serve``) reopens them per request.

A connection is lent to one thread at a time and comes back with no
transaction open, so an idle one never holds back a WAL checkpoint.
"""

from __future__ import annotations

import os
import sqlite3
import threading
# urllib.request.pathname2url is this quote on POSIX; importing urllib.request
# costs every command ~15 ms (http, ssl).
from urllib.parse import quote as pathname2url

from ...workers import default_workers

#: Connections one database's pool lends at once: one per core beyond the
#: first. Concurrent searches beyond that read on their own connection only;
#: more helpers than cores would only take turns with the searches' threads.
POOL_SIZE = max(1, default_workers() - 1)


class ReaderPool:
    """Read-only connections to one database file."""

    def __init__(self, database: str, size: int = POOL_SIZE) -> None:
        self.database = database
        self._size = size
        self._idle: list[sqlite3.Connection] = []
        self._lent = 0
        self._closed = False
        self._lock = threading.Lock()

    def lend(self) -> sqlite3.Connection | None:
        """A connection for the calling thread alone; None when all are lent or it cannot open."""
        with self._lock:
            if self._closed or self._lent >= self._size:
                return None
            self._lent += 1
            if self._idle:
                return self._idle.pop()
        try:
            return _connect(self.database)
        except sqlite3.Error:
            # A helper is only ever an extra: the search goes on, on the store's
            # own connection, which reports any real problem with the file.
            with self._lock:
                self._lent -= 1
            return None

    def give_back(self, conn: sqlite3.Connection) -> None:
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            keep = True
        except sqlite3.Error:
            keep = False
        with self._lock:
            self._lent -= 1
            if keep and not self._closed:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        """Close the idle connections now, and lent ones as they come back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _connect(database: str) -> sqlite3.Connection:
    # Lent from thread to thread, never used by two at once.
    conn = sqlite3.connect(f"file:{pathname2url(database)}?mode=ro", uri=True,
                           isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA cache_size = -65536")
        # A new helper starts with an empty page cache beside the store's
        # warm one: with the file mapped (as far as SQLite maps, 2 GB), a
        # page read for the first time costs a page fault, not a read into
        # the cache (the first 60 searches at 1M stories: p95 53 → 48 ms).
        conn.execute(f"PRAGMA mmap_size = {2**31}")
    except sqlite3.Error:
        conn.close()
        raise
    return conn


_pools: dict[str, tuple[ReaderPool, int]] = {}     # database → (pool, stores open on it)
_registry = threading.Lock()
_inherited: list[ReaderPool] = []


def _database(conn: sqlite3.Connection) -> str | None:
    """The file of ``conn``'s main database as SQLite names it; None in memory."""
    for _, name, path in conn.execute("PRAGMA database_list"):
        if name == "main":
            return path or None
    return None


def attach(conn: sqlite3.Connection) -> str | None:
    """Keep a pool for ``conn``'s database until :func:`detach`; the key to detach with."""
    database = _database(conn)
    if database is None:
        return None
    with _registry:
        pool, stores = _pools.get(database, (None, 0))
        _pools[database] = (pool or ReaderPool(database), stores + 1)
    return database


def detach(database: str | None) -> None:
    """One store on ``database`` closed; the last one closes the pool."""
    if database is None:
        return
    with _registry:
        found = _pools.get(database)
        if found is None:
            return
        pool, stores = found
        if stores > 1:
            _pools[database] = (pool, stores - 1)
            return
        del _pools[database]
    pool.close()


def pool_for(conn: sqlite3.Connection) -> ReaderPool | None:
    """The pool of ``conn``'s database; None when no store keeps one open."""
    database = _database(conn)
    with _registry:
        found = _pools.get(database) if database else None
    return found[0] if found else None


def _forget_inherited() -> None:
    # A forked child must not use its parent's connections, nor close them
    # (SQLite forbids carrying a connection across fork); it keeps them
    # unused and starts afresh for stores it opens itself.
    global _registry
    _registry = threading.Lock()
    _inherited.extend(pool for pool, _ in _pools.values())
    _pools.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited)
