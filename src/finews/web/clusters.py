"""``GET /api/clusters`` and ``GET /api/stocks/<id>``, and search results grouped
by cluster: pure functions of the store and the query.

``/api/clusters``  ``hours`` (1–720, default 24): clusters with a story in
                   that many hours before the newest story; ``limit``
                   (1–100, default 20); ``min_size`` (2–1000, default 2).
``/api/stocks/<market>.<code>``  ``page`` (1-based, default 1), ``size``
                   (1–200, default 20): the stock and its stories, newest first.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Mapping

from .. import urls
from ..errors import QueryError
from ..model import Headline
from ..store.base import Store

#: Stories listed per cluster in /api/clusters.
CLUSTER_STORIES = 20


def _number(params: Mapping[str, str], name: str, default: int, low: int, top: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6 or not low <= int(raw) <= top:
        raise QueryError(f"'{name}' must be a whole number from {low} to {top}")
    return int(raw)


def _known(params: Mapping[str, str], allowed: tuple[str, ...], endpoint: str) -> None:
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise QueryError(f"unknown parameter {unknown[0]!r}; {endpoint} takes "
                         + ", ".join(allowed))


def story_json(h: Headline, base_url: str) -> dict[str, Any]:
    return {"id": h.id, "title": h.title, "path": h.path, "url": base_url + h.path,
            "published": h.published.isoformat(), "category": h.category_slug,
            "media": h.media, "digest": h.digest}


def clusters_payload(store: Store, params: Mapping[str, str], base_url: str) -> dict[str, Any]:
    _known(params, ("hours", "limit", "min_size"), "/api/clusters")
    hours = _number(params, "hours", 24, 1, 720)
    limit = _number(params, "limit", 20, 1, 100)
    min_size = _number(params, "min_size", 2, 2, 1000)
    newest = store.newest(1)
    if not newest:
        return {"since": None, "clusters": []}
    since = newest[0].published - timedelta(hours=hours)
    found = []
    for c in store.largest_clusters(since, limit, min_size=min_size):
        members = store.cluster_members(c.cluster_id, CLUSTER_STORIES)
        found.append({"id": c.cluster_id, "size": c.size,
                      "newest": c.newest.isoformat(),
                      "lead": story_json(c.lead, base_url),
                      "stories": [story_json(h, base_url) for h in members]})
    return {"since": since.isoformat(), "clusters": found}


def stock_payload(store: Store, stock_id: str, params: Mapping[str, str],
                  base_url: str) -> dict[str, Any] | None:
    """The stock ``market.code`` and a page of its stories; None when no story names it."""
    _known(params, ("page", "size"), "/api/stocks/<id>")
    market, dot, code = stock_id.partition(".")
    if not dot or not market or not code or len(stock_id) > 40:
        raise QueryError(f"a stock id is market and code, such as 1.600160, not {stock_id[:40]!r}")
    size = _number(params, "size", 20, 1, 200)
    page = _number(params, "page", 1, 1, 100_000)
    stock = store.stock(market, code)
    if stock is None:
        return None
    pages = max(1, -(-stock.count // size))
    heads = store.stock_newest(market, code, size, (page - 1) * size)
    return {
        "stock": {"id": f"{market}.{code}", "market": market, "code": code,
                  "name": stock.name, "count": stock.count,
                  "path": urls.stock_path(market, code),
                  "url": base_url + urls.stock_path(market, code),
                  "feed": base_url + urls.stock_feed_path(market, code)},
        "page": page, "size": size, "pages": pages,
        "stories": [story_json(h, base_url) for h in heads],
    }


def group_results(payload: dict[str, Any], store: Store) -> dict[str, Any]:
    """A search answer with each cluster's hits folded into its best-ranked
    one on this page: that result gains ``cluster`` and ``also`` (the other
    hits' ids, in rank order); the others leave ``results``."""
    results = payload["results"]
    of = store.clusters_of([r["id"] for r in results])
    kept: list[dict[str, Any]] = []
    first: dict[int, dict[str, Any]] = {}
    for result in results:
        cluster = of.get(result["id"])
        if cluster is not None and cluster in first:
            first[cluster]["also"].append(result["id"])
            continue
        result = {**result, "cluster": cluster, "also": []}
        if cluster is not None:
            first[cluster] = result
        kept.append(result)
    return {**payload, "results": kept}
