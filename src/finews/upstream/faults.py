"""Faults the demo upstream can be told to show, per path prefix.

Tests and demos switch them on to see how finews copes with an upstream that
is slow, limits its callers, fails, truncates or mislabels its answers.
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
    #: Redirect (302) to this path or URL.
    redirect: str | None = None
    #: Pad a JSON body with this many bytes of whitespace (a huge answer).
    pad: int = 0
    #: Put hostile items (script in title, path-like id…) at the top of lists.
    hostile: bool = False


def find_fault(faults: Mapping[str, Fault], path: str) -> Fault | None:
    """The fault of the longest prefix matching ``path``, if any."""
    best = None
    for prefix in faults:
        if path.startswith(prefix) and (best is None or len(prefix) > len(best)):
            best = prefix
    return faults[best] if best is not None else None


def apply_body(fault: Fault | None, body: bytes, text_encoding: str = "utf-8") -> bytes:
    """The body as the fault would send it (encoding, padding, truncation)."""
    if fault is None:
        return body
    if fault.gbk:
        body = body.decode(text_encoding).encode("gb18030")
    if fault.pad:
        body = body + b" " * fault.pad
    if fault.truncate is not None:
        body = body[:fault.truncate]
    return body
