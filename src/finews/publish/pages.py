"""Building each page's context from the store (reads only, no rendering)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from datetime import date, timedelta
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from .. import urls
from ..config import SiteSettings
from ..model import Category, Headline, StoredArticle
from ..cluster.shown import PEERS_SHOWN, collapse
from ..store.base import Store, StockSummary
from .context import (ArchivePage, CategoryPage, ClusterLink, DayLink, DayPage, HomePage,
                      Layout, NotFoundPage, OutletGroup, OutletIndexPage, OutletLink, PageLink,
                      PeerLink, RedirectPage, StockIndexPage,
                      StockLink, StoryPage,
                      china_time, day_label, root_for, short_time, story_link)


#: The home page's outlet index: the outlets with most stories among this
#: many newest ones…
HOME_OUTLET_WINDOW = 200
#: …at most this many (the page links to the full index).
HOME_OUTLETS = 24
#: Clusters on the home page.
HOME_CLUSTERS = 8


@dataclass(frozen=True, slots=True)
class Pages:
    """Builds page contexts for one site; holds nothing but settings."""

    site: SiteSettings
    search_action: str | None = None

    @property
    def tz(self) -> ZoneInfo:
        return self.site.tz

    def layout(self, path: str, title: str, kind: str, root: str | None = None) -> Layout:
        root = root_for(path) if root is None else root
        return Layout(site_title=self.site.title, page_title=title, root=root, kind=kind,
                      live_interval=self.site.live_interval, feed_href=root + "feed.xml",
                      search_action=self.search_action)

    # --- listings -------------------------------------------------------------

    def home(self, store: Store, categories: Sequence[Category]) -> HomePage:
        """The newest stories, the largest clusters of the last hours, and a
        short outlet index: the outlets busiest among the newest
        ``HOME_OUTLET_WINDOW`` stories, with a link to all."""
        latest = store.newest(max(self.site.home_latest, HOME_OUTLET_WINDOW))
        root = "./"
        clusters: tuple[ClusterLink, ...] = ()
        if latest:
            # Hours before the newest story, not before now: a build says the
            # same whenever it runs.
            since = latest[0].published - timedelta(hours=self.site.home_cluster_hours)
            clusters = tuple(
                ClusterLink(c.lead.title, root + c.lead.path, c.lead.media,
                            short_time(c.lead.published, self.tz), c.size)
                for c in store.largest_clusters(since, HOME_CLUSTERS))
        shown = latest[:self.site.home_latest]
        if self.site.collapse_clusters:
            shown = collapse(latest, store.clusters_of([h.id for h in latest]),
                             self.site.home_latest)
        busy: dict[str, list] = {}
        for h in latest:
            entry = busy.setdefault(h.category_slug, [0, h.media])
            entry[0] += 1
        ranked = sorted(busy.items(), key=lambda item: (-item[1][0], item[0]))
        outlets = tuple(OutletLink(name, root + urls.category_path(slug), n)
                        for slug, (n, name) in ranked[:HOME_OUTLETS])
        return HomePage(
            layout=self.layout("index.html", "", "listing"),
            latest=tuple(story_link(h, root, self.tz) for h in shown), clusters=clusters,
            outlets=outlets, outlet_total=len(categories),
            outlets_href=root + urls.OUTLET_INDEX.removesuffix("index.html"))

    def outlet_index(self, categories: Sequence[Category]) -> OutletIndexPage:
        """Every outlet, grouped by the first letter of its (pinyin) slug."""
        root = root_for(urls.OUTLET_INDEX)
        groups: dict[str, list[OutletLink]] = {}
        for cat in sorted(categories, key=lambda c: c.slug):
            first = cat.slug[:1]
            letter = first.upper() if first.isascii() and first.isalpha() else "#"
            groups.setdefault(letter, []).append(
                OutletLink(cat.name, root + urls.category_path(cat.slug)))
        return OutletIndexPage(
            layout=self.layout(urls.OUTLET_INDEX, "媒体", "plain", root),
            groups=tuple(OutletGroup(k, tuple(v)) for k, v in sorted(groups.items())),
            total=len(categories))

    def category(self, cat: Category, page: int, count: int,
                 heads: list[Headline]) -> CategoryPage:
        """Page 0 is the front page (newest S); page p holds oldest-first ranks
        [(p-1)·S, p·S), so appending a story only changes the last page.
        ``heads``: the page's headlines, newest first."""
        return self._paged(cat.name, cat.tag, lambda p: urls.category_path(cat.slug, p),
                           urls.category_feed_path(cat.slug), page, count, heads)

    def stock(self, stock: StockSummary, page: int, count: int,
              heads: list[Headline]) -> CategoryPage:
        """A stock's pages, numbered like a category's (see :meth:`category`)."""
        market, code = stock.market, stock.code
        return self._paged(stock.name or code, stock_title(stock),
                           lambda p: urls.stock_path(market, code, p),
                           urls.stock_feed_path(market, code), page, count, heads)

    def stock_index(self, stocks: Sequence[StockSummary]) -> StockIndexPage:
        """Every stock, the most mentioned first."""
        root = root_for(urls.STOCK_INDEX)
        ordered = sorted(stocks, key=lambda s: (-s.count, s.market, s.code))
        return StockIndexPage(
            layout=self.layout(urls.STOCK_INDEX, "个股", "plain", root),
            stocks=tuple(StockLink(s.name, s.code, root + urls.stock_path(s.market, s.code),
                                   stock_href(s.market, s.code), s.count)
                         for s in ordered))

    def _paged(self, name: str, tag: str, path_of, feed_path: str, page: int, count: int,
               heads: list[Headline]) -> CategoryPage:
        size = self.site.page_size
        last = page_count(count, size)
        path = path_of(page)
        root = root_for(path)
        if page == 0:
            older = (count - size - 1) // size + 1 if count > size else None
            newer = None
        else:
            older = page - 1 if page > 1 else None
            newer = page + 1 if page < last else 0
        href = lambda p: root + path_of(p)  # noqa: E731
        return CategoryPage(
            layout=self.layout(path, tag, "listing", root), name=name, tag=tag,
            page=page, total=count,
            stories=tuple(story_link(h, root, self.tz) for h in heads),
            # Only the front page lists every page (a numbered page would
            # otherwise build a link to each of its category's pages).
            pages=(tuple(PageLink(p, href(p), p == page) for p in range(1, last + 1))
                   if page == 0 else ()),
            front_href=href(0), feed_href=root + feed_path,
            newer_href=None if newer is None else href(newer),
            older_href=None if older is None else href(older))

    def day(self, store: Store, day: date, heads: list[Headline] | None = None) -> DayPage:
        """``heads``: the day's headlines when the caller has them."""
        path = urls.day_path(day)
        root = root_for(path)
        heads = store.day_headlines(day) if heads is None else heads
        return DayPage(layout=self.layout(path, day_label(day), "listing", root),
                       day=day_label(day), archive_href=root + "archive/",
                       stories=tuple(story_link(h, root, self.tz) for h in heads))

    def archive(self, store: Store,
                days: list[tuple[date, int]] | None = None) -> ArchivePage:
        """``days``: ``store.days()`` when the caller has read it."""
        path = "archive/index.html"
        root = root_for(path)
        links = tuple(DayLink(day_label(d), root + urls.day_path(d), n)
                      for d, n in (store.days() if days is None else days))
        return ArchivePage(layout=self.layout(path, "存档", "listing", root), days=links)

    # --- single pages -----------------------------------------------------------

    def story(self, stored: StoredArticle,
              cluster: tuple[int, list[Headline]] | None = None) -> StoryPage:
        """``cluster``: (its size, its first stories) when the story is in
        a cluster of two or more (``Store.cluster_peers``)."""
        art = stored.article
        root = root_for(stored.path)
        peers: tuple[PeerLink, ...] = ()
        size = 0
        if cluster is not None:
            size, members = cluster
            peers = tuple(PeerLink(h.title, root + h.path, h.media,
                                   short_time(h.published, self.tz), n == 0)
                          for n, h in enumerate(members) if h.id != stored.id)[:PEERS_SHOWN]
        return StoryPage(
            peers=peers, cluster_size=size,
            layout=self.layout(stored.path, art.title, "story", root),
            title=art.title, time=china_time(art.published, self.tz),
            iso=art.published.isoformat(), media=art.media, body_html=art.body_html,
            digest=art.digest, tags=tuple(art.tags),
            stocks=tuple(StockLink(s.name, s.code, root + urls.stock_path(s.market, s.code),
                                   stock_href(s.market, s.code))
                         for s in art.stocks),
            source_url=web_url(art.url), category_tag=stored.category.tag,
            category_href=root + urls.category_path(stored.category.slug))

    def not_found(self) -> NotFoundPage:
        # Served for any missing URL at any depth, so its links start at the
        # site's own path rather than being relative.
        root = urlsplit(self.site.base_url).path or "/"
        return NotFoundPage(layout=self.layout("404.html", "找不到页面", "plain", root))

    def story_redirect(self, old_path: str, stored: StoredArticle) -> RedirectPage:
        """The page at a twin's address (another list's copy): on to the one story."""
        root = root_for(old_path)
        return RedirectPage(layout=self.layout(old_path, stored.article.title, "plain", root),
                            target=root + stored.path)

    def redirect(self, old_path: str, cat: Category) -> RedirectPage:
        root = root_for(old_path)
        return RedirectPage(layout=self.layout(old_path, cat.tag, "plain", root),
                            target=root + urls.category_path(cat.slug))


def page_count(count: int, size: int) -> int:
    return (count + size - 1) // size


def web_url(url: str | None) -> str | None:
    """``url`` when it is an http(s) link; anything else is not a link we show."""
    if not url:
        return None
    url = url.strip()
    # Nearly every stored link is a plain lower-case http(s) one: said without
    # parsing it (a story page asks once per story). Brackets (IPv6 hosts,
    # which urlsplit may refuse) and tabs or line breaks (which it drops)
    # take the long way.
    for prefix in ("https://", "http://"):
        if url.startswith(prefix):
            host_starts = url[len(prefix):len(prefix) + 1] not in ("", "/", "?", "#")
            if host_starts and url.isprintable() and "[" not in url and "]" not in url:
                return url
            break
    try:
        parts = urlsplit(url)
    except ValueError:   # e.g. an unclosed IPv6 bracket
        return None
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def stock_href(market: str, code: str) -> str:
    return f"https://quote.eastmoney.com/unify/r/{quote(market, safe='')}.{quote(code, safe='')}"


def stock_title(stock: StockSummary) -> str:
    """A stock's heading: ``巨化股份 (600160)``, or the code alone."""
    return f"{stock.name} ({stock.code})" if stock.name else stock.code
