"""``build_site``: publish what changed in the store since the last build.

The store numbers every change; the last published number is kept in the
store itself (``publish.seq``). A build asks for the changes after it and
renders only the pages that show them: the changed stories, their
categories' front pages and the numbered pages from the first one they
land on, their days, home, the feeds concerned, ``latest.json`` and the
sitemap. A full build is the same work for everything, with stories
streamed from the store in batches so the archive never sits in memory.
"""

from __future__ import annotations

import hashlib
import time
from itertools import islice
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..config import SiteSettings
from ..cluster.shown import PEERS_SHOWN
from ..model import StoredAlias, StoredArticle
from ..store.base import Store
from .listings import ListingWriter
from .pages import Pages
from .parallel import BuildPool, can_split, default_workers
from .render import STATIC, TEMPLATES, render, static_files
from .writer import SiteWriter

#: progress(stage, done, total): called while a build runs.
Progress = Callable[[str, int, int], None]

SEQ_KEY = "publish.seq"
FINGERPRINT_KEY = "publish.fingerprint"
BATCH = 500


@dataclass(frozen=True, slots=True)
class BuildReport:
    written: int          # files whose bytes changed on disk
    unchanged: int        # files rendered but already identical
    elapsed: float        # seconds
    seq: int              # the store's change sequence now published
    full: bool
    stories: int = 0      # story pages rendered
    skipped: tuple[str, ...] = field(default=())  # pages refused, with the reason


def unpublished(store: Store) -> bool:
    """Whether the store holds changes the last build did not publish."""
    raw_mark = store.get_state(SEQ_KEY)
    if not (raw_mark and raw_mark.isdigit()):
        return True
    _, top = store.changes_since(2 ** 62)
    return top > int(raw_mark)


def build_site(store: Store, out: Path, site: SiteSettings, *, full: bool = False,
               progress: Progress | None = None,
               search_action: str | None = None,
               workers: int | None = None) -> BuildReport:
    """Bring the site in ``out`` up to date with ``store``.

    A full build of a large archive renders story pages in ``workers``
    processes (default: one per core, see ``parallel.default_workers``).
    """
    started = time.monotonic()
    out = Path(out)
    # Into a missing or empty folder, the site appears whole when it is done.
    writer = SiteWriter(out, stage=True)
    try:
        report = _build(store, writer, site, full, progress, search_action, workers)
    except Exception:
        writer.abandon()
        raise
    return replace(report, elapsed=time.monotonic() - started)


def _build(store: Store, writer: SiteWriter, site: SiteSettings, full: bool,
           progress: Progress | None, search_action: str | None,
           workers: int | None) -> BuildReport:
    fingerprint = _fingerprint(site, search_action)
    # Reads in one snapshot: with other processes storing stories meanwhile,
    # a listing must not show a story committed after the changes were read
    # (its page would not be written until the next build).
    with store.snapshot():
        report, listings = _render(store, writer, site, full, progress, search_action,
                                   workers, fingerprint)
    # Published before the state says so: a build that fails here is redone.
    listings.save_state()
    store.set_state(SEQ_KEY, str(report.seq))
    store.set_state(FINGERPRINT_KEY, fingerprint)
    return report


