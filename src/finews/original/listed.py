"""Each list's copy of a story, read back from what was kept as the original read it.

The original wrote a post from the list item and the full-text answer it
had just fetched, field by field (upstream names, see the project's notes on
the original): rolling news ``title``, ``digest`` (the text after ``】``),
``url_w`` and the full text's ``content``; per-media and market news
``title`` and the full text's ``text``; and it removed the ``　　`` indents.
finews keeps each item's raw payload (the list item, the full-text answer
and the body as received), so the export reads the same fields back. A copy
whose payload lacks a field (stored before bodies were kept, or from a
source mapped to other names) falls back to the processed story's value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..model import Article

#: The original's field names per list shape.
ROLLING_FIELDS = {"title": "title", "digest": "digest", "link": "url_w", "body": "content"}
NEWS_FIELDS = {"title": "title", "body": "text"}
INDENT = "\u3000\u3000"


@dataclass(frozen=True, slots=True)
class ListedCopy:
    """What the original would have written a post from."""

    shape: str                # "rolling", "media" or "market" ("media" for other sources)
    upstream_id: str
    title: str
    published: datetime
    digest: str               # rolling: the list digest after its last 】
    link: str | None          # rolling: url_w
    body: str                 # HTML, indents removed
    received: bool            # whether ``body`` is the upstream's own (not the processed one)


def _json(text: Any) -> dict[str, Any]:
    if not isinstance(text, (str, bytes)):
        return {}
    try:
        value = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        return {}
    return value if isinstance(value, dict) else {}


def _text(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    return value if isinstance(value, str) else None


def listed_copy(article: Article, payload: bytes | None) -> ListedCopy:
    """The copy of ``article`` its list served, from its kept ``payload``."""
    shape = article.shape if article.shape in ("rolling", "media", "market") else None
    envelope = _json(payload) if shape else {}
    item = _json(envelope.get("item"))
    fields = ROLLING_FIELDS if shape == "rolling" else NEWS_FIELDS
    body = _text(envelope, "body")
    if body is None:
        body = _text(_json(envelope.get("fulltext")), fields["body"])
    received = body is not None
    if body is None:
        body = article.body_html
    digest = _text(item, "digest")
    digest = (digest if digest is not None else article.digest).split("】")[-1]
    link = _text(item, "url_w") if shape == "rolling" else None
    return ListedCopy(
        shape=shape or "media", upstream_id=article.upstream_id,
        title=_text(item, "title") or article.title, published=article.published,
        digest=digest, link=link if link is not None else article.url,
        body=body.replace(INDENT, "") if received else body, received=received)
