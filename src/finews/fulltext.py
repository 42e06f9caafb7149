"""Full text from article pages, for sources with ``fulltext = "page"``.

The page is fetched through the run's one :class:`~finews.fetch.Fetcher`, so
it obeys the same limits as every other request (size cap, deadlines, the
private-address rule on every redirect hop, retries with back-off) and
the article is cut out of it by :mod:`finews.process.extract`. A page that
cannot be had or read never loses the item: it is stored with its summary
and the reason is kept with it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Mapping

from .config import SourceSettings
from .errors import FetchError, ParseError
from .fetch import Fetcher
from .model import RawItem
from .process.extract import PageRules, extract_article

#: Media types a page may be served as; anything else is not an article page.
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "")


@dataclass(frozen=True, slots=True)
class PageText:
    """What fetching one item's article page gave."""

    body: str | None            # the article's HTML (untrusted), None on failure
    error: str | None = None    # why there is no body, for the stored article
    retry: bool = False         # a passing failure: fetch the page again next pass


def rules_for(src: SourceSettings) -> PageRules:
    return PageRules(selector=src.fulltext_selector, remove=src.fulltext_remove)


async def article_page(fetcher: Fetcher, src: SourceSettings, raw: RawItem,
                       headers: Mapping[str, str]) -> PageText:
    """The article text of ``raw``'s page, or why it could not be had."""
    if not raw.url:
        return PageText(None, "the item has no link to an article page")
    try:
        result = await fetcher.get(raw.url, headers=headers,
                                   allow_private=src.allow_private)
    except FetchError as exc:
        return PageText(None, f"{exc.code}: {exc}", retry=exc.retryable)
    if result.content_type not in _HTML_TYPES:
        return PageText(None, f"parse: {raw.url} is {result.content_type}, "
                              "not an HTML page")
    try:
        # Extraction is CPU work on up to fetch.max_bytes of markup: off the
        # event loop, so the source's other page requests go on meanwhile.
        body = await asyncio.to_thread(extract_article, result.body, result.charset,
                                       rules_for(src))
    except ParseError as exc:
        return PageText(None, f"{exc.code}: {exc} ({raw.url})")
    return PageText(body)
