"""Highlighted snippets built from the stored text of a hit.

The index holds segmented tokens, not readable text, so snippets come from
the article itself: the first place a query word occurs, a window around it,
every occurrence inside the window wrapped in ``<mark>``. Everything else is
HTML-escaped, so the result is safe to insert into a page as it is.
"""

from __future__ import annotations

import html
import re
from typing import Sequence

SNIPPET_CHARS = 120
_LEAD = 24          # characters kept before the first match
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def _pattern(terms: Sequence[str]) -> re.Pattern[str] | None:
    # Longest first, so 招商银行 is marked whole rather than as 银行.
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def mark(text: str, terms: Sequence[str]) -> str:
    """``text`` HTML-escaped, with each occurrence of a term in ``<mark>``."""
    pattern = _pattern(terms)
    if pattern is None:
        return html.escape(text, quote=False)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()], quote=False))
        out.append(MARK_OPEN + html.escape(match.group(0), quote=False) + MARK_CLOSE)
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    # 逆 and 回购 found side by side read as one mark: 逆回购.
    return "".join(out).replace(MARK_CLOSE + MARK_OPEN, "")


def snippet(text: str, terms: Sequence[str], size: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around the first match, escaped and marked."""
    flat = " ".join(text.split())
    pattern = _pattern(terms)
    found = pattern.search(flat) if pattern is not None else None
    start = max(0, found.start() - _LEAD) if found else 0
    end = min(len(flat), start + size)
    start = max(0, min(start, end - size))
    body = mark(flat[start:end], terms)
    return ("…" if start > 0 else "") + body + ("…" if end < len(flat) else "")
