"""RawItem → Article: an explicit, ordered list of small, pure steps.

Each step reads the raw item and the draft so far and returns a new draft.
The sanitiser is the last step, so no earlier step (nor a step added later)
can put unsafe markup into a stored body. Every failure is an
:class:`ItemError` naming what is wrong with the item; the ingest loop
quarantines it and goes on.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from ..errors import FinewsError, ItemError
from ..model import POST_SHAPES, Article, RawItem, StockMention
from .eastmoney import clean_eastmoney, merge_stocks, parse_stock_id
from .identity import canonical_url, content_hash
from .sanitise import sanitise_html, scrub_text
from .text import (clean_title, html_to_text, make_digest, plain_label,
                   split_bracket_headline, strip_indent, text_to_html)
from .times import parse_time

ID_LIMIT = 200
MEDIA_LIMIT = 100
TAG_LIMIT = 50
MAX_TAGS = 20
RAW_DIGEST_LIMIT = 1000
MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True, slots=True)
class ProcessOptions:
    """How one source's items are processed (from its settings)."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    category_slug: str | None = None   # fixed category for every item
    media: str | None = None           # fixed media name for every item
    tag: str | None = None             # fixed tag, e.g. 东财滚动新闻
    shape: str | None = None           # one of POST_SHAPES, or None
    now: datetime | None = None        # upper bound for times; default: now
    base_url: str | None = None        # resolves relative links; default: the item URL
    max_body_bytes: int = MAX_BODY_BYTES

    def __post_init__(self) -> None:
        if self.shape is not None and self.shape not in POST_SHAPES:
            raise ValueError(f"shape must be one of {POST_SHAPES} or None, not {self.shape!r}")


@dataclass(frozen=True, slots=True)
class Draft:
    """What the steps know so far."""

    upstream_id: str = ""
    title: str = ""
    published: datetime | None = None
    media: str = ""
    body_html: str = ""
    text: str = ""
    digest: str = ""
    tags: tuple[str, ...] = ()
    stocks: tuple[StockMention, ...] = ()
    url: str | None = None
    content_hash: str = ""


Step = Callable[[Draft, RawItem, ProcessOptions], Draft]


def _raw_text(value: str | None) -> str:
    return scrub_text(value or "") if isinstance(value, str) else ""


def _raw_digest_text(raw: RawItem) -> tuple[str | None, str]:
    """The raw digest as text, split into its 【…】 headline and the rest."""
    text = " ".join(html_to_text(_raw_text(raw.digest)).split())
    return split_bracket_headline(text)


def step_id(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    # Path-like ids (``../x``, ``a/b``) are data here; paths are made safe
    # where they are built (finews.urls.safe_segment).
    value = raw.upstream_id if isinstance(raw.upstream_id, str) else ""
    ident = value.strip()
    if not ident:
        raise ItemError("the item has no upstream id; check the source's id field mapping")
    if len(ident) > ID_LIMIT:
        raise ItemError(f"the item's id is {len(ident)} characters long (limit {ID_LIMIT})")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in ident):
        raise ItemError(f"the item's id {ident[:40]!r} contains control characters")
    return replace(draft, upstream_id=ident)


