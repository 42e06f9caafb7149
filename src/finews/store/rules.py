"""What a store does with a batch of stories, whatever holds them.

One implementation of the archive's rules, used by every backend:

* **keys and twins** — a story is keyed by (source, upstream id); an unknown
  key whose story is already stored under another key (same canonical URL,
  same content, or — for a copy marked partial — the same headline at the
  same second from another source) becomes an *alias* of that story
  instead of a second copy, keeping its own list's fields, payload and
  address (``twins``); a changed copy updates the story's content only;
* **revisions** — a changed story is updated in place and its previous
  version kept as a revision; an unchanged one (same content hash) writes
  nothing;
* **slugs and paths** — a category's slug is the pinyin of its media name
  (or an imported site's slug made URL-safe), made unique with ``-2``,
  ``-3``…; a story's path is ``slug/yyyy/mm/dd/id.html``, made unique the
  same way; neither ever changes once given;
* **change sequence** — every new or changed story gets a sequence number
  greater than that of any change committed before it, so a publisher that
  remembers the last number it saw misses nothing (see ``Ledger.change_seq``);
* **quarantine fingerprints** — the same bad item failing the same way is
  kept once.

A backend supplies only the SQL, through :class:`Ledger`: look-ups and
writes inside the write transaction the backend opened.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Protocol, Sequence
from zoneinfo import ZoneInfo

from ..errors import StoreError
from ..model import Article, Category, PackedPayload, QuarantineRecord, UpsertOutcome
from ..search.indextext import IndexEntry, entry_for
from ..urls import story_path
from .base import Change


def timestamp(value: datetime) -> int:
    """Unix seconds of an aware time: how every backend stores times."""
    if value.tzinfo is None:
        raise StoreError("naive datetime reached the store; times must be time-zone aware")
    return int(value.timestamp())


def day_number(value: datetime, tz: ZoneInfo) -> int:
    """The local date as YYYYMMDD: what day pages group by."""
    local = value.astimezone(tz)
    return local.year * 10000 + local.month * 100 + local.day


def packed(raw: bytes) -> bytes:
    """The payload as stored: zlib, unless a worker packed it already."""
    return raw if isinstance(raw, PackedPayload) else PackedPayload.pack(raw)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One story's columns as every backend stores them."""

    source: str
    upstream_id: str
    category_id: int
    path: str
    title: str
    digest: str
    body_html: str
    published: int            # Unix seconds, UTC
    day: int                  # local date, YYYYMMDD
    media: str
    url: str | None
    tags: str                 # JSON array
    stocks: str               # JSON array of [market, code, name]
    shape: str | None
    extra: str                # JSON object
    content_hash: str
    seq: int | None           # None: the backend stamps it at the end of the batch
    now: int
    raw: bytes | None         # zlib-packed payload; None: the stored one stays
    article: Article          # for the stock mentions
    entry: IndexEntry         # the search index's words


class Ledger(Protocol):
    """The SQL a backend supplies to the rules, inside its write transaction."""

    def key_row(self, source: str, upstream_id: str) -> tuple[int, str] | None:
        """(id, content hash) of the story stored under this key."""

    def alias_row(self, source: str, upstream_id: str) -> tuple[int, str] | None:
        """(story id, content hash) of an alias under this key."""

    def set_alias_hash(self, source: str, upstream_id: str, content_hash: str) -> None: ...
    def add_alias(self, source: str, upstream_id: str, article_id: int,
                  content_hash: str) -> None: ...
    def id_by_url(self, url: str) -> int | None: ...
    def id_by_hash(self, content_hash: str) -> int | None: ...

    def id_by_headline(self, published: int, title: str, source: str,
                       partial: bool) -> int | None:
        """A story of another source with this title at this second; with
        ``partial`` False only one marked partial."""

    def path_taken(self, path: str) -> bool:
        """Whether a story, or a twin's own address, has this path."""

    def keep_alias(self, article_id: int, article: Article, raw: bytes, *, new: bool,
                   path: str | None) -> None:
        """Record (``new``) or refresh a twin's key with the copy its own list served."""

    def story(self, article_id: int) -> Article:
        """The stored story."""

    def set_seq(self, article_id: int, seq: int | None) -> None:
        """Give a story this change number (None: ``stamp_changes`` will)."""
    def slug_taken(self, slug: str) -> bool: ...
    def category_row(self, column: str, value: str) -> Category | None:
        """The first category whose ``column`` (slug, name, original_slug) is ``value``."""

    def insert_category(self, slug: str, name: str, tag: str,
                        original_slug: str | None) -> int | None:
        """The new category's id; None when a concurrent writer took its slug first."""

    def insert_article(self, row: ArticleRow) -> int:
        """Store a new story, its payload, stock mentions and index entry; its id."""

    def update_article(self, article_id: int, row: ArticleRow) -> None:
        """Keep the stored version (with its stocks) as a revision, then store
        ``row`` over it (its payload too unless ``row.raw`` is None)."""

    def start_batch(self) -> None:
        """A batch begins (inside the write transaction)."""

    def change_seq(self) -> int | None:
        """The next change's sequence number, or None when the backend
        stamps the batch's changes in :meth:`stamp_changes`."""

    def stamp_changes(self, article_ids: Sequence[int]) -> None:
        """Give the batch's changes their numbers, in this order, just before
        commit (a backend whose ``change_seq`` numbered them does nothing)."""


