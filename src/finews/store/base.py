"""The store interface: the only shared state of finews.

The ingest side writes through ``upsert_articles``, ``quarantine`` and the
source-state methods; everything downstream (publish, search, web) only
reads. Methods speak the domain, not SQL, so a second backend (PostgreSQL)
implements the same protocol. Open one with ``store.open_store(url)``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Iterator, Protocol, Sequence
from zoneinfo import ZoneInfo

from ..model import (Article, Category, Headline, QuarantineRecord, StoredAlias,
                     StoredArticle, UpsertOutcome)
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
    #: The fetch worker polling it now, and until when its lease holds.
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Change:
    """One changed article since a sequence number."""

    article_id: int
    seq: int


@dataclass(frozen=True, slots=True)
class StockSummary:
    """A security some stories mention: its key, a display name and how many."""

    market: str      # East Money's market id: "1" Shanghai, "0" Shenzhen, "116"…
    code: str        # "600160", "BK0493"
    name: str        # the greatest name any mention gave it ("" when none did)
    count: int       # stories that mention it


@dataclass(frozen=True, slots=True)
class ClusterCandidate:
    """A clustered story that shares an LSH key with the one being clustered."""

    article_id: int
    cluster_id: int
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class ClusterEntry:
    """A story put into a cluster, as ``add_to_clusters`` records it."""

    article_id: int
    cluster_id: int
    published: datetime
    keys: tuple[int, ...]          # its LSH band keys
    fingerprint: bytes             # opaque to the store
    touch: tuple[int, ...] = ()    # stories whose pages list it


@dataclass(frozen=True, slots=True)
class ClusterSummary:
    """A cluster of near-duplicate stories: its lead (earliest) story and size."""

    cluster_id: int
    size: int                 # stories in the cluster
    lead: Headline            # the earliest published (then smallest id)
    newest: datetime          # its newest story's time


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

        An article that is the twin of a stored one (another list's copy:
        same canonical URL or content) is not stored again: its key becomes
        an alias of the story, with its own fields and payload kept (see
        ``aliases``) and the address its own list would have given it
        (``StoredAlias.path``: reserved, no story is given it later), and the
        story gets a new change sequence (it has one more address). It counts as unchanged, and its story's id is in
        ``article_ids``. A changed copy updates the story's content (title,
        body, time), never its own list's fields, category or payload.
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

    def aliases(self, article_ids: Sequence[int]) -> list[StoredAlias]:
        """The twins of these stories whose copy was kept, ordered by story id,
        then source and upstream id."""

    def iter_aliases(self, batch: int = 500, *, after: int = 0,
                     upto: int | None = None) -> Iterator[StoredAlias]:
        """Every twin whose copy was kept, of stories with ``after < id <=
        upto``, streamed in the order of ``aliases``."""

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

    # --- stocks (from ``Article.stocks``) -------------------------------------
    def stocks(self) -> list[StockSummary]:
        """Every stock some story mentions, ordered by (market, code)."""

    def stock(self, market: str, code: str) -> StockSummary | None:
        """One stock, or None when no story mentions it."""

    def stock_newest(self, market: str, code: str, limit: int,
                     offset: int = 0) -> list[Headline]:
        """Stories mentioning the stock, newest first by (published, id)."""

    def stock_rank(self, market: str, code: str, published: datetime,
                   article_id: int) -> int:
        """How many stories of the stock sort before this one (oldest first)."""

    def stock_walk(self, market: str, code: str, offset: int = 0) -> Iterator[Headline]:
        """Stories mentioning the stock oldest first by (published, id), from
        the ``offset``-th on, read as the caller goes."""

    def earlier_stocks(self, article_ids: Sequence[int]) -> list[tuple[int, str, str]]:
        """(article id, market, code) of each stock an earlier version of these
        articles mentioned: where a story used to be listed."""

    # --- story clusters (logic in finews.cluster; fingerprints are opaque) -----
    def cluster_key_hits(self, keys: Sequence[int], per_key: int) -> dict[int, list[int]]:
        """For each LSH key, the ids of at most ``per_key`` clustered stories
        having it, the highest ids first (keys no story has are left out)."""

    def cluster_fingerprints(self, article_ids: Sequence[int], *, since: datetime,
                             until: datetime) -> list[ClusterCandidate]:
        """The cluster and fingerprint of each of these clustered stories
        published in [since, until], in id order."""

    def add_to_clusters(self, entries: Sequence[ClusterEntry]) -> int:
        """Record stories' clusters, fingerprints and keys in one transaction;
        each entry's ``touch`` stories get a new change sequence (their pages
        change with it, so the next build renders them). A story clustered
        already is left as it is; how many were recorded."""

    def cluster_members(self, cluster_id: int, limit: int | None = None) -> list[Headline]:
        """A cluster's stories, earliest first by (published, id)."""

    def cluster_peers(self, article_ids: Sequence[int],
                      limit: int) -> dict[int, tuple[int, list[Headline]]]:
        """For each of these stories in a cluster of two or more: (the
        cluster's size, its first ``limit`` stories earliest first)."""

    def clusters_of(self, article_ids: Sequence[int]) -> dict[int, int]:
        """The cluster id of each of these stories that is clustered."""

    def largest_clusters(self, since: datetime, limit: int, *,
                         min_size: int = 2) -> list[ClusterSummary]:
        """Clusters with a story published at or after ``since`` and at least
        ``min_size`` stories, the largest first (then the newest, then id)."""

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
    # Recording a success or an error also ends the source's lease.

    def register_sources(self, names: Sequence[str]) -> None:
        """Make sure each configured source has its row (leases take rows),
        with its place in ``names`` (the configuration's order)."""

    def lease_sources(self, names: Sequence[str], *, worker: str, now: datetime,
                      until: datetime, limit: int) -> list[str]:
        """Claim up to ``limit`` of ``names`` that are due at ``now`` and not
        leased by another worker (or whose lease has run out) for ``worker``
        until ``until``; the names claimed, the longest waiting first. Two
        workers calling at once never get the same source (on PostgreSQL the
        rows are locked ``FOR UPDATE SKIP LOCKED``). Sources due at the same
        time are taken in their registered order."""

    def renew_lease(self, name: str, *, worker: str, until: datetime) -> bool:
        """Extend ``worker``'s lease on ``name`` to ``until``; False when it
        no longer holds it (it ran out and another worker took the source)."""

    def release_sources(self, worker: str) -> int:
        """End every lease ``worker`` holds (it stops); how many it held."""


