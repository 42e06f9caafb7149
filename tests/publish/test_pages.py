"""Page contexts: which stored links become links on a story page."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, strategies as st

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