#: Changes after a sequence number and the newest number, in one statement:
#: one snapshot, so the newest number is never ahead of the rows returned
#: (a change committed between two statements would be skipped for good).
CHANGES_SQL = ("WITH top AS (SELECT COALESCE(MAX(seq), 0) AS seq FROM articles) "
               "SELECT a.id, a.seq, top.seq FROM top LEFT JOIN articles a ON a.seq > ? "
               "ORDER BY a.seq")


def changes(rows: Sequence[tuple]) -> tuple[list[Change], int]:
    """What ``CHANGES_SQL`` gave, as (changes in order, newest number)."""
    top = rows[0][2] if rows else 0
    return [Change(aid, seq) for aid, seq, _ in rows if aid is not None], top


def free_name(taken: Callable[[str], bool], wanted: str, suffix: str = "") -> str:
    """``wanted``, or ``wanted-2`` (before ``suffix``), ``-3``…: the first not taken."""
    stem = wanted.removesuffix(suffix) if suffix else wanted
    name, n = wanted, 1
    while taken(name):
        n += 1
        name = f"{stem}-{n}{suffix}"
    return name


def find_category(ledger: Ledger, media: str, slug: str | None = None) -> Category | None:
    """The category already made for ``media`` (or for an imported ``slug``)."""
    if slug is not None:
        return ledger.category_row("original_slug", slug) or ledger.category_row("slug", slug)
    return ledger.category_row("name", media)


def category_for(ledger: Ledger, media: str, *, slug: str | None = None,
                 tag: str | None = None) -> Category:
    """The category of ``media`` (see ``Store.category_for``), made on first use."""
    from ..process.slug import media_slug, safe_slug  # pure functions

    wanted = safe_slug(slug) if slug is not None else media_slug(media)
    tag = tag or f"{media}新闻"
    # Another writer may make the same category meanwhile (a backend with
    # several writers): then its row is found on the next round.
    for _ in range(10):
        found = find_category(ledger, media, slug)
        if found is not None:
            return found
        new_slug = free_name(ledger.slug_taken, wanted)
        made = ledger.insert_category(new_slug, media, tag, slug)
        if made is not None:
            return Category(made, new_slug, media, tag, slug)
    raise StoreError(f"cannot make a category for {media!r}: its slug keeps being taken")


def fingerprint(record: QuarantineRecord) -> str:
    """What makes two quarantine records the same bad item failing the same way."""
    digest = hashlib.sha256()
    for part in (record.upstream_id or "", record.code, record.reason):
        digest.update(part.encode("utf-8", "replace") + b"\0")
    digest.update(record.payload)
    return digest.hexdigest()


def _find_twin(ledger: Ledger, article: Article) -> int | None:
    """The same story stored under another key: same canonical URL or content."""
    if article.url:
        found = ledger.id_by_url(article.url)
        if found is not None:
            return found
    found = ledger.id_by_hash(article.content_hash)
    if found is not None:
        return found
    # A copy that ingest marked partial (its full text failed, its feed was
    # not well-formed) hashes differently from the whole story: the same
    # headline at the same second from another source is its twin then.
    return ledger.id_by_headline(timestamp(article.published), article.title,
                                 article.source, "partial" in article.extra)


