"""What each JSON endpoint takes and answers, for the OpenAPI document.

The parameters listed here are checked against the ones the code accepts
(``search.api.PARAMETERS``, ``web.api.parse_limit``) by the tests, and the
answers against the live server by a property-based test.
"""

from __future__ import annotations

from ..search.api import MAX_SIZE
from ..search.query import MAX_QUERY_CHARS
from .api import DEFAULT_LIMIT, MAX_LIMIT
from .clusters import CLUSTER_STORIES
from .openapi import JSON, Operation, Param

_TIME = {"type": "string", "format": "date-time"}
_TIME_OR_NULL = {"type": ["string", "null"], "format": "date-time"}
_INT_OR_NULL = {"type": ["integer", "null"]}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "additionalProperties": False,
            "required": required if required is not None else list(properties),
            "properties": properties}


_STORY = _object({
    "id": {"type": "integer"}, "title": {"type": "string"},
    "path": {"type": "string", "description": "site-relative path of the story's page"},
    "url": {"type": "string"}, "published": _TIME_OR_NULL,
    "category": {"type": "string", "description": "the outlet's slug"},
    "media": {"type": "string"}, "digest": {"type": "string"},
})

_HIT = _object({
    "id": {"type": "integer"}, "title": {"type": "string"},
    "title_html": {"type": "string", "description": "escaped HTML, matches in <mark>"},
    "path": {"type": "string"}, "url": {"type": "string"}, "published": _TIME,
    "media": {"type": "string"}, "category": {"type": "string"},
    "snippet_html": {"type": "string", "description": "escaped HTML, matches in <mark>"},
    "score": {"type": "number"},
    "cluster": {"type": ["integer", "null"],
                "description": "with group=cluster: the story's cluster"},
    "also": {"type": "array", "items": {"type": "integer"},
             "description": "with group=cluster: ids of this page's other hits of "
                            "the cluster, in rank order"},
}, required=["id", "title", "title_html", "path", "url", "published", "media",
             "category", "snippet_html", "score"])

_STRING_OR_NULL = {"type": ["string", "null"]}

