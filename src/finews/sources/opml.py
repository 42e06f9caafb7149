"""OPML subscription lists in and out, the way feed readers exchange them.

Reading: every ``<outline>`` with an ``xmlUrl`` is a feed; the folders it is
nested in (outlines without one) become its tags, outermost first. Nothing
is dropped without a word: an outline that is not a feed (a link, an
include, one without a URL) or whose URL finews cannot poll is reported with
its reason, and a URL listed twice is reported as a duplicate.

The document is parsed with defusedxml, which refuses DTDs outright: no
external entities (XXE), no entity expansion (billion laughs).

Writing: OPML 2.0, one folder level per tag. finews's own settings that
other readers have no words for (the source name, full-text mode and
selectors) ride along as attributes in the ``finews`` namespace, which
other readers ignore, so an export reads back into the same sources.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Iterable, Sequence

import defusedxml
import defusedxml.ElementTree as SafeET

from ..config import SourceSettings
from ..errors import ParseError

NS = "https://finews.invalid/opml/1"
_FINEWS_ATTRS = ("name", "media", "fulltext", "fulltext_selector", "fulltext_remove",
                 "enabled")
#: Larger OPML files are refused before parsing: a subscription list is small.
MAX_OPML_BYTES = 5 * 1024 * 1024
_FEED_TYPES = ("", "rss", "atom", "feed", "xml")
_URL = re.compile(r"^https?://[^\s/?#]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    title: str
    tags: tuple[str, ...] = ()
    #: finews's own attributes from an export (name, fulltext, selectors).
    finews: dict[str, str] = field(default_factory=dict)
    where: str = ""          # the outline path, for messages


@dataclass(frozen=True, slots=True)
class OpmlProblem:
    where: str               # the outline path, e.g. "财经 / 某站"
    reason: str


@dataclass(slots=True)
class OpmlReading:
    title: str = ""
    feeds: list[OpmlFeed] = field(default_factory=list)
    problems: list[OpmlProblem] = field(default_factory=list)
    duplicates: list[OpmlProblem] = field(default_factory=list)


def _label(outline: ET.Element) -> str:
    return " ".join((outline.get("text") or outline.get("title") or "").split())


def read_opml(data: bytes) -> OpmlReading:
    """The feeds of an OPML document; ParseError when it is not OPML at all."""
    if len(data) > MAX_OPML_BYTES:
        raise ParseError(f"the OPML file is {len(data)} bytes, more than the "
                         f"{MAX_OPML_BYTES} finews reads")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise ParseError(f"the OPML file declares a DTD or entities, which finews "
                         f"refuses to expand ({type(exc).__name__})") from exc
    except ET.ParseError as exc:
        raise ParseError(f"the OPML file is not well-formed XML ({exc})") from exc
    if root.tag != "opml":
        raise ParseError(f"the file is not OPML: its root element is <{root.tag}>")
    body = root.find("body")
    if body is None:
        raise ParseError("the OPML file has no <body>")
    reading = OpmlReading(title=(root.findtext("head/title") or "").strip())
    seen: dict[str, str] = {}
    _walk(body, (), reading, seen)
    return reading


def _walk(parent: ET.Element, folders: tuple[str, ...], reading: OpmlReading,
          seen: dict[str, str]) -> None:
    for position, outline in enumerate(parent, start=1):
        if outline.tag != "outline":
            where = " / ".join((*folders, f"<{outline.tag}> #{position}"))
            reading.problems.append(OpmlProblem(where, f"<{outline.tag}> is not an outline"))
            continue
        label = _label(outline)
        where = " / ".join((*folders, label or f"outline #{position}"))
        url = (outline.get("xmlUrl") or "").strip()
        kind = (outline.get("type") or "").strip().lower()
        children = [c for c in outline if c.tag == "outline"]
        if not url:
            if children:
                _walk(outline, (*folders, label) if label else folders, reading, seen)
            elif kind in ("link", "include"):
                reading.problems.append(OpmlProblem(
                    where, f"a type=\"{kind}\" outline is not a feed (finews reads feeds)"))
            else:
                reading.problems.append(OpmlProblem(where, "the outline has no xmlUrl "
                                                    "and no outlines inside it"))
            continue
        if kind not in _FEED_TYPES:
            reading.problems.append(OpmlProblem(
                where, f"type=\"{kind}\" is not a feed type finews reads (rss or atom)"))
            continue
        if not _URL.match(url):
            reading.problems.append(OpmlProblem(
                where, f"xmlUrl {url[:200]!r} is not an http:// or https:// URL"))
            continue
        key = feed_key(url)
        if key in seen:
            reading.duplicates.append(OpmlProblem(where, f"{url} is listed already "
                                                  f"(at {seen[key]})"))
            continue
        seen[key] = where
        extra = {k: outline.get(f"{{{NS}}}{k}", "") for k in _FINEWS_ATTRS}
        reading.feeds.append(OpmlFeed(url=url, title=label, tags=folders,
                                      finews={k: v for k, v in extra.items() if v},
                                      where=where))
        if children:
            reading.problems.append(OpmlProblem(
                where, f"{len(children)} outlines inside a feed's outline are not read"))


def feed_key(url: str) -> str:
    """A URL compared for duplicates: scheme and host in lower case, no fragment."""
    head, sep, rest = url.strip().partition("://")
    host, slash, path = rest.partition("/")
    return f"{head.lower()}{sep}{host.lower()}{slash}{path}".split("#", 1)[0]


def write_opml(sources: Sequence[SourceSettings], *, title: str = "finews",
               now: datetime | None = None) -> bytes:
    """An OPML 2.0 document of the feed sources (JSON sources have no place in OPML)."""
    ET.register_namespace("finews", NS)
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(
        now or datetime.now(timezone.utc), usegmt=True)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for src in feed_sources(sources):
        parent = body
        for depth in range(1, len(src.tags) + 1):
            path = src.tags[:depth]
            if path not in folders:
                folders[path] = ET.SubElement(parent, "outline",
                                              {"text": path[-1], "title": path[-1]})
            parent = folders[path]
        label = src.media or src.name
        attrs = {"type": "rss", "text": label, "title": label, "xmlUrl": src.url,
                 f"{{{NS}}}name": src.name}
        for key in _FINEWS_ATTRS[1:-1]:
            if getattr(src, key):
                attrs[f"{{{NS}}}{key}"] = getattr(src, key)
        if not src.enabled:
            attrs[f"{{{NS}}}enabled"] = "false"
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def feed_sources(sources: Iterable[SourceSettings]) -> list[SourceSettings]:
    return [s for s in sources if s.kind == "feed"]
