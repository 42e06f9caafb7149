"""Reading post files in worker processes, in order.

Parsing and sanitising a post costs about as much as storing it, and each
file is independent, so a large import reads its files in forked workers
while the importing process stores what they return, in the same order a
single process would. Small imports, and imports inside a process that
runs other threads (where forking is unsafe), read in process.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Callable, Iterator, Sequence, TypeVar

from ..workers import can_fork, default_workers

__all__ = ["default_workers", "ordered_map"]

T = TypeVar("T")
R = TypeVar("R")

#: Files per task sent to a worker.
CHUNK = 64
#: Chunks in flight per worker.
WINDOW = 2
#: Fewer files than this are read in process.
MIN_FILES = 1000


def ordered_map(fn: Callable[[T], R], items: Sequence[T], workers: int | None = None,
                prepare: Callable[[Sequence[T]], None] | None = None) -> Iterator[R]:
    """``map(fn, items)``, spread over worker processes when that pays.

    ``prepare`` is called with each chunk of items before ``fn`` runs on
    them, in the process that runs ``fn`` (to start reading their files, say).
    """
    workers = default_workers() if workers is None else workers
    if workers < 2 or len(items) < MIN_FILES or not can_fork():
        for start in range(0, len(items), CHUNK):
            yield from _chunk(fn, items[start:start + CHUNK], prepare)
        return
    # fn must be a module-level function (it is pickled by name). At most
    # WINDOW chunks are in flight, so when storing is the slower half the
    # parsed posts wait in the workers' queue, not in this process's memory.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future] = deque()
        for start in range(0, len(items), CHUNK):
            pending.append(pool.submit(_chunk, fn, items[start:start + CHUNK], prepare))
            if len(pending) >= WINDOW * workers:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def _chunk(fn: Callable[[T], R], items: Sequence[T],
           prepare: Callable[[Sequence[T]], None] | None = None) -> list[R]:
    if prepare is not None:
        prepare(items)
    return [fn(item) for item in items]
