"""The store interface: the only shared state of finews.

The ingest side writes through ``upsert_articles``, ``quarantine`` and the
source-state methods; everything downstream (publish, search, web) only
reads. Methods speak the domain, not SQL, so a second backend (PostgreSQL)
implements the same protocol. Open one with ``store.open_store(url)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence
from zoneinfo import ZoneInfo

from ..model import (Article, Category, Headline, QuarantineRecord, StoredArticle,
                     UpsertOutcome)
from ..search.indextext import IndexEntry
from ..search.query import SearchQuery
from ..search.results import Order, SearchResults

if TYPE_CHECKING:
    from .copy import Table


@dataclass(frozen=True, slots=True)
class SourceState:
    """What the store remembers of one configured source."""

    name: str
    last_attempt: datetime | None = None
    last_success: datetime | None = None
    last_error: str | None = None
    error_count: int = 0           # consecutive failures; 0 after a success
    next_attempt: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    # accounting over the source's life
    served: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """One changed article since a sequence number."""

    article_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class QuarantineEntry:
    id: int
    source: str
    upstream_id: str | None
    code: str
    reason: str
    created: datetime


class Categories(Protocol):
    """Outlets and their slugs."""

    def category_for(self, media: str, *, slug: str | None = None,
                     tag: str | None = None) -> Category:
        """The category of ``media``, created on first use.

        Without ``slug`` the slug is the pinyin of the media name, made
        unique with a suffix; with ``slug`` (an imported site's or a preset's
        fixed slug) that slug is kept as ``original_slug`` and its URL-safe
        form is used. Once given, a media name's slug never changes.
        """

    def categories(self) -> list[Category]: ...
    def category_by_slug(self, slug: str) -> Category | None: ...


class StoryWriter(Protocol):
    """What ingest writes: stories, bad items, list items seen."""

    def upsert_articles(self, batch: Sequence[tuple[Article, bytes]], *,
                        index_entries: Sequence[IndexEntry | None] | None = None
                        ) -> UpsertOutcome:
        """Store articles with their raw payloads, in one transaction.

        Keyed by (source, upstream_id). An unchanged article (same content
        hash) writes nothing; a changed one is updated, its previous version
        kept as a revision, and gets a new change sequence. ``index_entries``,
        one per article (or None), are search-index entries segmented ahead
        of time (``search.indextext.make_entry``); an entry made from other text
        is ignored.
        """

    def quarantine(self, record: QuarantineRecord) -> None: ...

    def seen_item_hashes(self, source: str, upstream_ids: Sequence[str]) -> dict[str, str]:
        """What each list item looked like when it was last stored whole."""

    def mark_items_seen(self, source: str, hashes: dict[str, str]) -> None: ...


class ArchiveReader(Protocol):
    """What publishing and the web read."""

    def article(self, article_id: int) -> StoredArticle | None: ...
    def article_by_key(self, source: str, upstream_id: str) -> StoredArticle | None: ...
    def articles(self, ids: Sequence[int]) -> list[StoredArticle]: ...
    def iter_articles(self, batch: int = 500, *, after: int = 0,
                      upto: int | None = None) -> Iterator[StoredArticle]:
        """Articles with ``after < id <= upto``, streamed in id order; never the
        whole archive at once."""

    def article_id_bounds(self) -> tuple[int, int]:
        """The smallest and largest article id (0, 0 when empty)."""

    def raw_payload(self, article_id: int) -> bytes | None: ...
    def revision_count(self, article_id: int) -> int: ...
    def count_articles(self) -> int: ...

    def changes_since(self, seq: int) -> tuple[list[Change], int]:
        """Articles changed after ``seq``, and the newest sequence now."""

    def earlier_times(self, article_ids: Sequence[int]) -> list[tuple[int, int, datetime]]:
        """(article id, category id, published) of every earlier version of
        these articles whose time differs from the article's now: where a
        re-dated story used to be listed."""

    def newest(self, limit: int) -> list[Headline]: ...
    def category_newest(self, category_id: int, limit: int) -> list[Headline]: ...
    def category_count(self, category_id: int) -> int: ...
    def category_rank(self, category_id: int, published: datetime, article_id: int) -> int:
        """How many stories of the category sort before this one (oldest first)."""

    def category_walk(self, category_id: int, offset: int = 0) -> Iterator[Headline]:
        """Stories of a category oldest first by (published, id), from the
        ``offset``-th on, read as the caller goes."""

    def day_headlines(self, day: date) -> list[Headline]:
        """Stories whose local (site time zone) date is ``day``, newest first."""

    def days(self) -> list[tuple[date, int]]:
        """Every local date with stories, newest first, with counts."""

    def list_quarantine(self, limit: int = 100) -> list[QuarantineEntry]: ...
    def count_quarantine(self) -> int: ...


class Searcher(Protocol):
    """Full-text search and its index."""

    def search(self, query: SearchQuery, *, limit: int = 20, offset: int = 0,
               order: Order = "relevance", now: float | None = None) -> SearchResults:
        """One page of full-text results; QueryError for a query that cannot run.

        ``now`` (Unix seconds) is the time recency is measured from (tests)."""

    def reindex(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Rebuild the search index from the stored stories; how many were indexed."""


class SourceLedger(Protocol):
    """What the poller remembers of each source."""

    def source_state(self, name: str) -> SourceState: ...
    def record_source_success(self, name: str, *, at: datetime, next_attempt: datetime,
                              etag: str | None = None, last_modified: str | None = None,
                              served: int = 0, outcome: UpsertOutcome | None = None,
                              quarantined: int = 0) -> None: ...
    def record_source_error(self, name: str, error: str, *, at: datetime,
                            next_attempt: datetime) -> None: ...


class StateStore(Protocol):
    """Small key/value state (the publisher's watermark…)."""

    def get_state(self, key: str) -> str | None: ...
    def set_state(self, key: str, value: str) -> None: ...


class Copier(Protocol):
    """Row-for-row access for ``store.copy`` (tables as ``copy.TABLES``)."""

    def copy_count(self, table: Table) -> int: ...
    def copy_last_key(self, table: Table) -> tuple | None:
        """The greatest key the table holds: where a resumed copy goes on."""

    def copy_read(self, table: Table, after: tuple | None, limit: int) -> list[tuple]:
        """Up to ``limit`` rows (all columns) with keys after ``after``, in key order."""

    def copy_write(self, table: Table, rows: list[tuple]) -> None:
        """Store these rows as they are, in one transaction."""

    def copy_finish(self) -> None:
        """After copying: new ids and change numbers follow the copied ones."""


class Store(Categories, StoryWriter, ArchiveReader, Searcher, SourceLedger, StateStore,
            Copier, Protocol):
    """A whole store: every role, and its life cycle. Open one with ``open_store``."""

    #: The URL that opens this store again, e.g. in a worker process.
    url: str
    tz: ZoneInfo

    def close(self) -> None: ...
    def __enter__(self) -> "Store": ...
    def __exit__(self, *exc: object) -> None: ...
