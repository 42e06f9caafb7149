"""What makes two items the same story: a canonical URL and a content hash.

The store indexes both beside (source, upstream id), so the same story
carried by two lists under two ids is recognised (the original wrote it
twice), and a re-fetch that changed nothing is a no-op.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .text import html_to_text

# Parameters that say who shared or clicked a link, not which story it is.
_TRACKING_EXACT = frozenset({
    "spm", "from", "scm", "fbclid", "gclid", "dclid", "yclid", "msclkid",
    "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref",
    "ref_src", "isappinstalled", "wxfrom", "wx_fmt", "timestamp", "ts",
    "clicktime", "enterid", "sessionid", "scene", "subscene", "srcid",
    "vd_source", "chinfo", "fromtitle", "fromid", "tt_from", "utm",
})
_TRACKING_PREFIXES = ("utm_", "share", "pk_", "mtm_", "hmsr", "hmpl", "hmcu", "hmkw", "hmci")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPACES = re.compile(r"\s+")


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in _TRACKING_EXACT or low.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str | None) -> str | None:
    """``url`` in one canonical spelling, or None when it is not a web URL.

    Lower-case scheme and host, no default port, no credentials, no
    fragment, no tracking parameters, the rest of the query sorted.
    """
    if not url:
        return None
    text = url.strip()
    if not text or _BAD_CHARS.search(text) or len(text) > 4096:
        return None
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return None
    if scheme not in _DEFAULT_PORTS or not host:
        return None
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not _is_tracking(k))
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _normal(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def content_hash(title: str, body_html: str, published: datetime) -> str:
    """sha256 (hex) of the story's title, body text and time, normalised.

    Markup, spacing and Unicode composition do not count, so a re-fetch that
    only reformatted the body is recognised as unchanged.
    """
    when = published.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    form = "\x1f".join((_normal(title), _normal(html_to_text(body_html)), when))
    return hashlib.sha256(form.encode("utf-8", "surrogatepass")).hexdigest()
