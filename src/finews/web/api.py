"""The JSON API's payloads: pure functions of the store and the query."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from ..errors import QueryError
from ..store.base import Store

MAX_LIMIT = 200
DEFAULT_LIMIT = 20


def parse_limit(params: Iterable[tuple[str, str]]) -> int:
    """``limit`` from the query (1…200, default 20); anything else is a QueryError."""
    seen: dict[str, str] = {}
    for key, value in params:
        if key != "limit":
            raise QueryError(f"unknown parameter {key!r}; /api/latest takes only 'limit'")
        if key in seen:
            raise QueryError("'limit' is given more than once")
        seen[key] = value
    raw = seen.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        raise QueryError(f"'limit' must be a whole number from 1 to {MAX_LIMIT}")
    limit = int(raw)
    if not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"'limit' must be from 1 to {MAX_LIMIT}, not {limit}")
    return limit


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _published_seq(store: Store) -> int | None:
    raw = store.get_state("publish.seq")
    return int(raw) if raw and raw.isdigit() else None


def latest_payload(store: Store, limit: int, base_url: str) -> dict[str, Any]:
    return {
        "seq": _published_seq(store),
        "stories": [{
            "id": h.id, "title": h.title, "path": h.path, "url": base_url + h.path,
            "published": _iso(h.published), "category": h.category_slug,
            "media": h.media, "digest": h.digest,
        } for h in store.newest(limit)],
    }


def status_payload(store: Store, source_names: Iterable[str]) -> dict[str, Any]:
    sources = []
    for name in source_names:
        st = store.source_state(name)
        sources.append({
            "name": name, "last_attempt": _iso(st.last_attempt),
            "last_success": _iso(st.last_success), "last_error": st.last_error,
            "error_count": st.error_count, "next_attempt": _iso(st.next_attempt),
            "served": st.served, "new": st.new, "updated": st.updated,
            "unchanged": st.unchanged, "quarantined": st.quarantined,
        })
    return {
        "articles": store.count_articles(),
        "quarantine": store.count_quarantine(),
        "published_seq": _published_seq(store),
        "sources": sources,
    }
