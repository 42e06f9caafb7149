"""RSS 0.9x/1.0/2.0 and Atom documents → RawItems, read with feedparser.

feedparser is forgiving by design: a feed with a small error (``bozo``) is
still read. A document that is not a feed at all raises ParseError.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import datetime, timezone
from typing import Any

import feedparser

from ..errors import ItemError, ParseError
from ..model import RawItem
from .jsonlist import MAX_ID_LENGTH, ListResult, payload_bytes


def _iso(entry: Any) -> str | None:
    """Published (else updated) time as ISO 8601 in UTC, else the raw string."""
    # dict.get: feedparser's own get() maps updated→published with a warning.
    for key in ("published", "updated", "created"):
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            stamp = calendar.timegm(parsed)
            return datetime.fromtimestamp(stamp, timezone.utc).isoformat()
    for key in ("published", "updated", "created"):
        if dict.get(entry, key):
            return str(dict.get(entry, key))
    return None


def _str(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _ident(entry: Any, title: str | None, published: str | None) -> str:
    ident = _str(entry.get("id")) or _str(entry.get("link"))
    if ident is None:
        if not title:
            raise ItemError("the feed entry has no id, link or title")
        digest = hashlib.sha256(f"{title}\n{published or ''}".encode()).hexdigest()
        ident = f"sha256-{digest[:32]}"
    if len(ident) > MAX_ID_LENGTH:
        raise ItemError(f"the feed entry's id is {len(ident)} characters long "
                        f"(at most {MAX_ID_LENGTH})")
    return ident


def _snapshot(entry: Any) -> dict[str, Any]:
    """The entry's own fields as plain JSON-able data, kept as the payload."""
    keep = ("id", "title", "link", "summary", "published", "updated", "author")
    out: dict[str, Any] = {k: str(dict.get(entry, k)) for k in keep if dict.get(entry, k)}
    if entry.get("content"):
        out["content"] = [str(c.get("value", "")) for c in entry["content"]]
    if entry.get("tags"):
        out["tags"] = [str(t.get("term", "")) for t in entry["tags"]]
    return out


def read_entry(entry: Any, feed_title: str | None, source: str) -> RawItem:
    title = _str(entry.get("title"))
    published = _iso(entry)
    body = None
    if entry.get("content"):
        body = _str(entry["content"][0].get("value"))
    tags = tuple(t for t in (_str(tag.get("term")) for tag in entry.get("tags", [])) if t)
    return RawItem(
        source=source, upstream_id=_ident(entry, title, published), title=title,
        digest=_str(entry.get("summary")), body_html=body, published=published,
        media=_str(entry.get("author")) or feed_title, url=_str(entry.get("link")),
        tags=tags, payload=payload_bytes(_snapshot(entry)))


def parse_feed(data: bytes, source: str) -> ListResult:
    """Read an RSS or Atom document; one bad entry is a reject, not a failure."""
    if not data.strip():
        raise ParseError("the answer is empty: expected an RSS or Atom feed")
    try:
        # finews sanitises every body itself, last, after processing; the
        # adapter keeps the upstream markup as it came.
        parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    except Exception as exc:  # feedparser has no error type of its own
        raise ParseError(f"the feed cannot be read: {exc}") from exc
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        hint = f" ({reason})" if reason else ""
        raise ParseError(f"the answer is not an RSS or Atom feed{hint}")
    feed_title = _str(parsed.feed.get("title"))
    result = ListResult()
    for entry in parsed.entries:
        try:
            result.items.append(read_entry(entry, feed_title, source))
        except ItemError as exc:
            result.rejects.append((_str(entry.get("id")), exc.message,
                                   payload_bytes(_snapshot(entry))))
    return result
