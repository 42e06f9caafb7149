"""Pure helpers for the fetcher: reading answer headers, building request
headers, and the back-off schedule. No I/O here, so each is tested alone."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Mapping

_SECONDS = re.compile(r"[0-9]+(\.[0-9]+)?")
#: Headers that carry the caller's identity; never sent on to another origin.
CREDENTIAL_HEADERS = ("authorization", "cookie", "proxy-authorization")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date).

    A date in the past means "now" (0). A value that is neither gives None,
    so a malformed header falls back to the normal back-off.
    """
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; "-0000" parses as naive
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - now).total_seconds())


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """The media type (lower-cased, "" if absent) and charset of a Content-Type."""
    if not value:
        return "", None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def request_headers(headers: Mapping[str, str] | None, etag: str | None,
                    last_modified: str | None) -> dict[str, str]:
    """The caller's headers plus the validators of a conditional GET."""
    merged = dict(headers or {})
    if etag:
        merged["If-None-Match"] = etag
    if last_modified:
        merged["If-Modified-Since"] = last_modified
    return merged


def without_credentials(headers: Mapping[str, str]) -> dict[str, str]:
    """``headers`` minus those that must not follow a redirect to another origin."""
    return {k: v for k, v in headers.items() if k.lower() not in CREDENTIAL_HEADERS}


def backoff_delay(retry: int, base: float, cap: float, jitter: float) -> float:
    """Seconds before retry number ``retry`` (0 for the first retry).

    Capped exponential back-off with full jitter: a random point in
    ``[0, min(cap, base * 2**retry))``, so many sources failing at once do
    not come back in step. ``jitter`` is a number in [0, 1).
    """
    return min(cap, base * 2 ** min(retry, 64)) * jitter  # 64: no float overflow
