"""``GET /api/search``: query-string parameters in, one JSON document out.

Parameters (all optional except ``q``):

=========  =====================================================================
``q``      the search (words, ``"phrases"``, ``OR``, ``-exclude``)
``media``  a category slug or media name
``stock``  a stock code, ``600519``, or market and code, ``1.600519``
``from``   first day, ``YYYY-MM-DD`` in the site's time zone
``to``     last day (inclusive), ``YYYY-MM-DD``
``order``  ``relevance`` (default) or ``newest``
``page``   1-based page number (default 1)
``size``   results per page, 1–50 (default 20)
``group``  ``cluster``: each cluster of near-duplicate stories once per page
=========  =====================================================================

A bad value raises :class:`~finews.errors.QueryError` naming the parameter;
the web layer turns it into its usual JSON error with status 400.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from ..errors import QueryError
from .engine import MAX_RESULTS_WINDOW, SearchResults, search
from .query import SearchQuery

PARAMETERS = ("q", "media", "stock", "from", "to", "order", "page", "size", "group")
DEFAULT_SIZE, MAX_SIZE = 20, 50
_STOCK = re.compile(r"(?:\d{1,3}\.)?[A-Za-z0-9]{1,12}")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not _DAY.fullmatch(raw):
        raise QueryError(f"'{name}' must be a date written YYYY-MM-DD, not {raw[:40]!r}")
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise QueryError(f"'{name}' is not a real date: {raw!r}") from exc


def _number(params: Mapping[str, str], name: str, default: int, top: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not 1 <= int(raw) <= top:
        raise QueryError(f"'{name}' must be a whole number from 1 to {top}")
    return int(raw)


def parse_params(params: Mapping[str, str]) -> tuple[SearchQuery, str, int, int]:
    """(query, order, page, size) from query-string parameters."""
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise QueryError(f"unknown parameter {unknown[0]!r}; /api/search takes "
                         + ", ".join(PARAMETERS))
    text = params.get("q", "").strip()
    if not text:
        raise QueryError("'q' is missing: give the words to search for")
    stock = params.get("stock", "").strip() or None
    if stock is not None and not _STOCK.fullmatch(stock):
        raise QueryError(f"'stock' must be a stock code such as 600519 or 1.600519, "
                         f"not {stock[:40]!r}")
    media = params.get("media", "").strip() or None
    if media is not None and len(media) > 100:
        raise QueryError("'media' is too long; give a category slug or media name")
    start, end = _day(params, "from"), _day(params, "to")
    if start and end and start > end:
        raise QueryError(f"'from' ({start}) is after 'to' ({end})")
    order = params.get("order", "").strip() or "relevance"
    if order not in ("relevance", "newest"):
        raise QueryError(f"'order' must be relevance or newest, not {order[:40]!r}")
    size = _number(params, "size", DEFAULT_SIZE, MAX_SIZE)
    page = _number(params, "page", 1, MAX_RESULTS_WINDOW // size)
    parse_group(params)
    return SearchQuery(text, media, stock, start, end), order, page, size


def parse_group(params: Mapping[str, str]) -> bool:
    """Whether results are grouped by cluster (``group=cluster``)."""
    group = params.get("group", "").strip()
    if group not in ("", "cluster"):
        raise QueryError(f"'group' must be cluster (or left out), not {group[:40]!r}")
    return group == "cluster"


def results_json(results: SearchResults, page: int, tz: ZoneInfo,
                 base_url: str = "/") -> dict[str, Any]:
    size = results.limit
    q = results.query
    return {
        "query": {"q": q.text, "media": q.media, "stock": q.stock,
                  "from": q.date_from.isoformat() if q.date_from else None,
                  "to": q.date_to.isoformat() if q.date_to else None,
                  "order": results.order, "page": page, "size": size},
        "total": results.total,
        "total_exact": results.total_exact,
        "pages": min(-(-results.total // size), MAX_RESULTS_WINDOW // size),
        "results": [{
            "id": h.id, "title": h.title, "title_html": h.title_html,
            "path": h.path, "url": base_url + h.path,
            "published": h.published.astimezone(tz).isoformat(),
            "media": h.media, "category": h.category_slug,
            "snippet_html": h.snippet_html, "score": h.score,
        } for h in results.hits],
    }


def search_json(conn: sqlite3.Connection, params: Mapping[str, str], *, tz: ZoneInfo,
                base_url: str = "/") -> dict[str, Any]:
    """Validate ``params``, search, and return the API's JSON document."""
    query, order, page, size = parse_params(params)
    results = search(conn, query, limit=size, offset=(page - 1) * size, order=order, tz=tz)
    return results_json(results, page, tz, base_url)
