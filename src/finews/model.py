"""The plain records that flow through finews, left to right.

    RawItem   — what a source adapter read from upstream bytes (untrusted text)
    Article   — what processing made of it (sanitised, dated, identified)
    Stored*   — what the store hands downstream (an Article plus its row id,
                category and change sequence)

Records are frozen dataclasses with explicit fields. Anything a particular
source wants to carry further goes into ``extra`` (a mapping of strings),
never onto the object as an ad-hoc attribute.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Mapping

#: How a story was written by the original finews, which decides its Jekyll
#: export shape: ``rolling`` (东财滚动新闻), ``media`` (per-media list),
#: ``market`` (market lists), or ``None`` for sources the original never had.
POST_SHAPES = ("rolling", "media", "market")


@dataclass(frozen=True, slots=True)
class RawItem:
    """One item as an adapter read it. Every text field is untrusted."""

    source: str                      # the configured source name
    upstream_id: str                 # the upstream's own id, as a string
    title: str | None = None
    digest: str | None = None
    body_html: str | None = None     # full text, when the list carries it
    published: str | None = None     # the upstream's time value, unparsed
    media: str | None = None         # the outlet's name, e.g. 证券时报
    url: str | None = None           # the story's own page
    fulltext_url: str | None = None  # where to fetch the body, if not inline
    tags: tuple[str, ...] = ()
    stocks: tuple[str, ...] = ()     # upstream stock ids, e.g. "1.600519"
    payload: bytes = b""             # the raw JSON/XML of this item
    extra: Mapping[str, str] = field(default_factory=dict)


class PackedPayload(bytes):
    """An item's raw bytes compressed already, the way the store keeps them.

    A worker process that reads the item packs it, so the store's single
    writing process does not (zlib was a quarter of its time in an import).
    The store accepts these or plain bytes, which it packs itself.
    """

    __slots__ = ()

    @classmethod
    def pack(cls, raw: bytes) -> "PackedPayload":
        return cls(zlib.compress(raw, 6))

    def unpack(self) -> bytes:
        return zlib.decompress(self)


@dataclass(frozen=True, slots=True)
class StockMention:
    """A security named in a story: market id (East Money's), code, name."""

    market: str   # "1" Shanghai, "0" Shenzhen, "116" Hong Kong, "90" board…
    code: str     # "600160", "BK0493"
    name: str     # "巨化股份"; may be "" when only the code is known


@dataclass(frozen=True, slots=True)
class Article:
    """A processed story, ready to store. Its body is sanitised HTML."""

    source: str
    upstream_id: str
    title: str
    published: datetime              # time-zone aware
    media: str                       # outlet name; the category is derived from it
    body_html: str                   # sanitised; safe to publish as it is
    digest: str = ""                 # plain text
    url: str | None = None           # canonical story URL (tracking params stripped)
    tags: tuple[str, ...] = ()
    stocks: tuple[StockMention, ...] = ()
    category_slug: str | None = None  # a fixed slug (preset or import); else from media
    shape: str | None = None         # one of POST_SHAPES, for the Jekyll export
    content_hash: str = ""           # hash of the normalised content (set by process)
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Category:
    """An outlet's category. ``slug`` is URL-safe and never changes once given.

    ``original_slug`` is the slug an imported site used, kept byte for byte
    even when it is not URL-safe (then ``slug`` is a safe variant and the old
    path gets a redirect page).
    """

    id: int
    slug: str
    name: str            # the media name, e.g. 示例日报
    tag: str             # the tag shown as heading, e.g. 示例日报新闻
    original_slug: str | None = None


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the store hands it downstream."""

    id: int
    seq: int                      # change sequence of its last change
    path: str                     # its page, e.g. "hezeribao/2022/03/01/NW1.html"; never changes
    article: Article
    category: Category
    first_seen: datetime          # when finews first stored it (UTC)
    updated: datetime             # when its content last changed (UTC)


@dataclass(frozen=True, slots=True)
class StoredAlias:
    """Another list's copy of a stored story (its twin), as that list served it.

    The story is stored once; the copy is kept so that the Jekyll export can
    write each list's post as the original did, and the site can keep the
    address the twin had there.
    """

    article_id: int               # the one stored story
    article: Article              # the copy as processed (``body_html`` is not kept: "")
    payload: bytes                # the copy's raw payload, as received
    #: the address the copy's own list gave it (a redirect page), or None when
    #: a story or another copy had it first
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Headline:
    """What a listing shows of a story: no body, so listings stay cheap."""

    id: int
    path: str
    title: str
    published: datetime           # time-zone aware (UTC from the store)
    category_slug: str
    media: str
    digest: str = ""


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    """An item that could not be processed, kept with its reason and payload."""

    source: str
    reason: str                   # a sentence a user can act on
    code: str                     # the error's stable code
    upstream_id: str | None = None
    payload: bytes = b""


@dataclass(frozen=True, slots=True)
class UpsertOutcome:
    """What storing a batch did. ``new + updated + unchanged`` = batch size."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    #: ids of new and updated articles, and of stories that gained a twin
    #: (another list's copy: the story has one more address to publish)
    article_ids: tuple[int, ...] = ()
