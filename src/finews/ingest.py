"""The one ingestion path: fetch a source, read it, process each item, store.

The CLI (``fetch``, ``run``, ``demo``), the scheduler and the tests all call
:func:`fetch_source` / :func:`fetch_pass`. One bad item is quarantined with
its reason and the pass goes on; one failing source is recorded with its
error and backed off, and the other sources go on. Every item a list served
ends as exactly one of: new, updated, unchanged, quarantined.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Sequence

from .cluster import RecentFingerprints, cluster_new
from .config import Settings, SourceSettings
from .errors import FetchError, FinewsError, ItemError
from .feedcheck import feed_bytes, well_formed_xml
from .fetch import Fetcher
from .fulltext import article_page
from .model import Article, QuarantineRecord, RawItem, UpsertOutcome
from .process import ProcessOptions, process_item
from .sources.feed import parse_feed
from .sources.jsonlist import parse_fulltext, parse_list
from .sources.presets import SourcePlan, plan_source
from .store.base import Store

#: A failing source waits interval × 2^(errors-1), at most this long, so it
#: is never parked forever and recovers by itself when the upstream does.
MAX_BACKOFF = timedelta(hours=1)
#: Retry-After is honoured up to this long: an upstream asking for more (a
#: huge number, a date years ahead) must not park a source for ever.
MAX_RETRY_AFTER = timedelta(hours=6)
#: Full-text requests in flight per source at once.
FULLTEXT_CONCURRENCY = 4
#: Stories of an unclustered backlog clustered per stored batch, besides the
#: batch's own (about a second's work; `finews recluster` does all at once).
CLUSTER_BACKLOG = 1000


@dataclass(slots=True)
class SourceReport:
    """What one pass over one source did."""

    source: str
    served: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    #: Items stored with their summary because their article page failed.
    fulltext_failed: int = 0
    #: (upstream id, reason) of those items.
    fulltext_errors: list[tuple[str, str]] = field(default_factory=list)
    not_modified: bool = False
    error: str | None = None
    #: What kind of error (a FetchError's kind, else the error's code).
    error_kind: str | None = None
    #: Seconds the pass over this source took (list, full texts, storing).
    elapsed: float = 0.0
    changed_ids: list[int] = field(default_factory=list)

    @property
    def accounted(self) -> int:
        return self.new + self.updated + self.unchanged + self.quarantined


@dataclass(slots=True)
class PassReport:
    sources: list[SourceReport] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(report, name) for report in self.sources)

    @property
    def changed_ids(self) -> list[int]:
        return [i for report in self.sources for i in report.changed_ids]

    def summary(self) -> str:
        failed = sum(1 for report in self.sources if report.error)
        text = (f"{len(self.sources)} sources: {self.total('served')} items served, "
                f"{self.total('new')} new, {self.total('updated')} updated, "
                f"{self.total('unchanged')} unchanged, "
                f"{self.total('quarantined')} quarantined")
        return text + (f"; {failed} failed" if failed else "")


def _item_hash(raw: RawItem) -> str:
    return hashlib.sha256(raw.payload).hexdigest()[:32]


def backoff(src: SourceSettings, errors: int, retry_after: float | None) -> timedelta:
    """How long a source that failed ``errors`` times in a row waits."""
    cap = max(MAX_BACKOFF.total_seconds(), float(src.interval))
    # Capped before it becomes a timedelta: after a few dozen failures in a
    # row interval·2ⁿ would no longer fit in one.
    doublings = min(max(0, errors - 1), 64)
    wait = timedelta(seconds=min(src.interval * 2.0 ** doublings, cap))
    if retry_after and retry_after > 0:
        asked = min(retry_after, MAX_RETRY_AFTER.total_seconds())
        wait = max(wait, timedelta(seconds=asked))
    # A little jitter keeps many failing sources from retrying in lockstep.
    return wait * (1 + random.random() * 0.1)


def _raw_payload(raw: RawItem, fulltext: str | None, body: str | None = None) -> bytes:
    """What is kept of an item as received: the list item, the full-text
    answer, and the body as the source read it (before any processing), which
    the Jekyll export writes out as the original did."""
    envelope = {"item": raw.payload.decode("utf-8", "replace")}
    if fulltext is not None:
        envelope["fulltext"] = fulltext
    received = body if body is not None else raw.body_html
    if received is not None:
        envelope["body"] = received
    return json.dumps(envelope, ensure_ascii=False).encode("utf-8")


def _options(plan: SourcePlan, settings: Settings, now: datetime) -> ProcessOptions:
    return ProcessOptions(tz=settings.site.tz, category_slug=plan.category,
                          media=plan.media, tag=plan.tag, shape=plan.shape, now=now)


@dataclass(frozen=True, slots=True)
class _FullText:
    """An item's full text as this pass got it."""

    body: str | None = None      # the body to process with, None: the item's own
    answer: str | None = None    # what to keep in the raw payload
    whole: bool = True           # False: try again next pass (the item is partial)
    error: str | None = None     # why a page's text could not be had


