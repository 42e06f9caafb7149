"""Listing pages, feeds, ``latest.json`` and sitemaps for one build.

``note`` is told of every story page a build writes; from that it knows
which categories (and from which rank on) and which days to render again.
Category pages are numbered from the oldest story, so a new story only
changes its category's front page and last numbered page; a back-dated one
changes the pages from its own on.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import date, datetime
from itertools import islice
from typing import Callable, Iterator, Sequence

from .. import urls
from ..cluster.shown import collapse
from ..errors import PublishError
from ..model import Category, Headline, StoredArticle
from ..store.base import Store, StockSummary
from .feeds import FeedInfo, SITEMAP_LIMIT, atom_feed, chunks, sitemap_index, urlset
from .pages import Pages, page_count, stock_title
from .render import render
from .writer import SiteWriter

PAGES_KEY = "publish.pages"
#: Each stock's numbered page count and the name its pages show.
STOCK_PAGES_KEY = "publish.stock_pages"
#: Top-level folders of the site; a category's ``<slug>/index.html`` shortcut
#: is not written where it would shadow one of them.
RESERVED = {"archive", "category", "static", "sitemap", "api", "stock", "media"}
#: Stories listed in latest.json (what live pages compare against).
LATEST_SIZE = 50


class ListingWriter:
    def __init__(self, store: Store, writer: SiteWriter, pages: Pages,
                 progress: Callable[[str, int, int], None] | None = None) -> None:
        self.store, self.writer, self.pages = store, writer, pages
        self.site = pages.site
        self.progress = progress
        self.skipped: list[str] = []
        self._cats: dict[int, Category] = {}
        self._first: dict[int, tuple[datetime, int]] = {}
        self._days: set[date] = set()
        self._ids: set[int] = set()
        self._all_days = False
        self._day_cache: dict[date, list[Headline]] = {}
        raw = store.get_state(PAGES_KEY)
        self._page_counts: dict[str, int] = json.loads(raw) if raw else {}
        # Stocks to write again: (market, code) → the earliest (published, id)
        # a change touched there; None means from the first page.
        self._stocks: dict[tuple[str, str], tuple[datetime, int] | None] = {}
        self._stocks_of: dict[int, tuple[tuple[str, str], ...]] = {}
        raw = store.get_state(STOCK_PAGES_KEY)
        self._stock_pages: dict[str, list] = json.loads(raw) if raw else {}

    def note(self, stored: StoredArticle) -> None:
        cid = stored.category.id
        self._cats[cid] = stored.category
        self._ids.add(stored.id)
        key = (stored.article.published, stored.id)
        if cid not in self._first or key < self._first[cid]:
            self._first[cid] = key
        self._days.add(stored.article.published.astimezone(self.site.tz).date())
        stocks = tuple((s.market, s.code) for s in stored.article.stocks)
        if stocks:
            self._stocks_of[stored.id] = stocks
            for stock in stocks:
                self._note_stock(stock, key)

    def _note_stock(self, stock: tuple[str, str], key: tuple[datetime, int] | None) -> None:
        if stock in self._stocks:
            known = self._stocks[stock]
            key = None if known is None or key is None else min(known, key)
        self._stocks[stock] = key

    def note_earlier(self, article_id: int, category_id: int, published: datetime) -> None:
        """An earlier time of a noted story: its old day and category pages list it there."""
        key = (published, article_id)
        if category_id in self._first and key < self._first[category_id]:
            self._first[category_id] = key
        self._days.add(published.astimezone(self.site.tz).date())
        for stock in self._stocks_of.get(article_id, ()):
            self._note_stock(stock, key)

    def note_earlier_stock(self, article_id: int, market: str, code: str) -> None:
        """A stock an earlier version of a noted story mentioned: if this
        version does not, its pages listed the story somewhere (written
        again from page 1)."""
        if (market, code) not in self._stocks_of.get(article_id, ()):
            self._note_stock((market, code), None)

    # --- what a build writes ------------------------------------------------------

    def write_affected(self) -> None:
        for cid, cat in self._cats.items():
            published, aid = self._first[cid]
            rank = self.store.category_rank(cid, published, aid)
            self._write_category(cat, rank // self.site.page_size + 1)
        for day in sorted(self._days):
            heads = self._day_heads(day)
            if heads:
                self.writer.write(urls.day_path(day),
                                  render(self.pages.day(self.store, day, heads)))
            else:   # every story of the day was re-dated to another
                self.writer.remove(urls.day_path(day))
        if self._stocks:
            for (market, code), first in sorted(self._stocks.items()):
                stock = self.store.stock(market, code)
                if stock is None:
                    self._remove_stock(market, code)
                    continue
                page = 1 if first is None else (
                    self.store.stock_rank(market, code, *first) // self.site.page_size + 1)
                self._write_stock_pages(stock, page)
            self._write_stock_index()

    def write_everything(self, *, categories_elsewhere: bool = False) -> None:
        """Every listing; with ``categories_elsewhere``, all but the category
        pages and feeds, which worker processes write (``write_category_pages``)."""
        cats = self.store.categories()
        for n, cat in enumerate(cats, 1):
            if not categories_elsewhere:
                self._write_category_pages(cat, 1)
            self._write_redirects(cat)
            if self.progress and n % 100 == 0 and not categories_elsewhere:
                self.progress("categories", n, len(cats))
        self._all_days = True
        for day, _ in self.store.days():
            self.writer.write(urls.day_path(day), render(self.pages.day(self.store, day)))
        self._stock_pages = {}
        stocks = self.store.stocks()
        for n, stock in enumerate(stocks, 1):
            self._write_stock_pages(stock, 1, stock.count)
            if self.progress and n % 100 == 0:
                self.progress("stocks", n, len(stocks))
        self._write_stock_index(stocks)

    def write_category_pages(self, cats: Sequence[Category]) -> dict[str, int]:
        """All pages and the feed of each of ``cats``; their page counts."""
        for cat in cats:
            self._write_category_pages(cat, 1)
        return {str(cat.id): self._page_counts[str(cat.id)] for cat in cats}

    def absorb(self, page_counts: dict[str, int], skipped: Sequence[str]) -> None:
        """What worker processes wrote for this build: page counts and refusals."""
        self._page_counts.update(page_counts)
        self.skipped.extend(skipped)

    def save_state(self) -> None:
        """Remember each category's page count (the next build compares with it)."""
        self.store.set_state(PAGES_KEY, json.dumps(self._page_counts, sort_keys=True))
        self.store.set_state(STOCK_PAGES_KEY,
                             json.dumps(self._stock_pages, sort_keys=True, ensure_ascii=False))

    def write_site_wide(self, seq: int) -> None:
        store, site = self.store, self.site
        cats = store.categories()
        self.writer.write("index.html", render(self.pages.home(store, cats)))
        self.writer.write(urls.OUTLET_INDEX, render(self.pages.outlet_index(cats)))
        days = store.days()   # a walk of the whole day index: read once per build
        self.writer.write("archive/index.html", render(self.pages.archive(store, days)))
        info = FeedInfo(site.title, site.base_url + "feed.xml", site.base_url, site.title)
        self.writer.write("feed.xml", atom_feed(info, self._full(None, self._site_newest), site.base_url))
        self._write_latest(seq)
        self._write_sitemaps(cats, days)

    # --- pieces ---------------------------------------------------------------

    def _write_category(self, cat: Category, first_page: int) -> None:
        self._write_category_pages(cat, first_page)
        self._write_redirects(cat)

    def _write_category_pages(self, cat: Category, first_page: int) -> None:
        count = self.store.category_count(cat.id)
        previous = self._page_counts.get(str(cat.id), 0)
        base = self.site.base_url
        info = FeedInfo(cat.tag, base + urls.category_feed_path(cat.slug),
                        base + urls.category_path(cat.slug), cat.name)
        self._page_counts[str(cat.id)] = self._write_paged(
            first_page, previous, count,
            lambda offset: self.store.category_walk(cat.id, offset),
            lambda limit: self.store.category_newest(cat.id, limit),
            lambda page, heads: self.pages.category(cat, page, count, heads),
            lambda page: urls.category_path(cat.slug, page),
            urls.category_feed_path(cat.slug), info)

    def _write_stock_pages(self, stock: StockSummary, first_page: int,
                           count: int | None = None) -> None:
        market, code = stock.market, stock.code
        key = urls.stock_key(market, code)
        previous, name = self._stock_pages.get(key, (0, None))
        if name != stock.name:
            first_page = 1   # every page shows the name
        count = stock.count if count is None else count
        base = self.site.base_url
        info = FeedInfo(stock_title(stock), base + urls.stock_feed_path(market, code),
                        base + urls.stock_path(market, code), self.site.title)
        last = self._write_paged(
            first_page, previous, count,
            lambda offset: self.store.stock_walk(market, code, offset),
            lambda limit: self.store.stock_newest(market, code, limit),
            lambda page, heads: self.pages.stock(stock, page, count, heads),
            lambda page: urls.stock_path(market, code, page),
            urls.stock_feed_path(market, code), info)
        for page in range(last + 1, previous + 1):   # fewer pages than before
            self.writer.remove(urls.stock_path(market, code, page))
        self._stock_pages[key] = [last, stock.name]

    def _remove_stock(self, market: str, code: str) -> None:
        """A stock no story mentions any longer has no pages."""
        previous, _ = self._stock_pages.pop(urls.stock_key(market, code), (0, None))
        for page in range(previous + 1):
            self.writer.remove(urls.stock_path(market, code, page))
        self.writer.remove(urls.stock_feed_path(market, code))

    def _write_stock_index(self, stocks: list[StockSummary] | None = None) -> None:
        stocks = self.store.stocks() if stocks is None else stocks
        self.writer.write(urls.STOCK_INDEX, render(self.pages.stock_index(stocks)))

    def _write_paged(self, first_page: int, previous: int, count: int,
                     walk: Callable[[int], Iterator[Headline]],
                     newest_of: Callable[[int], list[Headline]],
                     page_of: Callable[[int, list[Headline]], object],
                     path_of: Callable[[int], str], feed_path: str, info: FeedInfo) -> int:
        """A paged listing (a category's or a stock's) from ``first_page`` on,
        its front page and its feed; the number of numbered pages."""
        size = self.site.page_size
        last = page_count(count, size)
        if 0 < previous < last:
            # The old last page gains a "newer" link to the new one.
            first_page = min(first_page, previous)
        first_page = max(first_page, 1)
        # One walk, oldest first, from the first page to write to the newest
        # story (not a query per page: each would skip all the pages before
        # it again); it ends with the newest stories, the front page's.
        rows = walk((first_page - 1) * size)
        newest: deque[Headline] = deque(maxlen=size)
        for page in range(first_page, last + 1):
            heads = list(islice(rows, size))
            newest.extend(heads)
            heads.reverse()
            self.writer.write(path_of(page), render(page_of(page, heads)))
        close = getattr(rows, "close", None)
        if close is not None:
            close()
        front = (list(reversed(newest)) if first_page == 1 or len(newest) == size
                 else newest_of(size))
        self.writer.write(path_of(0), render(page_of(0, front)))
        feed_heads = front if self.site.feed_size <= len(front) or len(front) == count else None
        self.writer.write(feed_path, atom_feed(info, self._full(feed_heads, newest_of),
                                               self.site.base_url))
        return last

    def _write_redirects(self, cat: Category) -> None:
        """Old addresses of a category: an imported slug that is not URL-safe,
        and ``/<slug>/`` (the original's back-links used it for 东财滚动新闻)."""
        targets = []
        old = cat.original_slug
        if old and urls.safe_segment(old) != old:
            if "/" in old or "\\" in old or "\x00" in old or old.startswith("."):
                self.skipped.append(f"category/{old}.html: unsafe old slug, no redirect")
            else:
                targets.append(f"category/{old}.html")
        if cat.slug not in RESERVED:
            targets.append(f"{cat.slug}/index.html")
        for path in targets:
            try:
                self.writer.write(path, render(self.pages.redirect(path, cat)))
            except PublishError as exc:   # includes UnsafePathError
                self.skipped.append(f"{path}: {exc}")

    def _full(self, newest: list[Headline] | None,
              newest_of: Callable[[int], list[Headline]]) -> list[StoredArticle]:
        """A feed's stories in full; ``newest``: the listing's newest
        headlines when the caller has read at least a feed's worth."""
        size = self.site.feed_size
        heads = newest[:size] if newest is not None else newest_of(size)
        by_id = {s.id: s for s in self.store.articles([h.id for h in heads])}
        return [by_id[h.id] for h in heads if h.id in by_id]

    def _site_newest(self, limit: int) -> list[Headline]:
        """The site feed's stories: with ``collapse_clusters``, a cluster once."""
        if not self.site.collapse_clusters:
            return self.store.newest(limit)
        heads = self.store.newest(limit * 3)
        return collapse(heads, self.store.clusters_of([h.id for h in heads]), limit)

    def _write_latest(self, seq: int) -> None:
        heads = self.store.newest(min(LATEST_SIZE, self.site.home_latest))
        data = {
            "seq": seq,
            "newest": heads[0].published.isoformat() if heads else None,
            "stories": [{"title": h.title, "path": h.path, "category": h.category_slug,
                         "published": h.published.isoformat()} for h in heads],
        }
        self.writer.write("latest.json", json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def _day_heads(self, day: date) -> list[Headline]:
        """A touched day's headlines, read once for its page and its sitemap."""
        if day not in self._day_cache:
            self._day_cache[day] = self.store.day_headlines(day)
        return self._day_cache[day]

    def _write_sitemaps(self, cats: list[Category], days: list[tuple[date, int]]) -> None:
        base = self.site.base_url
        fronts = [base, base + "archive/", base + "stock/", base + "media/"] + [
            base + urls.category_path(c.slug) for c in cats]
        self.writer.write("sitemap/pages.xml", urlset(fronts))
        index = [base + "sitemap/pages.xml"]
        for day, count in sorted(days):
            parts = (count + SITEMAP_LIMIT) // SITEMAP_LIMIT   # the day page is one more URL
            names = [_day_sitemap(day, n) for n in range(1, parts + 1)]
            index += [base + name for name in names]
            if self._all_days or day in self._days:
                locs = [base + urls.day_path(day)] + [
                    base + h.path for h in self._day_heads(day)]
                self._day_cache.pop(day, None)
                for name, piece in zip(names, chunks(locs)):
                    self.writer.write(name, urlset(piece))
                if not self._all_days:   # a day that lost stories may need a part less
                    part = len(names) + 1
                    while self.writer.remove(_day_sitemap(day, part)):
                        part += 1
        for day in self._days - {day for day, _ in days}:
            part = 1                    # a day left without stories: no sitemap either
            while self.writer.remove(_day_sitemap(day, part)):
                part += 1
        self.writer.write("sitemap.xml", sitemap_index(index))


def _day_sitemap(day: date, part: int) -> str:
    suffix = "" if part == 1 else f"-{part}"
    return f"sitemap/{day:%Y-%m-%d}{suffix}.xml"
