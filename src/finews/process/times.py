"""Upstream time values → time-zone-aware UTC datetimes.

Upstreams write times in many shapes: ``2022-03-01 09:30:00`` in China time
without a zone (East Money), ISO 8601 with an offset, RFC 822 dates (feeds),
epoch seconds or milliseconds. Naive values are read in the source's zone.
A value that cannot be read, or that lies before 1990 or more than a day in
the future, is an :class:`ItemError`: publishing a story under a wrong date
would put it at a wrong, permanent URL.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from ..errors import ItemError

EARLIEST = datetime(1990, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)

# Epoch values below this are seconds, above it milliseconds: 1e11 seconds
# is the year 5138, 1e11 milliseconds is 1973; both are absurd for news.
_MS_THRESHOLD = 100_000_000_000
_EPOCH_MAX = 10 ** 15

_LOCAL = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*T?\s*(\d{1,2})\s*[:时]\s*(\d{1,2})"
    r"(?:\s*[:分]\s*(\d{1,2})(?:[.,](\d{1,9}))?\s*秒?)?\s*分?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE | re.ASCII)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$", re.ASCII)


def _fail(value: object, why: str) -> ItemError:
    try:
        shown = repr(value)
    except ValueError:  # an int too long to print
        shown = "<a very large number>"
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ItemError(f"the item's time {shown} {why}")


def _offset(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _from_epoch(number: int | float, value: object) -> datetime:
    if number < 0 or number > _EPOCH_MAX or (isinstance(number, float)
                                             and not math.isfinite(number)):
        raise _fail(value, "is not a usable epoch time (seconds or milliseconds)")
    seconds = number / 1000 if number >= _MS_THRESHOLD else number
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as exc:
        raise _fail(value, "is out of range as an epoch time") from exc


def _from_parts(parts: tuple, zone, value: object) -> datetime:
    year, month, day, hour, minute, second, fraction = (p or "" for p in parts[:7])
    micro = int((fraction + "000000")[:6]) if fraction else 0
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0),
                         int(minute or 0), int(second or 0), micro)
    except ValueError as exc:
        raise _fail(value, f"is not a real date or time ({exc})") from exc
    return naive.replace(tzinfo=zone)


def _from_text(text: str, tz: ZoneInfo, value: object) -> datetime:
    if text.isascii() and text.isdigit():
        compact = _COMPACT.match(text)
        if compact and text[:2] in ("19", "20"):
            return _from_parts(compact.groups() + (None,), tz, value)
        if len(text) > 16:
            raise _fail(value, "is too long to be an epoch time")
        return _from_epoch(int(text), value)
    match = _LOCAL.match(text)
    if match:
        zone = _offset(match.group(8)) or tz
        return _from_parts(match.groups(), zone, value)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError, OverflowError, AttributeError) as exc:
            raise _fail(value, "is not a date and time finews can read (expected e.g. "
                        "'2022-03-01 09:30:00', ISO 8601, RFC 822 or epoch seconds)") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def parse_time(value: str | int | float | None, tz: ZoneInfo, *,
               now: datetime | None = None) -> datetime:
    """Read ``value`` and return it as an aware UTC datetime.

    ``now`` (aware) bounds the future; it defaults to the current time and is
    injectable so tests and re-processing are deterministic.
    """
    if value is None:
        raise _fail(value, "is missing")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = _from_epoch(value, value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise _fail(value, "is empty")
        moment = _from_text(text, tz, value)
    else:
        raise _fail(value, f"has an unusable type ({type(value).__name__})")
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError) as exc:
        raise _fail(value, "is out of range") from exc
    reference = now or datetime.now(timezone.utc)
    if moment < EARLIEST:
        raise _fail(value, "is before 1990, which no news source publishes")
    if moment > reference + FUTURE_SLACK:
        raise _fail(value, "is more than a day in the future")
    return moment
