"""Atom feeds and sitemaps: valid XML whatever the titles and bodies hold."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timezone

import feedparser
import pytest
from hypothesis import given, strategies as st

from finews.model import Article, Category, StoredArticle
from finews.publish.feeds import (_XML_INVALID, FeedInfo, atom_feed, chunks, sitemap_index,
                                  urlset, xml_attr, xml_text)

ATOM = "{http://www.w3.org/2005/Atom}"
WHEN = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)


def stored(n: int, title: str, body: str = "<p>x</p>") -> StoredArticle:
    art = Article(source="s", upstream_id=str(n), title=title, published=WHEN,
                  media="示例日报", body_html=body)
    cat = Category(1, "shiliribao", "示例日报", "示例日报新闻")
    return StoredArticle(n, n, f"shiliribao/2022/03/01/{n}.html", art, cat, WHEN, WHEN)


HOSTILE = [
    "A & B <script>alert(1)</script>",
    "控制\x00字符\x01\x08\x0b\x0c\x1f 与 \ufffe\uffff",
    "]]> <![CDATA[ x",
    "引号 \" ' &amp;",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_give_valid_feeds(title: str) -> None:
    info = FeedInfo("站 & <点>", "http://s.example/feed.xml", "http://s.example/", "站")
    text = atom_feed(info, [stored(1, title, body=f"<p>{title}</p>")], "http://s.example/")
    root = ET.fromstring(text.encode("utf-8", "surrogatepass"))   # raises on invalid XML
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    got = entry.find(f"{ATOM}title").text or ""
    assert "<script>" not in text
    assert "\x00" not in got and "\x01" not in got
    parsed = feedparser.parse(text.encode("utf-8", "surrogatepass"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries[0].id == "http://s.example/shiliribao/2022/03/01/1.html"


def test_content_is_escaped_html_of_the_full_body() -> None:
    body = '<p>第一段 &amp; <a href="https://x.example/?a=1&amp;b=2">链接</a></p>'
    info = FeedInfo("站", "http://s.example/feed.xml", "http://s.example/", "站")
    parsed = feedparser.parse(atom_feed(info, [stored(7, "标题", body)], "http://s.example/"))
    content = parsed.entries[0].content[0]
    assert content.type == "text/html"
    assert "第一段" in content.value and "https://x.example/?a=1&amp;b=2" in content.value


def test_empty_feed_is_valid() -> None:
    info = FeedInfo("站", "http://s.example/feed.xml", "http://s.example/", "站")
    parsed = feedparser.parse(atom_feed(info, [], "http://s.example/"))
    assert not parsed.bozo and parsed.entries == []
    assert parsed.feed.title == "站"


@pytest.mark.parametrize("text,expected", [
    ("a&b", "a&amp;b"), ("<x>", "&lt;x&gt;"), ("a\x00b\x1fc", "abc"), ("\ttab\n", "\ttab\n"),
])
def test_xml_text(text: str, expected: str) -> None:
    assert xml_text(text) == expected


def test_sitemaps_parse_and_split() -> None:
    locs = [f"http://s.example/{i}.html?a=1&b=2" for i in range(5)]
    root = ET.fromstring(urlset(locs))
    assert [e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")] == locs
    ET.fromstring(sitemap_index(["http://s.example/sitemap/a.xml"]))
    assert [len(c) for c in chunks(list(range(5)), 2)] == [2, 2, 1]
    assert chunks([], 2) == [[]]


@given(st.text(alphabet=st.sampled_from("&<>\"'\n\r\t a中\x00\ud800\ufffe"), max_size=30)
       | st.text(max_size=30))
def test_escaping_is_the_standard_librarys_byte_for_byte(text: str) -> None:
    # finews writes saxutils's escaping out itself (to keep urllib.request out
    # of a build's start-up); it must not drift from it.
    from xml.sax.saxutils import escape, quoteattr
    clean = _XML_INVALID.sub("", text)
    assert xml_text(text) == escape(clean)
    assert xml_attr(text) == quoteattr(clean)