async def _fulltext(fetcher: Fetcher, src: SourceSettings, plan: SourcePlan, raw: RawItem,
                    limit: asyncio.Semaphore) -> _FullText:
    """The item's full text: from its article page, its full-text API, or itself.

    A failed full-text request is not fatal: the item is stored from its list
    data now. A passing failure is tried again next pass (its list hash is not
    recorded); a page that is refused or has no article is not, and the
    reason stays with the stored story.
    """
    if src.fulltext == "page":
        async with limit:
            page = await article_page(fetcher, src, raw, plan.headers)
        return _FullText(body=page.body, answer=page.body, whole=not page.retry,
                         error=page.error)
    if raw.body_html is not None or not raw.fulltext_url:
        return _FullText()
    async with limit:
        try:
            result = await fetcher.get(raw.fulltext_url, headers=plan.headers,
                                       allow_private=src.allow_private)
            body = parse_fulltext(result.body, result.charset, plan.mapping)
        except FinewsError:
            return _FullText(whole=False)
    return _FullText(body=body, answer=result.body.decode(result.charset or "utf-8",
                                                          "replace"))


def _partial(article: Article, why: str) -> Article:
    """Mark a copy that is not the whole story, so the store can still find its twin."""
    return replace(article, extra={**article.extra, "partial": why})


def _prepared(raw: RawItem, body: str | None, src: SourceSettings) -> RawItem:
    """The item with its fetched body and the source's own tags."""
    if body is not None:
        raw = replace(raw, body_html=body)
    if src.tags:
        raw = replace(raw, tags=(*raw.tags, *src.tags))
    return raw


def _quarantine(store: Store, source: str, error: FinewsError, upstream_id: str | None,
                payload: bytes) -> None:
    store.quarantine(QuarantineRecord(source=source, reason=str(error), code=error.code,
                                      upstream_id=upstream_id, payload=payload))


async def fetch_source(src: SourceSettings, settings: Settings, store: Store,
                       fetcher: Fetcher, *, now: datetime | None = None,
                       recent: RecentFingerprints | None = None) -> SourceReport:
    """One pass over one source. Never raises for upstream trouble. ``recent``:
    the fingerprints this process clustered lately (see ``finews.cluster``)."""
    now = now or datetime.now(timezone.utc)
    report = SourceReport(src.name)
    state = store.source_state(src.name)
    try:
        plan = plan_source(src)
        answer = await fetcher.get(src.url, headers=plan.headers, etag=state.etag,
                                   last_modified=state.last_modified,
                                   allow_private=src.allow_private)
        if answer.not_modified:
            report.not_modified = True
            store.record_source_success(src.name, at=now,
                                        next_attempt=now + timedelta(seconds=src.interval))
            return report
        if plan.mapping is None:
            body = feed_bytes(answer.body, answer.charset)
            listing = parse_feed(body, src.name)
        else:
            body = answer.body
            listing = parse_list(body, answer.charset, plan.mapping, src.name)
    except FinewsError as exc:
        retry_after = exc.retry_after if isinstance(exc, FetchError) else None
        wait = backoff(src, state.error_count + 1, retry_after)
        store.record_source_error(src.name, f"{exc.code}: {exc}", at=now,
                                  next_attempt=now + wait)
        report.error = str(exc)
        report.error_kind = exc.kind if isinstance(exc, FetchError) else exc.code
        return report

    for upstream_id, reason, payload in listing.rejects:
        _quarantine(store, src.name, ItemError(reason), upstream_id, payload)
    report.quarantined += len(listing.rejects)
    report.served = len(listing.items) + len(listing.rejects)

    # The validators of an answer that was not read whole (a full text that
    # failed, a feed that is not well-formed XML) are not kept: a 304 next
    # time would hide the rest of it until the list changes.
    whole = plan.mapping is not None or well_formed_xml(body)
    whole = await _store_items(listing.items, src, plan, settings, store, fetcher, report,
                               now, partial=not whole, recent=recent) and whole
    store.record_source_success(
        src.name, at=now, next_attempt=now + timedelta(seconds=src.interval),
        etag=answer.etag if whole else None,
        last_modified=answer.last_modified if whole else None, served=report.served,
        outcome=UpsertOutcome(report.new, report.updated, report.unchanged),
        quarantined=report.quarantined)
    return report