def _render(store: Store, writer: SiteWriter, site: SiteSettings, full: bool,
            progress: Progress | None, search_action: str | None, workers: int | None,
            fingerprint: str) -> tuple[BuildReport, ListingWriter]:
    out = writer.root
    pages = Pages(site, search_action)
    raw_mark = store.get_state(SEQ_KEY)
    mark = int(raw_mark) if raw_mark and raw_mark.isdigit() else None
    full = (full or mark is None or not (out / "index.html").is_file()
            or store.get_state(FINGERPRINT_KEY) != fingerprint)
    listings = ListingWriter(store, writer, pages, progress)
    extra = (0, 0)   # pages written and left alone by worker processes
    if full:
        _, top = store.changes_since(2 ** 62)   # the newest sequence, read first
        total = store.count_articles()
        workers = default_workers() if workers is None else workers
        if can_split(store, total, workers):
            pool = BuildPool(store, writer.output, pages, writer.fresh, workers,
                             store.categories(), direct=writer.direct)
            try:
                listings.write_everything(categories_elsewhere=True)
                _write_common(writer, pages, listings, top, wrote_any=True)
            except BaseException:
                pool.cancel()
                raise
            done = pool.finish(progress, total)
            listings.absorb(done.page_counts, done.skipped)
            stories, extra = done.stories, (done.written, done.unchanged)
        else:
            stories = _write_stories(store.iter_articles(BATCH), writer, pages, listings,
                                     total, progress)
            listings.write_everything()
            _write_common(writer, pages, listings, top, wrote_any=True)
        _write_twin_redirects(store, writer, pages, store.iter_aliases(BATCH))
    else:
        changes, _ = store.changes_since(mark)
        # The watermark is the newest change actually rendered, so a story
        # committed while this build runs is picked up by the next one.
        top = max((c.seq for c in changes), default=mark)
        ids = [c.article_id for c in changes]
        stories = _write_stories(_stream(store, ids), writer, pages, listings, len(changes),
                                 progress)
        # A story updated with another time must also leave the day and
        # category pages that listed it at its old time.
        for article_id, category_id, published in store.earlier_times(ids):
            listings.note_earlier(article_id, category_id, published)
        for article_id, market, code in store.earlier_stocks(ids):
            listings.note_earlier_stock(article_id, market, code)
        if stories:
            listings.write_affected()
        _write_twin_redirects(store, writer, pages, iter(store.aliases(ids)))
        _write_common(writer, pages, listings, top, wrote_any=stories > 0)
    writer.finish()
    return BuildReport(written=writer.written + extra[0], unchanged=writer.unchanged + extra[1],
                       elapsed=0.0, seq=top, full=full, stories=stories,
                       skipped=tuple(listings.skipped)), listings


def _stream(store: Store, ids: list[int]) -> Iterator[StoredArticle]:
    for start in range(0, len(ids), BATCH):
        yield from store.articles(ids[start:start + BATCH])


def _write_stories(stories: Iterable[StoredArticle], writer: SiteWriter, pages: Pages,
                   listings: ListingWriter, total: int, progress: Progress | None) -> int:
    done = 0
    for batch in batched(stories, BATCH):
        for stored in story_pages(listings.store, batch, writer, pages):
            listings.note(stored)
        done += len(batch)
        if progress:
            progress("stories", done, total)
    if progress and not done:
        progress("stories", 0, total)
    return done


def _write_twin_redirects(store: Store, writer: SiteWriter, pages: Pages,
                          aliases: Iterator[StoredAlias]) -> None:
    """Keep the address each twin had on its own list (see ``finews.twins``)."""
    while True:
        batch = [a for a in islice(aliases, BATCH) if a.path]
        if not batch:
            return
        stories = {s.id: s for s in store.articles(sorted({a.article_id for a in batch}))}
        for alias in batch:
            stored = stories.get(alias.article_id)
            if stored is not None:
                writer.write(alias.path, render(pages.story_redirect(alias.path, stored)))


def story_pages(store: Store, batch: list[StoredArticle], writer: SiteWriter,
                pages: Pages) -> list[StoredArticle]:
    """Write the pages of a batch of stories, with their clusters (one read a batch)."""
    peers = store.cluster_peers([s.id for s in batch], PEERS_SHOWN + 1)
    for stored in batch:
        writer.write(stored.path, render(pages.story(stored, peers.get(stored.id))))
    return batch


def batched(items: Iterable[StoredArticle], size: int) -> Iterator[list[StoredArticle]]:
    batch: list[StoredArticle] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_common(writer: SiteWriter, pages: Pages, listings: ListingWriter, seq: int,
                  wrote_any: bool) -> None:
    """Pages every build checks: assets and the 404 page (cheap, usually unchanged)."""
    for rel, data in static_files():
        writer.write(rel, data)
    writer.write("404.html", render(pages.not_found()))
    if wrote_any:
        listings.write_site_wide(seq)


def _fingerprint(site: SiteSettings, search_action: str | None) -> str:
    """Changes when settings or templates change, which makes the next build full."""
    digest = hashlib.sha256(repr((site, search_action)).encode())
    for folder in (TEMPLATES, STATIC):
        for path in sorted(folder.iterdir()):
            if path.is_file():
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]

