"""Records from stored rows: every backend stores the same columns the same way.

Times are Unix seconds, tags, stocks and extra fields JSON text, so one
decoder serves every backend and ``copy-store`` moves rows unchanged.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime, timezone

from ..model import Article, Category, Headline, StockMention, StoredAlias, StoredArticle

#: The columns :func:`stored` decodes, on ``articles a JOIN categories c``.
ARTICLE_COLUMNS = (
    "a.id, a.seq, a.path, a.source, a.upstream_id, a.title, a.digest, a.body_html, "
    "a.published, a.media, a.url, a.tags, a.stocks, a.shape, a.extra, a.content_hash, "
    "a.first_seen, a.updated, c.id, c.slug, c.name, c.tag, c.original_slug")
#: The columns :func:`headline` decodes.
HEADLINE_COLUMNS = "a.id, a.path, a.title, a.published, c.slug, a.media, a.digest"


def when(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, timezone.utc)


def stored(row: tuple, categories: dict[int, Category]) -> StoredArticle:
    """A story from its ``ARTICLE_COLUMNS``; ``categories`` keeps one record per outlet."""
    (aid, seq, path, source, upstream_id, title, digest, body, published, media, url,
     tags, stocks, shape, extra, content_hash, first_seen, updated,
     cid, slug, name, tag, original_slug) = row
    category = categories.get(cid)
    if category is None:
        category = categories[cid] = Category(cid, slug, name, tag, original_slug)
    article = Article(
        source=source, upstream_id=upstream_id, title=title,
        published=when(published), media=media, body_html=body, digest=digest,
        url=url, tags=tuple(json.loads(tags)),
        stocks=(() if stocks == "[]"
                else tuple(StockMention(*s) for s in json.loads(stocks))),
        category_slug=original_slug or slug, shape=shape,
        content_hash=content_hash, extra={} if extra == "{}" else json.loads(extra))
    return StoredArticle(aid, seq or 0, path, article, category, when(first_seen),
                         when(updated))


def headline(row: tuple) -> Headline:
    aid, path, title, pub, slug, media, digest = row
    return Headline(aid, path, title, when(pub), slug, media, digest)


#: The columns :func:`alias` decodes, from ``aliases``.
ALIAS_COLUMNS = ("article_id, source, upstream_id, title, digest, published, media, url, "
                 "tags, shape, category_slug, extra, content_hash, payload, path")


def alias(row: tuple) -> StoredAlias:
    (article_id, source, upstream_id, title, digest, published, media, url, tags,
     shape, category_slug, extra, content_hash, payload, path) = row
    article = Article(
        source=source, upstream_id=upstream_id, title=title, published=when(published),
        media=media, body_html="", digest=digest or "", url=url,
        tags=tuple(json.loads(tags or "[]")), category_slug=category_slug, shape=shape,
        content_hash=content_hash, extra=json.loads(extra or "{}"))
    return StoredAlias(article_id, article, zlib.decompress(payload) if payload else b"", path)
