"""News-list JSON answers → RawItems, driven by a :class:`ListMapping`.

One bad item never spoils a list: it becomes a reject (upstream id if known,
reason, payload) for the ingest loop to quarantine. Only an answer that is
unreadable as a whole (not JSON, no list where the mapping says) raises
ParseError.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urljoin

from ..errors import ItemError, ParseError
from ..model import RawItem
from .decode import load_json
from .mapping import MISSING, ListMapping, first_of, get_path, render_template

#: Longer ids are refused: no upstream uses them, and they end up in paths.
MAX_ID_LENGTH = 256

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_HEADLINE = re.compile(r"^\s*【([^】]*)】\s*", re.S)

#: An item that could not be read: (upstream id if known, reason, payload).
Reject = tuple[str | None, str, bytes]


@dataclass(frozen=True, slots=True)
class ListResult:
    items: list[RawItem] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def payload_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON of one item (ASCII-escaped if it holds lone surrogates)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, separators=(",", ":")).encode("ascii")


def _clean(text: str) -> str:
    # Lone surrogates (legal in JSON "\ud800") cannot be stored as UTF-8.
    return _SURROGATE.sub("\ufffd", text)


def _text(item: Any, paths: str | None, name: str) -> str | None:
    value = first_of(item, paths)
    if value is MISSING:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ItemError(f"field '{name}' (at '{paths}') is {type(value).__name__}, "
                        "expected text")
    text = _clean(str(value)).strip() if isinstance(value, str) else str(value)
    return text or None


def _ident(item: Any, mapping: ListMapping) -> str:
    value = first_of(item, mapping.id)
    if value is MISSING:
        raise ItemError(f"the item has no id at '{mapping.id}'")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        # Floats are refused too: a long id that went through a float is already wrong.
        raise ItemError(f"the item's id at '{mapping.id}' is {type(value).__name__} "
                        f"{value!r:.40}, expected a string or an integer")
    ident = _clean(str(value)).strip()
    if not ident:
        raise ItemError(f"the item's id at '{mapping.id}' is empty")
    if len(ident) > MAX_ID_LENGTH:
        raise ItemError(f"the item's id is {len(ident)} characters long "
                        f"(at most {MAX_ID_LENGTH})")
    return ident


def _strings(item: Any, path: str | None) -> tuple[str, ...]:
    """A list of names or ids; odd elements are skipped rather than failing the item."""
    value = first_of(item, path)
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        return ()
    out = []
    for element in value:
        if isinstance(element, Mapping):
            element = element.get("name", element.get("key"))
        if isinstance(element, (str, int)) and not isinstance(element, bool):
            text = _clean(str(element)).strip()
            if text:
                out.append(text)
    return tuple(out)


def _link(url: str | None, base_url: str | None) -> str | None:
    if url and base_url:
        return urljoin(base_url, url)
    return url


def _headline(title: str | None, digest: str | None) -> tuple[str | None, str | None, str]:
    """Split ``【headline】rest`` off a digest; the headline stands in for a missing title."""
    match = _HEADLINE.match(digest or "")
    if not match:
        return title, digest, ""
    headline = match.group(1).strip()
    rest = (digest or "")[match.end():].strip() or None
    return title or headline or None, rest, headline


def read_item(item: Any, mapping: ListMapping, source: str,
              base_url: str | None = None) -> RawItem:
    """One list element → RawItem; ItemError says why it cannot be read."""
    if not isinstance(item, Mapping):
        raise ItemError(f"the item is {type(item).__name__}, expected an object")
    ident = _ident(item, mapping)
    title = _text(item, mapping.title, "title")
    digest = _text(item, mapping.digest, "digest")
    extra: dict[str, str] = {}
    if mapping.headline_digest:
        title, digest, headline = _headline(title, digest)
        if headline:
            extra["headline"] = headline
    url = _text(item, mapping.url, "url")
    if not url and mapping.url_template:
        url = render_template(mapping.url_template, item, ident)
    body = _text(item, mapping.body, "body")
    fulltext = None
    if mapping.fulltext_url:
        fulltext = render_template(mapping.fulltext_url, item, ident)
        if fulltext is None and body is None:
            raise ItemError(f"the item lacks a field the full-text URL needs "
                            f"({mapping.fulltext_url!r}), and has no inline body")
    for name, path in mapping.extras:
        value = _text(item, path, f"extra.{name}")
        if value is not None:
            extra[name] = value
    return RawItem(
        source=source, upstream_id=ident, title=title, digest=digest,
        body_html=body,
        published=_text(item, mapping.time, "time"),
        media=_text(item, mapping.media, "media"),
        url=_link(url, base_url), fulltext_url=_link(fulltext, base_url),
        tags=_strings(item, mapping.tags), stocks=_strings(item, mapping.stocks),
        payload=payload_bytes(item), extra=extra)


def _reject_id(item: Any, mapping: ListMapping) -> str | None:
    if not isinstance(item, Mapping):
        return None
    value = first_of(item, mapping.id)
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return _clean(str(value)).strip()[:MAX_ID_LENGTH] or None
    return None


def find_list(answer: Any, path: str) -> list[Any]:
    found = get_path(answer, path)
    where = f"'{path}'" if path else "the top level"
    if found is MISSING:
        keys = ", ".join(sorted(map(str, answer)))[:200] if isinstance(answer, dict) else ""
        hint = f" (top-level keys: {keys})" if keys else ""
        raise ParseError(f"the answer has no item list at {where}{hint}")
    if found is None:
        raise ParseError(f"the answer's item list at {where} is null: the upstream "
                         "returned no data (check the source's URL parameters)")
    if not isinstance(found, list):
        raise ParseError(f"the answer has {type(found).__name__} at {where}, "
                         "expected a list of items")
    return found


def parse_list(data: bytes, charset: str | None, mapping: ListMapping, source: str,
               *, base_url: str | None = None) -> ListResult:
    """Read a list answer. ``base_url`` resolves relative item and full-text URLs."""
    result = ListResult()
    for element in find_list(load_json(data, charset), mapping.items):
        try:
            result.items.append(read_item(element, mapping, source, base_url))
        except ItemError as exc:
            result.rejects.append((_reject_id(element, mapping), exc.message,
                                   payload_bytes(element)))
    return result


def parse_fulltext(data: bytes, charset: str | None, mapping: ListMapping) -> str:
    """The body HTML from a full-text answer."""
    if not mapping.fulltext_body:
        raise ParseError("the source's mapping has no 'fulltext_body' path")
    answer = load_json(data, charset)
    value = first_of(answer, mapping.fulltext_body)
    if value is MISSING:
        raise ParseError(f"the full-text answer has no text at '{mapping.fulltext_body}'")
    if not isinstance(value, str):
        raise ParseError(f"the full-text answer has {type(value).__name__} at "
                         f"'{mapping.fulltext_body}', expected text")
    return _clean(value)
