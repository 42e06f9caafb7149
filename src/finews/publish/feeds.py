"""Atom feeds and sitemaps, written as text so every byte is under control.

Feeds carry full content (the sanitised body, escaped, in ``<content
type="html">``). Characters XML cannot hold at all (most control
characters) are removed before escaping, so a hostile title can never make
a feed unreadable. Entry ids are the story's absolute URL, which never
changes once given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Sequence

from ..model import StoredArticle

#: Everything outside the XML 1.0 character range.
_XML_INVALID = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

#: The sitemap protocol's limit of URLs per file (and sitemaps per index).
SITEMAP_LIMIT = 50_000

ATOM_TYPE = "application/atom+xml"


# xml.sax.saxutils's escape and quoteattr, written out: importing saxutils
# loads urllib.request (and with it http and ssl), ~15 ms of every build's
# start-up. The output is the same byte for byte (tests/publish/test_feeds.py).
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;",
                       "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def xml_text(text: str) -> str:
    """Escaped text, without characters XML forbids."""
    return _XML_INVALID.sub("", text).translate(_TEXT)


def xml_attr(text: str) -> str:
    """A quoted, escaped attribute value."""
    data = _XML_INVALID.sub("", text).translate(_ATTR)
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'


def rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class FeedInfo:
    title: str
    self_url: str       # the feed's own absolute URL (also its id)
    site_url: str       # the page it belongs to
    author: str


def atom_feed(info: FeedInfo, items: Sequence[StoredArticle], base_url: str) -> str:
    """A complete Atom 1.0 document for ``items`` (newest first)."""
    updated = max((s.updated for s in items), default=None)
    if updated is None:
        updated = datetime(1970, 1, 1, tzinfo=timezone.utc)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">',
        f"<id>{xml_text(info.self_url)}</id>",
        f"<title>{xml_text(info.title)}</title>",
        f"<updated>{rfc3339(updated)}</updated>",
        f'<link rel="self" type="{ATOM_TYPE}" href={xml_attr(info.self_url)}/>',
        f'<link rel="alternate" type="text/html" href={xml_attr(info.site_url)}/>',
        f"<author><name>{xml_text(info.author)}</name></author>",
        '<generator uri="https://github.com/finews">finews</generator>',
    ]
    entries = [_entry(s, base_url) for s in items]
    return "\n".join(head + entries + ["</feed>", ""])


def _entry(stored: StoredArticle, base_url: str) -> str:
    art = stored.article
    url = base_url + stored.path
    parts = [
        "<entry>",
        f"<id>{xml_text(url)}</id>",
        f'<title type="text">{xml_text(art.title)}</title>',
        f'<link rel="alternate" type="text/html" href={xml_attr(url)}/>',
        f"<published>{rfc3339(art.published)}</published>",
        f"<updated>{rfc3339(max(stored.updated, art.published))}</updated>",
        f"<author><name>{xml_text(art.media or stored.category.name)}</name></author>",
        f"<category term={xml_attr(stored.category.slug)} label={xml_attr(stored.category.tag)}/>",
    ]
    if art.digest:
        parts.append(f'<summary type="text">{xml_text(art.digest)}</summary>')
    parts.append(f'<content type="html">{xml_text(art.body_html)}</content>')
    parts.append("</entry>")
    return "\n".join(parts)


def urlset(urls: Iterable[str]) -> str:
    """One sitemap file; the caller keeps it under SITEMAP_LIMIT URLs."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<url><loc>{xml_text(u)}</loc></url>" for u in urls]
    lines += ["</urlset>", ""]
    return "\n".join(lines)


def sitemap_index(urls: Iterable[str]) -> str:
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    lines += [f"<sitemap><loc>{xml_text(u)}</loc></sitemap>" for u in urls]
    lines += ["</sitemapindex>", ""]
    return "\n".join(lines)


def chunks(items: Sequence[str], size: int = SITEMAP_LIMIT) -> list[Sequence[str]]:
    """``items`` cut into sitemap-sized pieces (at least one, maybe empty)."""
    return [items[i:i + size] for i in range(0, len(items), size)] or [items]
