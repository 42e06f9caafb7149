"""What each template is given: one frozen dataclass per page kind.

Templates see only these records (as ``page``), never store objects, so
what a page can show is written down here. Every link is relative to the
page (``root`` climbs back to the site's top), so the site works on any
static host, under any sub-path, and from the built-in server alike.
Text fields are plain text and are escaped by the templates; the only HTML
is ``StoryPage.body_html``, which the store holds already sanitised.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..model import Headline


def root_for(path: str) -> str:
    """The relative prefix from the page at ``path`` back to the site's top."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


def china_time(when: datetime, tz: ZoneInfo) -> str:
    """``(GMT+8, Asia/Shanghai, CST) 2022-03-01 09:30:00``, as the original showed."""
    local = when.astimezone(tz)
    # isoformat is strftime's output here at a fraction of its cost (every
    # story page and listed story asks).
    return (f"({_gmt(local.utcoffset() or _ZERO)}, {tz.key}, {local.tzname()}) "
            f"{local.isoformat(' ', 'seconds')[:19]}")


@lru_cache(maxsize=64)
def _gmt(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours}" + (f":{rest:02d}" if rest else "")


_ZERO = timedelta(0)


def short_time(when: datetime, tz: ZoneInfo) -> str:
    return when.astimezone(tz).isoformat(" ", "minutes")[:16]


@dataclass(frozen=True, slots=True)
class Layout:
    """What the base layout needs on every page."""

    site_title: str
    page_title: str
    root: str                  # relative prefix to the site's top ("./", "../"…)
    kind: str                  # "listing", "story" or "plain": how live.js behaves
    live_interval: int         # seconds between checks of latest.json
    feed_href: str             # the feed announced in <head>
    search_action: str | None = None   # a search form is shown when set


@dataclass(frozen=True, slots=True)
class StoryLink:
    title: str
    href: str
    time: str
    iso: str
    media: str
    digest: str = ""


@dataclass(frozen=True, slots=True)
class OutletLink:
    name: str
    href: str
    count: int = 0             # stories among the newest (home) or in all (index)


@dataclass(frozen=True, slots=True)
class OutletGroup:
    """Outlets whose slug starts with one letter, on the outlet index."""

    letter: str
    outlets: tuple[OutletLink, ...]


@dataclass(frozen=True, slots=True)
class HomePage:
    layout: Layout
    latest: tuple[StoryLink, ...]
    clusters: tuple[ClusterLink, ...]
    # The outlets busiest among the newest stories, and how many there are in all.
    outlets: tuple[OutletLink, ...]
    outlet_total: int
    outlets_href: str


@dataclass(frozen=True, slots=True)
class OutletIndexPage:
    layout: Layout
    groups: tuple[OutletGroup, ...]
    total: int


@dataclass(frozen=True, slots=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True, slots=True)
class CategoryPage:
    """A category's front page (``page == 0``) or one numbered page."""

    layout: Layout
    name: str
    tag: str
    page: int
    total: int                 # stories in the category
    stories: tuple[StoryLink, ...]   # newest first
    # The numbered pages, oldest first. Only the front page shows them (and
    # the total): a numbered page must not change when stories are appended
    # after it, or every append would rewrite every page.
    pages: tuple[PageLink, ...]
    front_href: str
    feed_href: str
    newer_href: str | None
    older_href: str | None


@dataclass(frozen=True, slots=True)
class StockLink:
    name: str
    code: str
    href: str                  # the stock's page on this site
    quote_href: str            # its quote page at East Money
    count: int = 0             # stories that mention it (the stock index shows it)


@dataclass(frozen=True, slots=True)
class StockIndexPage:
    layout: Layout
    stocks: tuple[StockLink, ...]   # the most mentioned first


@dataclass(frozen=True, slots=True)
class PeerLink:
    """Another outlet's report of the same news, on a story page."""

    title: str
    href: str
    media: str
    time: str
    lead: bool                 # the cluster's earliest report


@dataclass(frozen=True, slots=True)
class ClusterLink:
    """A cluster on the home page: its lead story and how many reports."""

    title: str
    href: str
    media: str
    time: str
    size: int


@dataclass(frozen=True, slots=True)
class StoryPage:
    layout: Layout
    title: str
    time: str                  # "(GMT+8, Asia/Shanghai, CST) …"
    iso: str
    media: str
    body_html: str             # sanitised by the store's writer; inserted as it is
    digest: str
    tags: tuple[str, ...]
    stocks: tuple[StockLink, ...]
    source_url: str | None     # only http(s) links
    category_tag: str
    category_href: str
    # Other reports of the same news (its cluster), earliest first; and how
    # many reports the cluster has in all.
    peers: tuple[PeerLink, ...] = ()
    cluster_size: int = 0


@dataclass(frozen=True, slots=True)
class DayPage:
    layout: Layout
    day: str
    stories: tuple[StoryLink, ...]
    archive_href: str


@dataclass(frozen=True, slots=True)
class DayLink:
    day: str
    href: str
    count: int


@dataclass(frozen=True, slots=True)
class ArchivePage:
    layout: Layout
    days: tuple[DayLink, ...]


@dataclass(frozen=True, slots=True)
class RedirectPage:
    layout: Layout
    target: str                # relative URL of the new page


def story_link(h: Headline, root: str, tz: ZoneInfo) -> StoryLink:
    return StoryLink(title=h.title, href=root + h.path, time=short_time(h.published, tz),
                     iso=h.published.isoformat(), media=h.media, digest=h.digest)


def day_label(day: date) -> str:
    return f"{day:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class NotFoundPage:
    layout: Layout
