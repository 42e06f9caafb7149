"""Pure helpers of the fetcher: header parsing and the back-off schedule."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st

from finews.fetch.headers import (backoff_delay, parse_content_type, parse_retry_after,
                                  request_headers, without_credentials)

NOW = datetime(2024, 3, 13, 8, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value, expected", [
    (None, None),
    ("", None),
    ("120", 120.0),
    (" 7 ", 7.0),
    ("0", 0.0),
    ("1.5", 1.5),
    ("Wed, 13 Mar 2024 08:01:30 GMT", 90.0),
    ("Wednesday, 13-Mar-24 08:00:10 GMT", 10.0),
    ("Wed, 13 Mar 2024 07:00:00 GMT", 0.0),     # in the past: now
    ("Wed, 13 Mar 2024 16:00:05 +0800", 5.0),
    ("-5", None),
    ("soon", None),
    ("1e9", None),
    ("Wed, 99 Foo 2024", None),
])
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


@pytest.mark.parametrize("value, expected", [
    (None, ("", None)),
    ("", ("", None)),
    ("text/html", ("text/html", None)),
    ("text/html; charset=UTF-8", ("text/html", "utf-8")),
    ('application/json;charset="GBK"', ("application/json", "gbk")),
    ("Application/RSS+XML ; Charset = gb2312 ; q=1", ("application/rss+xml", "gb2312")),
    ("text/plain; charset=", ("text/plain", None)),
    ("text/plain; format=flowed", ("text/plain", None)),
])
def test_parse_content_type(value: str | None, expected: tuple[str, str | None]) -> None:
    assert parse_content_type(value) == expected


@pytest.mark.parametrize("etag, last_modified, expected", [
    (None, None, {"Referer": "r"}),
    ('"v1"', None, {"Referer": "r", "If-None-Match": '"v1"'}),
    (None, "Wed, 21 Oct 2015 07:28:00 GMT",
     {"Referer": "r", "If-Modified-Since": "Wed, 21 Oct 2015 07:28:00 GMT"}),
])
def test_request_headers(etag, last_modified, expected) -> None:
    caller = {"Referer": "r"}
    assert request_headers(caller, etag, last_modified) == expected
    assert caller == {"Referer": "r"}  # the caller's mapping is left alone


def test_without_credentials() -> None:
    headers = {"Authorization": "a", "COOKIE": "c", "Proxy-Authorization": "p",
               "Referer": "r"}
    assert without_credentials(headers) == {"Referer": "r"}


@given(retry=st.integers(0, 10_000),
       base=st.floats(0.001, 100), cap=st.floats(0.001, 3600),
       jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_is_capped_and_jittered(retry: int, base: float, cap: float,
                                        jitter: float) -> None:
    delay = backoff_delay(retry, base, cap, jitter)
    assert 0 <= delay <= cap
    assert delay == pytest.approx(min(cap, base * 2 ** min(retry, 64)) * jitter)


def test_backoff_doubles_until_the_cap() -> None:
    assert [backoff_delay(n, 0.5, 30, 1.0) for n in range(8)] == [
        0.5, 1, 2, 4, 8, 16, 30, 30]
