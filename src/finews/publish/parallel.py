"""Story pages of a full build, rendered by worker processes.

A full build renders one page per story; that is most of its work, and each
page depends on its own row only, so the pages are spread over the
machine's cores while the parent renders the listings. Each worker opens
the store read-only and writes the pages of one id range at a time. Story
paths (``slug/yyyy/mm/dd/id.html``) never coincide with a listing's, so the
processes never write the same file.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..store.base import Store
from ..workers import can_fork, default_workers
from .pages import Pages
from .render import render
from .writer import SiteWriter

#: Story ids per task: enough to amortise a task, small enough to balance.
CHUNK = 2000
#: Below this many stories, starting processes costs more than it saves.
MIN_STORIES = 5000
BATCH = 500


@dataclass(frozen=True, slots=True)
class _Job:
    db: Path
    out: Path
    fresh: bool
    pages: Pages


_job: _Job | None = None


def can_split(store: Store, total: int, workers: int) -> bool:
    """Whether this store and size are worth (and allow) worker processes."""
    # Workers are forked (spawned ones would re-run the caller's main module),
    # and forking is only safe while this is the process's only thread: a
    # build inside a busy process (``finews run``) renders in its own thread.
    return (workers > 1 and total >= MIN_STORIES and hasattr(store, "article_id_bounds")
            and isinstance(getattr(store, "path", None), Path)
            and can_fork())


class StoryPool:
    """Submits id ranges to workers; ``finish`` waits and returns the counts."""

    def __init__(self, store, out: Path, pages: Pages, fresh: bool, workers: int) -> None:
        lo, hi = store.article_id_bounds()
        job = _Job(Path(store.path), Path(out), fresh, pages)
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(workers, mp_context=context,
                                         initializer=_start, initargs=(job,))
        self._futures: list[Future] = [
            self._pool.submit(_write_range, start, min(start + CHUNK, hi))
            for start in range(lo - 1, hi, CHUNK)]

    def finish(self, progress: Callable[[str, int, int], None] | None,
               total: int) -> tuple[int, int, int]:
        """(stories, written, unchanged) once every range is done."""
        stories = written = unchanged = 0
        try:
            for future in self._futures:
                n, w, u = future.result()
                stories, written, unchanged = stories + n, written + w, unchanged + u
                if progress:
                    progress("stories", stories, total)
        finally:
            self._pool.shutdown(cancel_futures=True)
        return stories, written, unchanged


    def cancel(self) -> None:
        """Stop handing out ranges and wait for the ones running (on an error)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start(job: _Job) -> None:
    global _job
    _job = job


def _write_range(after: int, upto: int) -> tuple[int, int, int]:
    from ..store.sqlite import SQLiteStore

    job = _job
    assert job is not None
    writer = SiteWriter(job.out, fresh=job.fresh)
    done = 0
    with SQLiteStore.open(job.db, job.pages.site.tz, readonly=True) as store:
        for stored in store.iter_articles(BATCH, after=after, upto=upto):
            writer.write(stored.path, render(job.pages.story(stored)))
            done += 1
    return done, writer.written, writer.unchanged