class Snapshots(Protocol):
    def snapshot(self) -> AbstractContextManager[None]:
        """Every read inside sees the store at one moment, whatever other
        writers commit meanwhile (a build lists exactly the stories whose
        pages it writes). No writes inside: make them after it."""


class Turns(Protocol):
    def clustering_turn(self, *, wait: bool) -> AbstractContextManager[bool]:
        """Whether this process may cluster new stories now (True inside),
        while no other does: several fetch workers clustering the same
        stories would each do all the work. ``wait`` waits for the turn;
        otherwise a turn held elsewhere gives False at once (that process
        clusters this one's stories too, in id order)."""


class StateStore(Protocol):
    """Small key/value state (the publisher's watermark…)."""

    def get_state(self, key: str) -> str | None: ...
    def set_state(self, key: str, value: str) -> None: ...


class Copier(Protocol):
    """Row-for-row access for ``store.copy`` (tables as ``copy.TABLES``)."""

    def copy_count(self, table: Table) -> int: ...
    def copy_last_key(self, table: Table) -> tuple | None:
        """The greatest key the table holds: where a resumed copy goes on."""

    def copy_count_upto(self, table: Table, key: tuple) -> int:
        """Rows with keys up to ``key``, inclusive."""

    def copy_row(self, table: Table, key: tuple) -> tuple | None:
        """The row with this key (all columns)."""

    def copy_read(self, table: Table, after: tuple | None, limit: int) -> list[tuple]:
        """Up to ``limit`` rows (all columns) with keys after ``after``, in key order."""

    def copy_write(self, table: Table, rows: list[tuple]) -> None:
        """Store these rows as they are, in one transaction."""

    def copy_finish(self) -> None:
        """After copying: new ids and change numbers follow the copied ones."""


class Store(Categories, StoryWriter, ArchiveReader, Searcher, SourceLedger, Snapshots,
            Turns, StateStore, Copier, Protocol):
    """A whole store: every role, and its life cycle. Open one with ``open_store``."""

    #: The URL that opens this store again, e.g. in a worker process.
    url: str
    tz: ZoneInfo

    def close(self) -> None: ...
    def __enter__(self) -> "Store": ...
    def __exit__(self, *exc: object) -> None: ...
