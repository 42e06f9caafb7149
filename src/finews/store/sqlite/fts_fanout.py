"""Read a search's shards on helper connections while the caller ranks.

A query of common words that seldom meet reads every shard, one after
another; about half of that time SQLite intersects word lists, which
Python's ``sqlite3`` does without holding the GIL. So once the shards read
so far show that several more are needed, helper threads read the next
shards ahead on read-only connections of their own (``store.readers``),
while the caller's thread ranks what is already read and hands the results
over strictly in shard order; when nothing is ready it reads a shard no
helper has taken itself. The caller stops when it has enough: the
statements helpers are then running are interrupted and their rows dropped.

Helpers only read; Python work stays on the caller's thread. Two threads
each ranking in Python took turns on the GIL at every row and were slower
than one thread alone (53 → 63 ms for a query ranking 1,000 matches at
1M stories).

Snapshots. Each helper reads inside one read transaction; the caller's
connection, outside any transaction, sees the newest state at each
statement, as the sequential search always did, so a search was never one
snapshot. Helpers never read the newest shard (the caller reads it first),
ids never move between shards, and the caller keeps one row per story id,
so a story stored or updated meanwhile cannot appear twice; every helper
has finished before the caller reads the matches' articles, which are
therefore at least as new as anything a helper saw. A caller inside a
transaction reads alone: helpers could not see its uncommitted writes.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any, Callable, Iterator, Sequence

from . import readers
from ...workers import default_workers

#: (connection, shard, at most this many rows) → what the caller makes of the shard.
Read = Callable[[sqlite3.Connection, int, int], Any]

#: Threads that read beside the caller: one per further core.
HELPERS = max(0, default_workers() - 1)
#: How far past the shard the caller waits for a helper may read: reads
#: beyond the shard where the caller stops are wasted.
READ_AHEAD = 3
#: Seconds the shards left must be expected to take before helpers start:
#: a helper costs a millisecond or two (starting, handing over, its cold
#: page cache, the other core's share) that short reads do not win back.
MIN_AHEAD = 0.010


def in_order(conn: sqlite3.Connection, shards: Sequence[int], read: Read,
             wanted: Callable[[], int]) -> Iterator[tuple[int, Any]]:
    """(shard, what ``read`` gave) for each of ``shards`` in order, until the caller stops.

    ``wanted()`` is how many rows the caller still needs; it may only fall as
    shards are handed over. A shard read ahead is read with the ``wanted()``
    of that moment, which may be more than the caller needs by the time it
    is handed over: ``read`` must give, with a smaller limit, the first rows
    it gives with a larger one, so the caller can cut them to what a read at
    that point would have given.
    """
    pending = list(shards)
    while pending:
        shard = pending.pop(0)
        before, start = wanted(), time.perf_counter()
        got = read(conn, shard, before)
        spent = time.perf_counter() - start
        yield shard, got
        # Reading ahead pays once at least four more shards like this one
        # are needed (fewer, and the shards read ahead are mostly wasted),
        # and when reading them takes long enough.
        after = wanted()
        if (len(pending) >= 4 and 4 * (before - after) < after
                and spent * len(pending) >= MIN_AHEAD):
            pool = readers.pool_for(conn) if HELPERS and not conn.in_transaction else None
            if pool is not None:
                yield from _shared(conn, pending, read, wanted, pool)
                return


class _Work:
    """The shards of one search, read by whichever thread is free, handed over in order.

    Each helper has a lane and first takes the shards of its lane (``shard %
    lanes``, lane 0 being the caller's), then any: each connection keeps its
    own page cache, so a shard read on the same connection from search to
    search finds its pages there (a first pass over 60 distinct queries at
    1M stories: p95 54 → 49 ms). The caller, waiting, takes the nearest
    shard nobody reads: the most likely to be needed.
    """

    def __init__(self, shards: Sequence[int], read: Read, wanted: Callable[[], int],
                 lanes: int) -> None:
        self.shards, self.read, self.wanted = list(shards), read, wanted
        self._lanes = lanes
        self._untaken = list(range(len(self.shards)))    # positions nobody reads yet
        self._handing = 0            # the position the caller waits for or hands over
        self._stopped = False
        self._done: dict[int, tuple[bool, Any]] = {}    # position → (read, rows or error)
        self._changed = threading.Condition()

    def _take(self, last: int, lane: int | None = None) -> int | None:
        """The first untaken position up to ``last``, of ``lane`` if any (``_changed`` held)."""
        first = None
        for position in self._untaken:
            if position > last:
                break
            if lane is None or self.shards[position] % self._lanes == lane:
                first = position
                break
            if first is None:
                first = position
        if first is not None:
            self._untaken.remove(first)
        return first

    def help(self, conn: sqlite3.Connection, lane: int) -> None:
        """Read shards on a helper's connection until none is left or the caller stops."""
        while True:
            with self._changed:
                position = None
                while not self._stopped and self._untaken and position is None:
                    position = self._take(self._handing + READ_AHEAD, lane)
                    if position is None:
                        self._changed.wait()     # for the caller to catch up
                if position is None:
                    return
            try:
                done = (True, self.read(conn, self.shards[position], self.wanted()))
            except Exception as exc:     # the caller reads it again, on its own connection
                done = (False, exc)
            with self._changed:
                self._done[position] = done
                self._changed.notify_all()

    def rows(self, conn: sqlite3.Connection, position: int) -> Any:
        """What ``read`` gave for the shard at ``position``, reading untaken shards meanwhile."""
        with self._changed:
            self._handing = position
            self._changed.notify_all()       # helpers waiting for the caller may go on
        while True:
            with self._changed:
                mine = None
                while position not in self._done and mine is None:
                    # The shard wanted, else the nearest one nobody reads yet.
                    mine = self._take(position + READ_AHEAD)
                    if mine is None:
                        self._changed.wait()
                found = self._done.pop(position) if mine is None else None
            if found is not None:
                ok, rows = found
                if ok:
                    return rows
                # A helper failed on it: read it here, where an error is the search's.
                return self.read(conn, self.shards[position], self.wanted())
            rows = self.read(conn, self.shards[mine], self.wanted())
            if mine == position:
                return rows
            with self._changed:
                self._done[mine] = (True, rows)

    def stop(self) -> None:
        with self._changed:
            self._stopped = True
            self._changed.notify_all()


class _Helper(threading.Thread):
    def __init__(self, work: _Work, pool: readers.ReaderPool, lane: int) -> None:
        super().__init__(name="finews-search-helper")
        self._work, self._pool, self._lane = work, pool, lane
        self._conn: sqlite3.Connection | None = None    # set while reading shards
        self._lock = threading.Lock()

    def run(self) -> None:
        conn = self._pool.lend()
        if conn is None:
            return                   # every connection is lent: the caller reads alone
        try:
            conn.execute("BEGIN")
            with self._lock:
                self._conn = conn
            self._work.help(conn, self._lane)
        except sqlite3.Error:
            pass                     # BEGIN failed: the caller reads every shard itself
        finally:
            with self._lock:
                self._conn = None
            self._pool.give_back(conn)

    def interrupt(self) -> None:
        """Stop the statement the helper is running, if it is reading a shard."""
        with self._lock:
            # Only while the helper holds the connection: once given back it
            # may be another search's.
            if self._conn is not None:
                self._conn.interrupt()


def _shared(conn: sqlite3.Connection, shards: Sequence[int], read: Read,
            wanted: Callable[[], int], pool: readers.ReaderPool) -> Iterator[tuple[int, Any]]:
    work = _Work(shards, read, wanted, HELPERS + 1)
    helpers: list[_Helper] = []
    try:
        for lane in range(1, HELPERS + 1):
            helper = _Helper(work, pool, lane)
            helper.start()
            helpers.append(helper)
    except RuntimeError:
        pass                         # no thread to be had: read with fewer helpers
    try:
        for position, shard in enumerate(shards):
            yield shard, work.rows(conn, position)
    finally:
        work.stop()
        for helper in helpers:
            # An interrupt reaches only a running statement: repeat it until
            # the helper is out of its last read.
            while helper.is_alive():
                helper.interrupt()
                helper.join(0.001)
