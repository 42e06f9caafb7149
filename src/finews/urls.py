"""Where things live on the site: pure functions from records to relative paths.

Story paths follow Jekyll's default ``date`` permalink (``/:categories/:year/
:month/:day/:title.html``) so that sites moved from the original finews keep
their story URLs. Every path segment is made safe here, once: no path built
from upstream data can contain ``..``, a slash of its own, a control
character or anything that is not URL-safe.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_segment(text: str, *, fallback: str = "x", limit: int = 100) -> str:
    """One path segment made of ``[A-Za-z0-9._-]``, never ``.``/``..``/empty."""
    seg = _UNSAFE.sub("-", text).strip("-.")[:limit].strip("-.")
    return seg or fallback


def story_path(category_slug: str, published: datetime, upstream_id: str,
               tz: ZoneInfo) -> str:
    local = published.astimezone(tz)
    return (f"{safe_segment(category_slug)}/{local:%Y/%m/%d}/"
            f"{safe_segment(upstream_id)}.html")


def category_path(slug: str, page: int = 0) -> str:
    """Page 0 is the category's front page (its newest stories)."""
    base = f"category/{safe_segment(slug)}"
    return f"{base}.html" if page == 0 else f"{base}/page/{page}.html"


def day_path(day: date) -> str:
    return f"archive/{day:%Y/%m/%d}.html"


def category_feed_path(slug: str) -> str:
    return f"category/{safe_segment(slug)}.xml"


def stock_key(market: str, code: str) -> str:
    """A stock's id in URLs and the API: ``1.600160`` (East Money's own form)."""
    return f"{safe_segment(market)}.{safe_segment(code)}"


def stock_path(market: str, code: str, page: int = 0) -> str:
    """Page 0 is the stock's front page (its newest stories). Every stock
    path has a dot in its name, so none is ``stock/index.html``."""
    base = f"stock/{stock_key(market, code)}"
    return f"{base}.html" if page == 0 else f"{base}/page/{page}.html"


def stock_feed_path(market: str, code: str) -> str:
    return f"stock/{stock_key(market, code)}.xml"


STOCK_INDEX = "stock/index.html"
OUTLET_INDEX = "media/index.html"
