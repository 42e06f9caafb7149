"""Page contexts: which stored links become links, how times read."""

from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from finews.publish.context import china_time, short_time
from finews.publish.pages import web_url


def _reference(url: str | None) -> str | None:
    """The rule in full: an http(s) URL with a host, else no link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


@pytest.mark.parametrize("url, shown", [
    ("https://finance.eastmoney.com/a/1.html", "https://finance.eastmoney.com/a/1.html"),
    ("  http://example.com/x?a=1 \n", "http://example.com/x?a=1"),
    ("HTTPS://Example.com/", "HTTPS://Example.com/"),
    ("http:///no-host", None),
    ("https://", None),
    ("http://?q", None),
    ("http://#f", None),
    ("javascript:alert(1)", None),
    ("ftp://example.com/file", None),
    ("//example.com/no-scheme", None),
    ("http://[::1", None),
    ("", None),
    (None, None),
])
def test_only_http_links_with_a_host_are_shown(url, shown):
    assert web_url(url) == shown


@given(st.one_of(
    st.text(max_size=30),
    st.builds(lambda scheme, rest: scheme + rest,
              st.sampled_from(["http://", "https://", "HTTP://", "http:", "https:/", " https://"]),
              st.text(alphabet="ab/?#[]:@ .\t\n", max_size=12))))
def test_the_quick_path_agrees_with_parsing_the_url(url):
    assert web_url(url) == _reference(url)


_ZONES = ["Asia/Shanghai", "UTC", "America/St_Johns", "Asia/Kathmandu", "Europe/London"]


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 30),
                    timezones=st.just(timezone.utc)),
       st.sampled_from(_ZONES))
def test_times_read_as_the_original_showed_them(when, zone):
    tz = ZoneInfo(zone)
    local = when.astimezone(tz)
    minutes = int(local.utcoffset().total_seconds() // 60)
    hours, rest = divmod(abs(minutes), 60)
    gmt = f"GMT{'+' if minutes >= 0 else '-'}{hours}" + (f":{rest:02d}" if rest else "")
    assert china_time(when, tz) == (f"({gmt}, {zone}, {local.tzname()}) "
                                    f"{local.strftime('%Y-%m-%d %H:%M:%S')}")
    assert short_time(when, tz) == local.strftime("%Y-%m-%d %H:%M")


def test_the_original_time_line():
    when = datetime(2022, 3, 1, 1, 30, 5, 999, tzinfo=timezone.utc)
    assert china_time(when, ZoneInfo("Asia/Shanghai")) == \
        "(GMT+8, Asia/Shanghai, CST) 2022-03-01 09:30:05"
    assert china_time(when, ZoneInfo("America/St_Johns")) == \
        "(GMT-3:30, America/St_Johns, NST) 2022-02-28 22:00:05"
