"""Finding a site's feeds: what a page links to, and whether bytes are a feed.

Pure functions over bytes already fetched; :mod:`finews.discovery` does the
fetching. A page names its feeds with ``<link rel="alternate"
type="application/rss+xml" href="…">`` (or Atom's type) in its head; sites
that do not still often serve one at a common path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import feedparser
from selectolax.lexbor import LexborHTMLParser

from ..feedcheck import feed_bytes
from ..process.extract import page_text
from ..process.html_tree import limit_nesting

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")
#: Tried in this order when a page links no feed.
COMMON_PATHS = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml")


@dataclass(frozen=True, slots=True)
class FeedLink:
    url: str
    title: str = ""
    how: str = "link"     # "given" (the URL is a feed), "link" (<link rel>) or "path"


_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)


def feed_title(data: bytes, charset: str | None) -> str | None:
    """The feed's title ("" if it has none) when ``data`` is an RSS/Atom feed, else None."""
    # A feed's root element comes first, after at most a declaration, a
    # stylesheet and comments; a web page is not handed to feedparser at all.
    head = data[:4096].replace(b"\x00", b"")  # UTF-16 feeds: look at the ASCII bytes
    if not _FEED_ROOT.search(head):
        return None
    try:
        parsed = feedparser.parse(feed_bytes(data, charset), sanitize_html=False,
                                  resolve_relative_uris=False)
    except Exception:  # feedparser has no error type of its own
        return None
    if not parsed.get("version"):
        return None
    return " ".join(str(parsed.feed.get("title", "")).split())


def feed_links(data: bytes, charset: str | None, page_url: str) -> list[FeedLink]:
    """The feeds a page announces, in page order, without repeats."""
    # The nesting is limited first: Lexbor takes minutes over a page nested
    # a hundred thousand elements deep.
    tree = LexborHTMLParser(limit_nesting(page_text(data, charset)))
    base = page_url
    base_tag = tree.css_first("base[href]")
    if base_tag is not None:
        base = urljoin(page_url, (base_tag.attributes.get("href") or "").strip())
    found: list[FeedLink] = []
    seen: set[str] = set()
    for node in tree.css("link[href]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        kind = (node.attributes.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        url = urljoin(base, (node.attributes.get("href") or "").strip())
        if urlsplit(url).scheme not in ("http", "https") or url in seen:
            continue
        seen.add(url)
        title = " ".join((node.attributes.get("title") or "").split())
        found.append(FeedLink(url=url, title=title, how="link"))
    return found


def common_urls(page_url: str) -> list[str]:
    """The common feed paths on the page's site."""
    parts = urlsplit(page_url)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in COMMON_PATHS]
