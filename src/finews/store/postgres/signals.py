"""The publisher's advisory lock and the change notifications, on PostgreSQL.

Each lives on a connection of its own, outside the store's pool: a session
advisory lock is held exactly as long as its connection, so the server frees
it when the holder exits or is killed, and a ``LISTEN`` needs a connection
that is not handed to anybody else.
"""

from __future__ import annotations

import time

import psycopg

from ...errors import RoleBusyError, StoreError
from .migrations import migrate
from .store import _connect, _safe

#: The publisher's lock; the change sequence and migrations have their own.
PUBLISH_LOCK = 0x66696E6577730003     # "finews" + 3
#: Announced by every writer that numbered changes (store.postgres.store).
CHANGES = "finews_changes"
HOLDER_KEY = "publish.holder"


class PublisherHold:
    def __init__(self, url: str, conn: psycopg.Connection, holder: str) -> None:
        self._url = url
        self._conn: psycopg.Connection | None = conn
        self._holder = holder

    def check(self) -> None:
        """Re-takes the lock on a new connection when the old one dropped (a
        server restart); RoleBusyError when another publisher took it first."""
        conn = self._conn
        if conn is not None and not conn.closed and not conn.broken:
            try:
                conn.execute("SELECT 1")
                return
            except psycopg.Error:
                pass
        self.release()
        fresh = hold_publisher(self._url, self._holder)
        self._conn, fresh._conn = fresh._conn, None

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


def hold_publisher(url: str, holder: str) -> PublisherHold:
    try:
        conn = _connect(url)
    except psycopg.Error as exc:
        raise StoreError(f"cannot reach the store at {_safe(url)}: {exc}") from exc
    try:
        migrate(conn)        # the holder's name goes into the schema's state table
        got = conn.execute("SELECT pg_try_advisory_lock(%s)", (PUBLISH_LOCK,)).fetchone()[0]
        if not got:
            row = conn.execute("SELECT value FROM state WHERE key = %s",
                               (HOLDER_KEY,)).fetchone()
            other = row[0] if row else "another process"
            raise RoleBusyError(
                f"the store at {_safe(url)} is already being published by {other}; one "
                "publisher per store: stop that one first, or start this one with "
                "--standby to take over when it stops")
        conn.execute("INSERT INTO state (key, value) VALUES (%s, %s) ON CONFLICT (key) "
                     "DO UPDATE SET value = EXCLUDED.value", (HOLDER_KEY, holder))
    except BaseException:
        conn.close()
        raise
    return PublisherHold(url, conn, holder)


class Listener:
    """``wait(timeout)``: True as soon as a writer commits new changes."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._conn: psycopg.Connection | None = None

    def _listening(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = _connect(self._url)
            self._conn.execute(f"LISTEN {CHANGES}")
        return self._conn

    def wait(self, timeout: float) -> bool:
        started = time.monotonic()
        try:
            for _ in self._listening().notifies(timeout=timeout, stop_after=1):
                return True
        except psycopg.Error:
            # The server went away: the caller looks at the store itself, and
            # the next wait listens on a new connection.
            self.close()
            time.sleep(max(0.0, timeout - (time.monotonic() - started)))
        return False

    def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                conn.close()
            except psycopg.Error:
                pass
