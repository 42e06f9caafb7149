"""Search over HTTP: ``GET /api/search`` (JSON) and ``GET /search`` (a page).

Both read the same query-string parameters (see :mod:`finews.search.api`);
a bad value is a 400 with the usual JSON error on the API and a page saying
what is wrong on the HTML side. User input reaches the engine only through
the query parser, which quotes every token.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlencode

from ..config import SiteSettings
from ..errors import QueryError
from ..publish.context import Layout
from ..publish.render import render
from ..search.api import parse_group, parse_params, results_json
from .clusters import group_results
from ..store.base import Store


def search_payload(store: Store, params: Mapping[str, str], site: SiteSettings) -> dict:
    query, order, page, size = parse_params(params)
    results = store.search(query, limit=size, offset=(page - 1) * size, order=order)
    payload = results_json(results, page, site.tz, site.base_url)
    if parse_group(params):
        payload = group_results(payload, store)
    payload["query"]["group"] = "cluster" if parse_group(params) else None
    return payload


@dataclass(frozen=True, slots=True)
class SearchHitView:
    href: str
    title_html: str
    snippet_html: str
    time: str
    media: str
    also: int = 0               # other reports of its cluster folded into it


@dataclass(frozen=True, slots=True)
class SearchPage:
    """The context of ``search.html``."""

    layout: Layout
    q: str
    error: str | None
    total: int
    total_exact: bool
    hits: tuple[SearchHitView, ...]
    newer_href: str | None      # previous page of results
    older_href: str | None      # next page of results
    group: bool = False         # results grouped by cluster


def _page_href(params: Mapping[str, str], page: int) -> str:
    kept = {k: v for k, v in params.items() if k != "page" and v}
    return "/search?" + urlencode({**kept, "page": str(page)})


def search_page(store: Store | None, params: Mapping[str, str], site: SiteSettings, *,
                search: Callable[[Store, Mapping[str, str]], dict] | None = None) -> str:
    """The results page (``store`` None: only the form, no query given).

    ``search`` answers the query (default :func:`search_payload`; the web app
    passes one that times it).
    """
    q = params.get("q", "").strip()
    layout = Layout(site_title=site.title, page_title=f"搜索：{q}" if q else "搜索", root="/",
                    kind="plain", live_interval=site.live_interval, feed_href="/feed.xml",
                    search_action="/search")
    error, data = None, None
    if q and store is not None:
        try:
            data = (search(store, params) if search is not None
                    else search_payload(store, params, site))
        except QueryError as exc:
            error = exc.message
    hits: tuple[SearchHitView, ...] = ()
    newer = older = None
    if data:
        hits = tuple(SearchHitView(
            href="/" + hit["path"], title_html=hit["title_html"],
            snippet_html=hit["snippet_html"], time=hit["published"][:16].replace("T", " "),
            media=hit["media"], also=len(hit.get("also", ())))
            for hit in data["results"])
        page = data["query"]["page"]
        newer = _page_href(params, page - 1) if page > 1 else None
        older = _page_href(params, page + 1) if page < data["pages"] else None
    return render(SearchPage(layout=layout, q=q, error=error,
                             total=data["total"] if data else 0,
                             total_exact=data["total_exact"] if data else True,
                             hits=hits, newer_href=newer, older_href=older,
                             group=params.get("group") == "cluster"), "search.html")
