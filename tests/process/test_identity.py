from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, strategies as st

from finews.process.identity import canonical_url, content_hash


@pytest.mark.parametrize("url, expected", [
    ("HTTP://News.Example/a/b.html", "http://news.example/a/b.html"),
    ("https://news.example", "https://news.example/"),
    ("https://news.example:443/a", "https://news.example/a"),
    ("http://news.example:8080/a", "http://news.example:8080/a"),
    ("http://news.example/a#comments", "http://news.example/a"),
    ("http://news.example/a?utm_source=wx&utm_medium=x&id=3", "http://news.example/a?id=3"),
    ("http://news.example/a?b=2&a=1", "http://news.example/a?a=1&b=2"),
    ("http://news.example/a?spm=1.2&from=timeline&share_token=z&shareId=9&isappinstalled=0&x=1",
     "http://news.example/a?x=1"),
    ("http://news.example/a?fbclid=z&gclid=y", "http://news.example/a"),
    ("http://user:pw@news.example/a", "http://news.example/a"),
    ("  http://news.example/a  ", "http://news.example/a"),
    ("http://news.example/a?q=%E4%B8%AD", "http://news.example/a?q=%E4%B8%AD"),
    ("http://news.example./a", "http://news.example/a"),
    ("http://[::1]:8000/a", "http://[::1]:8000/a"),
])
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


@pytest.mark.parametrize("url", [
    None, "", "javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "/relative/path",
    "news.example/a", "http://", "http://[::1/a", "http://x.example:99999/",
    "http://x.example/a b", "http://x.example/\nSet-Cookie:x", "mailto:a@b.example",
])
def test_non_web_urls_have_no_canonical_form(url):
    assert canonical_url(url) is None


@given(st.text(max_size=80))
def test_canonical_url_never_raises_and_is_stable(url):
    out = canonical_url(url)
    if out is not None:
        assert out.startswith(("http://", "https://"))
        assert canonical_url(out) == out


T = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)


def test_content_hash_ignores_markup_and_spacing():
    a = content_hash("标题", "<p>第一段</p><p>第二段</p>", T)
    b = content_hash(" 标题 ", "<div>第一段</div>\n<p><b>第二段</b></p>", T)
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0


def test_content_hash_ignores_the_zone_of_the_same_moment():
    china = T.astimezone(timezone(timedelta(hours=8)))
    assert content_hash("t", "b", T) == content_hash("t", "b", china)


@pytest.mark.parametrize("title, body, when", [
    ("标题2", "<p>第一段</p>", T),
    ("标题", "<p>第一段改</p>", T),
    ("标题", "<p>第一段</p>", T + timedelta(seconds=1)),
])
def test_content_hash_changes_with_content(title, body, when):
    assert content_hash(title, body, when) != content_hash("标题", "<p>第一段</p>", T)


def test_field_boundaries_matter():
    assert content_hash("ab", "<p>c</p>", T) != content_hash("a", "<p>bc</p>", T)
