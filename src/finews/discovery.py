"""``finews sources add URL``: the feeds behind a URL a user pasted.

A URL that answers with a feed is that feed. Otherwise it is taken as a web
page and searched for the feeds it links; a page that links none has the
common feed paths of its site tried. Every request goes through the
fetcher, so a pasted URL is held to the same private-address rule, size cap
and deadlines as a configured source.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FetchError, ParseError
from .fetch import Fetcher
from .sources.discover import FeedLink, common_urls, feed_links, feed_title


@dataclass(frozen=True, slots=True)
class Discovery:
    url: str
    feeds: tuple[FeedLink, ...]
    #: Why each common path was not a feed (shown when nothing was found).
    tried: tuple[tuple[str, str], ...] = ()


async def discover(url: str, fetcher: Fetcher, *, allow_private: bool = False) -> Discovery:
    """The feeds at or linked from ``url``; FetchError when ``url`` itself fails."""
    answer = await fetcher.get(url, allow_private=allow_private)
    title = feed_title(answer.body, answer.charset)
    if title is not None:
        return Discovery(url, (FeedLink(url=url, title=title, how="given"),))
    if answer.content_type and "html" not in answer.content_type:
        raise ParseError(f"{url} is neither a feed nor a web page "
                         f"(it is {answer.content_type})")
    linked = feed_links(answer.body, answer.charset, answer.final_url)
    if linked:
        return Discovery(url, tuple(linked))
    found: list[FeedLink] = []
    tried: list[tuple[str, str]] = []
    answered: set[str] = set()
    for candidate in common_urls(answer.final_url):
        try:
            result = await fetcher.get(candidate, allow_private=allow_private)
        except FetchError as exc:
            tried.append((candidate, str(exc)))
            continue
        title = feed_title(result.body, result.charset)
        if title is None:
            tried.append((candidate, "not a feed"))
            continue
        if result.final_url in answered:  # /feed redirecting to /rss.xml, say
            continue
        answered.add(result.final_url)
        found.append(FeedLink(url=candidate, title=title, how="path"))
    return Discovery(url, tuple(found), tuple(tried))
