"""Searches answered in worker processes (``serve.search_workers``).

A search is half SQLite (which lets go of the interpreter lock) and half
Python: ranking, snippets, the JSON answer. In the server's own threads that
Python half waits for the lock behind every page and API answer in flight,
so under load a 7 ms search took 50 ms (BENCHMARKS.md, Load). Each worker
here is a process with its own interpreter and its own store, opened once
and kept warm, so searches run on the other cores and the server's loop only
passes the query string over and the answer back.

Workers are started with ``spawn``: the server has threads by then, and
forking a process with threads is not safe. What crosses to the parent is
plain data: the answer, or a query error's message, or a store failure
already classified (a driver's exception does not keep its chain across a
process boundary).
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from dataclasses import replace
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Mapping

from ..config import Settings
from ..errors import QueryError
from ..store.failures import StoreFailedElsewhere, is_store_error, store_failure

log = logging.getLogger(__name__)

# --- in the worker -------------------------------------------------------------------

_settings: Settings | None = None
_store = None


def _start(settings: Settings) -> None:
    global _settings
    # Ctrl-C reaches the whole process group: the server stops its workers
    # in order, so a worker must not die of it mid-answer.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _settings = settings


def _open() -> None:
    """The worker's store, opened once and kept (reopened after a failure)."""
    global _store
    from ..building import store_for
    if _store is None and _settings is not None:
        _store = store_for(_settings, readonly=True)


def _warm() -> None:
    """Open the worker's store before the first search needs it."""
    try:
        _open()
    except Exception as exc:   # the first search reports it
        log.warning("a search worker could not open the store: %s", exc)


def _answer(params: dict[str, str]) -> tuple:
    """("ok", payload) | ("query", message) | ("store", message, failure)."""
    global _store
    from .search import search_payload
    assert _settings is not None
    try:
        _open()
        return ("ok", search_payload(_store, params, _settings.site))
    except QueryError as exc:
        return ("query", exc.message)
    except Exception as exc:
        if not is_store_error(exc):
            raise
        # Opened afresh for the next search: the file may have been
        # replaced, the server restarted.
        if _store is not None:
            try:
                _store.close()
            finally:
                _store = None
        return ("store", str(exc), store_failure(exc))


# --- in the server -------------------------------------------------------------------

class SearchPool:
    """``workers`` processes answering :func:`finews.web.search.search_payload`."""

    def __init__(self, settings: Settings, workers: int) -> None:
        if workers < 1:
            raise ValueError("a search pool needs at least one worker")
        # What a worker needs (the store, the site's settings); the sources
        # table can be long and is no business of a search.
        self._settings = replace(settings, sources=())
        self._workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self._workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_start, initargs=(self._settings,))
        # Workers start as tasks arrive: one task each starts them all now,
        # so the first searches do not wait for an interpreter to start.
        for _ in range(self._workers):
            pool.submit(_warm)
        return pool

    def search(self, params: Mapping[str, str]) -> dict:
        """The search's answer (blocking: called from a server thread).

        Raises QueryError for a bad query and StoreFailedElsewhere when the
        worker's store failed. A worker that died (killed, out of memory)
        breaks the pool: it is replaced once and the search asked again.
        """
        for attempt in (1, 2):
            pool = self._pool
            try:
                outcome = pool.submit(_answer, dict(params)).result()
                break
            except BrokenProcessPool:
                if attempt == 2:
                    raise StoreFailedElsewhere("the search workers keep stopping") from None
                log.warning("a search worker stopped; starting new ones")
                with self._lock:
                    if self._pool is pool:
                        self._pool = self._new_pool()
                        pool.shutdown(wait=False, cancel_futures=True)
        kind = outcome[0]
        if kind == "ok":
            return outcome[1]
        if kind == "query":
            raise QueryError(outcome[1])
        raise StoreFailedElsewhere(outcome[1], outcome[2])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