def step_title(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    if plain_label(_raw_text(raw.title)):
        return replace(draft, title=clean_title(_raw_text(raw.title)))
    headline, rest = _raw_digest_text(raw)
    fallback = headline or make_digest(rest, 60)
    if not fallback:
        fallback = make_digest(html_to_text(_raw_text(raw.body_html)[:20000]), 60)
    if not plain_label(fallback):
        raise ItemError("the item has no title, digest or text to name it by")
    return replace(draft, title=clean_title(fallback))


def step_time(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    value = raw.published
    if isinstance(value, str):
        value = scrub_text(value)
    return replace(draft, published=parse_time(value, options.tz, now=options.now))


def step_media(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    media = (plain_label(options.media, MEDIA_LIMIT)
             or plain_label(_raw_text(raw.media), MEDIA_LIMIT)
             or plain_label(_raw_text(raw.source), MEDIA_LIMIT))
    if not media:
        raise ItemError("the item has no media name and its source has no name")
    return replace(draft, media=media)


def cap_html(html: str, limit: int) -> str:
    """Cut ``html`` to at most ``limit`` UTF-8 bytes at a tag boundary.

    The cut prefers the end of a paragraph; open tags are closed later by
    the sanitiser's parser.
    """
    if len(html) <= limit // 4 or len(html.encode("utf-8", "surrogatepass")) <= limit:
        return html
    head = html.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")
    cut = head.lower().rfind("</p>")
    if cut >= len(head) // 2:
        return head[:cut + 4]
    if head.rfind("<") > head.rfind(">"):
        head = head[:head.rfind("<")]
    return head


def step_body(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    body = cap_html(_raw_text(raw.body_html), options.max_body_bytes)
    if not body.strip():
        _, rest = _raw_digest_text(raw)
        body = text_to_html(rest)
    cleaned, stocks = clean_eastmoney(body)  # limits nesting depth first
    cleaned = strip_indent(cleaned)
    return replace(draft, body_html=cleaned, stocks=stocks, text=html_to_text(cleaned))


def step_digest(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    _, rest = _raw_digest_text(raw)
    digest = make_digest(rest, RAW_DIGEST_LIMIT) if rest else make_digest(draft.text)
    return replace(draft, digest=digest)


def step_tags(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    first = plain_label(options.tag, TAG_LIMIT) or f"{draft.media}新闻"
    tags: list[str] = []
    for candidate in (first, *(raw.tags or ())):
        tag = plain_label(_raw_text(candidate), TAG_LIMIT)
        if tag and tag not in tags and len(tags) < MAX_TAGS:
            tags.append(tag)
    return replace(draft, tags=tuple(tags))


def step_stocks(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    listed = (parse_stock_id(_raw_text(s)) for s in (raw.stocks or ()))
    return replace(draft, stocks=merge_stocks(draft.stocks, tuple(m for m in listed if m)))


def step_url(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    return replace(draft, url=canonical_url(_raw_text(raw.url)))


def step_hash(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    assert draft.published is not None
    return replace(draft, content_hash=content_hash(draft.title, draft.body_html,
                                                    draft.published))


def step_sanitise(draft: Draft, raw: RawItem, options: ProcessOptions) -> Draft:
    # Last on purpose: nothing after this may touch the body.
    base = options.base_url or draft.url
    return replace(draft, body_html=sanitise_html(draft.body_html, base_url=base))


STEPS: tuple[Step, ...] = (
    step_id, step_title, step_time, step_media, step_body, step_digest,
    step_tags, step_stocks, step_url, step_hash,
    step_sanitise,  # must stay last
)


def _extra(raw: RawItem) -> dict[str, str]:
    try:
        items = list((raw.extra or {}).items())
    except (AttributeError, TypeError) as exc:
        raise ItemError("the item's extra fields are not a mapping") from exc
    return {scrub_text(str(k)): scrub_text(str(v)) for k, v in items}


def process_item(raw: RawItem, *, options: ProcessOptions) -> Article:
    """Turn one raw item into a sanitised Article, or raise ItemError."""
    draft = Draft()
    try:
        for step in STEPS:
            draft = step(draft, raw, options)
        extra = _extra(raw)
    except FinewsError as exc:
        if isinstance(exc, ItemError):
            raise
        raise ItemError(str(exc)) from exc
    except Exception as exc:  # a bug or a parser surprise must not stop a run
        raise ItemError(f"the item could not be processed ({type(exc).__name__}: "
                        f"{str(exc)[:200]})") from exc
    assert draft.published is not None
    return Article(
        source=raw.source, upstream_id=draft.upstream_id, title=draft.title,
        published=draft.published.astimezone(timezone.utc), media=draft.media,
        body_html=draft.body_html, digest=draft.digest, url=draft.url,
        tags=draft.tags, stocks=draft.stocks, category_slug=options.category_slug,
        shape=options.shape, content_hash=draft.content_hash, extra=extra,
    )
