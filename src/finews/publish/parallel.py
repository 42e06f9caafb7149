"""Story and category pages of a full build, rendered by worker processes.

A full build renders one page per story and a few per category; that is
most of its work, and each story page depends on its own row only and each
category's pages on that category's rows only, so both are spread over the
machine's cores while the parent writes the rest (day pages, redirects,
home, feeds, sitemaps). Each worker opens the store read-only and writes
one batch of categories or one id range of stories at a time, categories
first (fewer, uneven tasks) so the run ends on small, even story ranges.
Story paths (``slug/yyyy/mm/dd/id.html``), category paths
(``category/slug…``) and the parent's paths never coincide, so the
processes never write the same file.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..model import Category
from ..store.base import Store
from ..workers import can_fork, default_workers
from .listings import ListingWriter
from .pages import Pages
from .writer import SiteWriter

#: Story ids per task: enough to amortise a task, small enough to balance.
CHUNK = 2000
#: Categories per task.
CATEGORY_CHUNK = 50
#: Below this many stories, starting processes costs more than it saves
#: (forked workers share the parent's imports: ~30 ms each to start).
MIN_STORIES = 500
BATCH = 500


@dataclass(frozen=True, slots=True)
class _Job:
    store: str               # the store's URL: each worker opens its own
    out: Path
    fresh: bool
    pages: Pages
    direct: bool = False     # out is a staged build's folder: write files straight in


_job: _Job | None = None


def can_split(store: Store, total: int, workers: int) -> bool:
    """Whether this store and size are worth (and allow) worker processes."""
    # Workers are forked (spawned ones would re-run the caller's main module),
    # and forking is only safe while this is the process's only thread: a
    # build inside a busy process (``finews run``) renders in its own thread.
    return (workers > 1 and total >= MIN_STORIES and hasattr(store, "article_id_bounds")
            and isinstance(getattr(store, "url", None), str)
            and can_fork())


@dataclass(frozen=True, slots=True)
class PoolReport:
    stories: int                  # story pages rendered
    written: int                  # files the workers changed on disk
    unchanged: int                # files they found already identical
    page_counts: dict[str, int]   # category id → numbered pages written
    skipped: list[str]            # pages refused, with the reason


class BuildPool:
    """Submits category batches and story id ranges to workers; ``finish``
    waits and returns what they did."""

    def __init__(self, store, out: Path, pages: Pages, fresh: bool, workers: int,
                 categories: list[Category], direct: bool = False) -> None:
        lo, hi = store.article_id_bounds()
        job = _Job(store.url, Path(out), fresh, pages, direct)
        context = multiprocessing.get_context("fork")
        self._pool = ProcessPoolExecutor(workers, mp_context=context,
                                         initializer=_start, initargs=(job,))
        self._categories = len(categories)
        self._category_futures: list[Future] = [
            self._pool.submit(_write_categories, categories[i:i + CATEGORY_CHUNK])
            for i in range(0, len(categories), CATEGORY_CHUNK)]
        # A small build is cut in two ranges a worker, so both cores have
        # work to the end; a large one in CHUNK-sized ranges.
        span = max(0, hi - lo + 1)
        chunk = min(CHUNK, max(1, -(-span // (2 * workers))))
        self._story_futures: list[Future] = [
            self._pool.submit(_write_range, start, min(start + chunk, hi))
            for start in range(lo - 1, hi, chunk)]

    def finish(self, progress: Callable[[str, int, int], None] | None,
               total: int) -> PoolReport:
        """What the workers did, once every task is done."""
        stories = written = unchanged = done = 0
        page_counts: dict[str, int] = {}
        skipped: list[str] = []
        try:
            for future in self._category_futures:
                n, w, u, counts, refused = future.result()
                done, written, unchanged = done + n, written + w, unchanged + u
                page_counts.update(counts)
                skipped.extend(refused)
                if progress:
                    progress("categories", done, self._categories)
            for future in self._story_futures:
                n, w, u = future.result()
                stories, written, unchanged = stories + n, written + w, unchanged + u
                if progress:
                    progress("stories", stories, total)
        finally:
            self._pool.shutdown(cancel_futures=True)
        return PoolReport(stories, written, unchanged, page_counts, skipped)

    def cancel(self) -> None:
        """Stop handing out tasks and wait for the ones running (on an error)."""
        self._pool.shutdown(wait=True, cancel_futures=True)


def _start(job: _Job) -> None:
    global _job
    _job = job


def _write_range(after: int, upto: int) -> tuple[int, int, int]:
    from ..store import open_store

    job = _job
    assert job is not None
    writer = SiteWriter(job.out, fresh=job.fresh, direct=job.direct)
    done = 0
    from .site import batched, story_pages
    with open_store(job.store, job.pages.site.tz, readonly=True) as store:
        for batch in batched(store.iter_articles(BATCH, after=after, upto=upto), BATCH):
            done += len(story_pages(store, batch, writer, job.pages))
    return done, writer.written, writer.unchanged


def _write_categories(cats: list[Category]) -> tuple[int, int, int, dict[str, int], list[str]]:
    from ..store import open_store

    job = _job
    assert job is not None
    writer = SiteWriter(job.out, fresh=job.fresh, direct=job.direct)
    with open_store(job.store, job.pages.site.tz, readonly=True) as store:
        listings = ListingWriter(store, writer, job.pages)
        counts = listings.write_category_pages(cats)
    return len(cats), writer.written, writer.unchanged, counts, listings.skipped