SEARCH = Operation(
    "search", "Full-text search of the archive",
    description="Words must all match unless joined by OR; \"phrases\", -exclude. "
                "Ranked by relevance (BM25, titles above bodies, recent stories first "
                "among equals) or newest first.",
    parameters=(
        Param("q", "the search: words, \"phrases\", OR, -word",
              {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
              required=True),
        Param("media", "only this outlet: a category slug or media name",
              {"type": "string", "maxLength": 100}),
        Param("stock", "only stories naming this stock: 600519 or 1.600519",
              {"type": "string", "pattern": r"^(\d{1,3}\.)?[A-Za-z0-9]{1,12}$"}),
        Param("from", "first day, YYYY-MM-DD in the site's time zone",
              {"type": "string", "format": "date"}),
        Param("to", "last day (inclusive), YYYY-MM-DD", {"type": "string", "format": "date"}),
        Param("order", "relevance (default) or newest",
              {"type": "string", "enum": ["relevance", "newest"]}),
        Param("page", "1-based page of results", {"type": "integer", "minimum": 1}),
        Param("size", f"results per page (default 20)",
              {"type": "integer", "minimum": 1, "maximum": MAX_SIZE}),
        Param("group", "cluster: each cluster of near-duplicate stories once per page",
              {"type": "string", "enum": ["cluster"]}),
    ),
    answers={JSON: _object({
        "query": _object({
            "q": {"type": "string"}, "media": _STRING_OR_NULL, "stock": _STRING_OR_NULL,
            "from": _STRING_OR_NULL, "to": _STRING_OR_NULL,
            "order": {"type": "string", "enum": ["relevance", "newest"]},
            "page": {"type": "integer"}, "size": {"type": "integer"},
            "group": {"type": ["string", "null"], "enum": ["cluster", None]},
        }),
        "total": {"type": "integer", "minimum": 0},
        "total_exact": {"type": "boolean",
                        "description": "false when there are more than total"},
        "pages": {"type": "integer", "minimum": 0},
        "results": {"type": "array", "items": _HIT},
    })},
)

LATEST = Operation(
    "latest", "The newest stories",
    parameters=(Param("limit", f"how many (default {DEFAULT_LIMIT})",
                      {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),),
    answers={JSON: _object({
        "seq": {**_INT_OR_NULL, "description": "the change sequence the site shows"},
        "stories": {"type": "array", "items": _STORY},
    })},
)

STATUS = Operation(
    "status", "Story and quarantine counts, and each source's state",
    answers={JSON: _object({
        "articles": {"type": "integer", "minimum": 0},
        "quarantine": {"type": "integer", "minimum": 0},
        "published_seq": _INT_OR_NULL,
        "sources": {"type": "array", "items": _object({
            "name": {"type": "string"}, "last_attempt": _TIME_OR_NULL,
            "last_success": _TIME_OR_NULL, "last_error": _STRING_OR_NULL,
            "error_count": {"type": "integer", "minimum": 0},
            "next_attempt": _TIME_OR_NULL,
            "served": {"type": "integer"}, "new": {"type": "integer"},
            "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
            "quarantined": {"type": "integer"},
        })},
    })},
)

EVENTS = Operation(
    "events", "Server-Sent Events: the published sequence each time the site changes",
    description="A stream that stays open: `event: seq` with `data: {\"seq\": N}`, and "
                "a comment line now and then to keep it alive.",
    answers={"text/event-stream": {
        "type": "object", "description": "one event of the stream",
        "required": ["event", "data"],
        "properties": {
            "event": {"const": "seq"},
            "data": {"type": "string", "contentMediaType": JSON,
                     "contentSchema": _object({"seq": {"type": "integer"}})},
        },
    }}, errors=(),
)

OPENAPI = Operation("openapi", "This document", answers={JSON: {"type": "object"}},
                    errors=(), tags=("meta",))

METRICS = Operation(
    "metrics", "Prometheus metrics (text exposition format)",
    description="Fetch attempts, errors by kind, items by outcome and fetch times per "
                "source; builds, pages written and build times; search times; the "
                "store's stories, quarantine and size, and each source's errors in a row.",
    answers={"text/plain": {"type": "string"}}, errors=(), tags=("meta",),
)


def _count(name: str, low: int, top: int, default: int, about: str) -> Param:
    return Param(name, f"{about} (default {default})",
                 {"type": "integer", "minimum": low, "maximum": top})


CLUSTERS = Operation(
    "clusters", "The largest clusters of near-duplicate stories of the last hours",
    parameters=(
        _count("hours", 1, 720, 24, "clusters with a story this many hours before the "
               "newest story"),
        _count("limit", 1, 100, 20, "clusters at most"),
        _count("min_size", 2, 1000, 2, "stories a cluster has at least"),
    ),
    answers={JSON: _object({
        "since": _TIME_OR_NULL,
        "clusters": {"type": "array", "items": _object({
            "id": {"type": "integer"}, "size": {"type": "integer", "minimum": 2},
            "newest": _TIME, "lead": _STORY,
            "stories": {"type": "array", "items": _STORY,
                        "description": f"earliest first, at most {CLUSTER_STORIES}"},
        })},
    })},
)

STOCK = Operation(
    "stock", "A stock and its stories, newest first",
    parameters=(
        Param("stock_id", "market and code, e.g. 1.600160", {"type": "string"},
              location="path"),
        _count("page", 1, 100_000, 1, "1-based page"),
        _count("size", 1, 200, 20, "stories a page"),
    ),
    answers={JSON: _object({
        "stock": _object({
            "id": {"type": "string"}, "market": {"type": "string"},
            "code": {"type": "string"}, "name": {"type": "string"},
            "count": {"type": "integer", "minimum": 1}, "path": {"type": "string"},
            "url": {"type": "string"}, "feed": {"type": "string"},
        }),
        "page": {"type": "integer"}, "size": {"type": "integer"},
        "pages": {"type": "integer"},
        "stories": {"type": "array", "items": _STORY},
    })},
    errors=(400, 404, 503),
)