def _row(article: Article, raw: bytes | None, category_id: int, path: str, seq: int | None,
         now: int, entry: IndexEntry | None, tz: ZoneInfo) -> ArticleRow:
    return ArticleRow(
        article.source, article.upstream_id, category_id, path, article.title,
        article.digest, article.body_html, timestamp(article.published),
        day_number(article.published, tz), article.media, article.url,
        json.dumps(list(article.tags), ensure_ascii=False),
        json.dumps([[s.market, s.code, s.name] for s in article.stocks], ensure_ascii=False),
        article.shape, json.dumps(dict(article.extra), ensure_ascii=False),
        article.content_hash, seq, now, None if raw is None else packed(raw), article,
        entry_for(article.title, article.digest, article.body_html, entry))


CategoryOf = Callable[[Article], Category]


def _as_story(article: Article, story: Article) -> Article:
    """``article``'s content with the stored story's own identity fields."""
    return replace(article, source=story.source, upstream_id=story.upstream_id,
                   media=story.media, url=story.url, tags=story.tags, shape=story.shape,
                   category_slug=story.category_slug, extra=story.extra)


def twin_path(ledger: Ledger, article: Article, tz: ZoneInfo) -> str | None:
    """The address a twin's own list gave it, unless a page has it already."""
    from ..twins import twin_category
    cat = twin_category(article, ledger.category_row)
    path = story_path(cat.slug, article.published, article.upstream_id, tz)
    return None if ledger.path_taken(path) else path


def _upsert_one(ledger: Ledger, article: Article, raw: bytes, now: int,
                entry: IndexEntry | None, category_of: CategoryOf,
                tz: ZoneInfo) -> tuple[int, str] | None:
    """Insert or update one story; None when nothing changed.

    Otherwise (story id, ``new`` / ``updated`` / ``twin``).
    """
    key = (article.source, article.upstream_id)
    row = ledger.key_row(*key)
    if row is None:
        alias = ledger.alias_row(*key)
        if alias is not None:
            if alias[1] == article.content_hash:
                return None
            ledger.keep_alias(alias[0], article, raw, new=False, path=None)
            # The story takes the new content, but stays the first list's
            # copy: its own fields, category and payload are not the twin's.
            story = _as_story(article, ledger.story(alias[0]))
            ledger.update_article(alias[0], _row(story, None, 0, "", ledger.change_seq(),
                                                 now, entry, tz))
            return alias[0], "updated"
        twin = _find_twin(ledger, article)
        if twin is not None:
            ledger.keep_alias(twin, article, raw, new=True, path=twin_path(ledger, article, tz))
            # The story has one more address: its pages change.
            ledger.set_seq(twin, ledger.change_seq())
            return twin, "twin"
        # The category is made only for a story that really is new, so a
        # duplicate from another list never leaves an empty category.
        cat = category_of(article)
        path = free_name(ledger.path_taken,
                         story_path(cat.slug, article.published, article.upstream_id, tz),
                         ".html")
        new = _row(article, raw, cat.id, path, ledger.change_seq(), now, entry, tz)
        return ledger.insert_article(new), "new"
    if row[1] == article.content_hash:
        return None
    # An update keeps the story's category and path: its URL never changes.
    changed = _row(article, raw, 0, "", ledger.change_seq(), now, entry, tz)
    ledger.update_article(row[0], changed)
    return row[0], "updated"


def renumber(ledger: Ledger, article_ids: Sequence[int]) -> None:
    """New change numbers for these stories (their pages change), in this order."""
    if not article_ids:
        return
    ledger.start_batch()
    for article_id in article_ids:
        ledger.set_seq(article_id, ledger.change_seq())
    ledger.stamp_changes(article_ids)


def upsert(ledger: Ledger, batch: Sequence[tuple[Article, bytes]],
           entries: Sequence[IndexEntry | None] | None, *, now: int,
           category_of: CategoryOf, tz: ZoneInfo) -> UpsertOutcome:
    """Store a batch (inside the caller's write transaction)."""
    new = updated = unchanged = 0
    changed: list[int] = []
    if entries is None:
        entries = [None] * len(batch)
    ledger.start_batch()
    for (article, raw), entry in zip(batch, entries, strict=True):
        result = _upsert_one(ledger, article, raw, now, entry, category_of, tz)
        if result is None:
            unchanged += 1
            continue
        article_id, kind = result
        changed.append(article_id)
        if kind == "new":
            new += 1
        elif kind == "updated":
            updated += 1
        else:   # a twin: the story has one more address
            unchanged += 1
    if changed:
        ledger.stamp_changes(changed)
    return UpsertOutcome(new=new, updated=updated, unchanged=unchanged,
                         article_ids=tuple(changed))