async def _store_items(items: Sequence[RawItem], src: SourceSettings, plan: SourcePlan,
                       settings: Settings,
                       store: Store, fetcher: Fetcher, report: SourceReport,
                       now: datetime, *, partial: bool = False,
                       recent: RecentFingerprints | None = None) -> bool:
    """Process and store the items; False when some full text could not be had."""
    hashes = {raw.upstream_id: _item_hash(raw) for raw in items}
    seen = store.seen_item_hashes(src.name, list(hashes))
    fresh = [raw for raw in items if seen.get(raw.upstream_id) != hashes[raw.upstream_id]]
    report.unchanged += len(items) - len(fresh)

    limit = asyncio.Semaphore(FULLTEXT_CONCURRENCY)
    texts = await asyncio.gather(*(_fulltext(fetcher, src, plan, raw, limit)
                                   for raw in fresh))
    options = _options(plan, settings, now)
    batch: list[tuple[Article, bytes]] = []
    complete: dict[str, str] = {}
    for raw, got in zip(fresh, texts):
        payload = _raw_payload(raw, got.answer, got.body)
        try:
            article = process_item(_prepared(raw, got.body, src), options=options)
        except ItemError as exc:
            _quarantine(store, src.name, exc, raw.upstream_id, payload)
            report.quarantined += 1
            continue
        if got.error:
            article = replace(article, extra={**article.extra, "fulltext_error": got.error})
            report.fulltext_failed += 1
            report.fulltext_errors.append((raw.upstream_id, got.error))
        if got.whole:
            complete[raw.upstream_id] = hashes[raw.upstream_id]
        elif not partial:
            article = _partial(article, "fulltext")
        if partial:
            article = _partial(article, "feed")
        batch.append((article, payload))
    outcome = store.upsert_articles(batch)
    # Each new story joins its cluster now, before the site is built; a
    # backlog (an imported archive) is worked off CLUSTER_BACKLOG at a time.
    # Another fetch worker clustering now takes these too, in id order.
    cluster_new(store, limit=outcome.new + CLUSTER_BACKLOG, recent=recent, wait=False)
    store.mark_items_seen(src.name, complete)
    report.new += outcome.new
    report.updated += outcome.updated
    report.unchanged += outcome.unchanged
    report.changed_ids.extend(outcome.article_ids)
    return all(got.whole for got in texts)


async def fetch_pass(settings: Settings, store: Store, fetcher: Fetcher, *,
                     sources: Sequence[SourceSettings] | None = None,
                     progress: Callable[[SourceReport], None] | None = None,
                     recent: RecentFingerprints | None = None) -> PassReport:
    """Fetch the given sources (default: all enabled) one after another.

    Sources run one at a time against the single store writer; the requests
    inside a source (full texts) run concurrently. A process fetching again and
    again passes the same ``recent`` each time (clustering then reads back
    less); without it every pass reads the store alone.
    """
    report = PassReport()
    chosen = [s for s in settings.sources if s.enabled] if sources is None else sources
    for src in chosen:
        started = time.monotonic()
        result = await fetch_source(src, settings, store, fetcher, recent=recent)
        result.elapsed = time.monotonic() - started
        report.sources.append(result)
        if progress:
            progress(result)
    return report
