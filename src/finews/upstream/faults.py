"""Faults the demo upstream can be told to show, per path prefix.

Tests and demos switch them on to see how finews copes with an upstream that
is slow, limits its callers, fails, truncates or mislabels its answers, or
serves lists that are empty, repeated, incomplete or hostile. A fault may be
limited to the next N requests (``times``), after which the path behaves
again by itself, like an upstream that hiccups once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True, slots=True)
class Fault:
    #: Answer with this status instead (e.g. 500, 503, 429).
    status: int | None = None
    #: Seconds sent as Retry-After (with a 429 or 503).
    retry_after: int | None = None
    #: Keep only the first N bytes of the body (Content-Length matches).
    truncate: int | None = None
    #: Encode the body as GB18030 while the header still says UTF-8.
    gbk: bool = False
    #: Seconds to wait before answering.
    delay: float = 0.0
    #: Close the connection with a reset instead of answering.
    reset: bool = False
    #: Redirect (302) to this path or URL (another host, a private address…).
    redirect: str | None = None
    #: Pad a JSON body with this many bytes of whitespace (a huge answer).
    pad: int = 0
    #: Put hostile items (script in title, path-like id…) at the top of lists.
    hostile: bool = False
    #: Answer 200 with the list's usual shape but no items in it.
    empty: bool = False
    #: Break the body's syntax in its middle (not valid JSON or XML any more).
    malformed: bool = False
    #: Wrap the body in a JSONP call to this callback (``var x`` gives ``var x = …;``).
    jsonp: str | None = None
    #: Send this Content-Type instead ("" sends none; "application/json" has no charset).
    content_type: str | None = None
    #: Serve every story of a list twice, one copy right after the other.
    duplicate: bool = False
    #: Remove these fields from every second item of a JSON list (the newest first).
    missing: tuple[str, ...] = ()
    #: Send the body in small pieces with this many seconds between them.
    drip: float = 0.0
    #: Send no ETag (conditional GET must then rely on Last-Modified).
    no_etag: bool = False
    #: Apply to the next N requests only, then behave again (None: until cleared).
    times: int | None = None

    @property
    def lists_only(self) -> bool:
        """True when the fault only changes what a list contains, not the HTTP answer."""
        return not (self.status or self.reset or self.redirect or self.delay or self.drip)


def find_prefix(faults: Mapping[str, Fault], path: str) -> str | None:
    """The longest fault prefix matching ``path``, if any."""
    best = None
    for prefix in faults:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return best


def find_fault(faults: Mapping[str, Fault], path: str) -> Fault | None:
    """The fault of the longest prefix matching ``path``, if any."""
    best = find_prefix(faults, path)
    return faults[best] if best is not None else None


def _break_syntax(body: bytes) -> bytes:
    # In the middle, so a reader cannot take it for a merely truncated answer.
    middle = len(body) // 2
    return body[:middle] + b'}{"\x01<broken' + body[middle:]


def _wrap(callback: str, body: bytes) -> bytes:
    if callback.startswith("var "):
        return callback.encode() + b" = " + body + b";"
    return callback.encode() + b"(" + body + b");"


def apply_body(fault: Fault | None, body: bytes, text_encoding: str = "utf-8") -> bytes:
    """The body as the fault would send it (wrapping, encoding, padding, truncation)."""
    if fault is None:
        return body
    if fault.malformed:
        body = _break_syntax(body)
    if fault.jsonp:
        body = _wrap(fault.jsonp, body)
    if fault.gbk:
        body = body.decode(text_encoding).encode("gb18030")
    if fault.pad:
        body = body + b" " * fault.pad
    if fault.truncate is not None:
        body = body[:fault.truncate]
    return body


def strip_fields(items: list, names: tuple[str, ...]) -> list:
    """Every second item (from the first) without the fields ``names``."""
    out = []
    for index, item in enumerate(items):
        if index % 2 == 0 and isinstance(item, dict):
            item = {k: v for k, v in item.items() if k not in names}
        out.append(item)
    return out
