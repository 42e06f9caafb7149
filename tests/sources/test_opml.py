"""OPML: folders become tags, nothing dropped silently, hostile XML refused."""

from __future__ import annotations

import pytest

from finews.config import from_mapping
from finews.errors import ParseError
from finews.sources.opml import read_opml, write_opml

READER_EXPORT = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>我的订阅</title></head>
  <body>
    <outline text="财经" title="财经">
      <outline text="银行" title="银行">
        <outline type="rss" text="示例银行新闻" xmlUrl="https://bank.example.com/rss.xml"
                 htmlUrl="https://bank.example.com/"/>
      </outline>
      <outline type="rss" text="证券时报" xmlUrl="https://stcn.example.com/feed"/>
      <outline type="rss" text="证券时报 (again)" xmlUrl="HTTPS://STCN.example.com/feed#top"/>
    </outline>
    <outline type="atom" title="Tech" xmlUrl="http://tech.example.org/atom.xml"/>
    <outline type="link" text="一个网页" url="https://example.com/page"/>
    <outline type="rss" text="无地址"/>
    <outline type="rss" text="本地文件" xmlUrl="file:///etc/passwd"/>
    <outline type="howto" text="奇怪类型" xmlUrl="https://odd.example.com/x"/>
    <outline text="空文件夹"/>
  </body>
</opml>
""".encode()


def test_nested_outlines_become_tags_and_every_other_outline_is_reported():
    reading = read_opml(READER_EXPORT)
    assert reading.title == "我的订阅"
    assert [(f.url, f.title, f.tags) for f in reading.feeds] == [
        ("https://bank.example.com/rss.xml", "示例银行新闻", ("财经", "银行")),
        ("https://stcn.example.com/feed", "证券时报", ("财经",)),
        ("http://tech.example.org/atom.xml", "Tech", ()),
    ]
    assert [(d.where, "listed already" in d.reason) for d in reading.duplicates] == [
        ("财经 / 证券时报 (again)", True)]
    reasons = {p.where: p.reason for p in reading.problems}
    assert set(reasons) == {"一个网页", "无地址", "本地文件", "奇怪类型", "空文件夹"}
    assert "not a feed" in reasons["一个网页"]
    assert "no xmlUrl" in reasons["无地址"]
    assert "not an http" in reasons["本地文件"]
    assert "not a feed type" in reasons["奇怪类型"]


def sources(*tables):
    return from_mapping({"sources": list(tables)}).sources


def test_export_reads_back_into_the_same_sources():
    original = sources(
        {"name": "bank", "kind": "feed", "url": "https://bank.example.com/rss.xml",
         "tags": ["财经", "银行"], "media": "示例银行"},
        {"name": "stcn", "kind": "feed", "url": "https://stcn.example.com/feed",
         "tags": ["财经"], "fulltext": "page", "fulltext_selector": "div.detail-content",
         "fulltext_remove": ".adv", "enabled": False},
        {"name": "tech", "kind": "feed", "url": "http://tech.example.org/atom.xml"},
        {"name": "em", "kind": "json", "preset": "em-fast",
         "url": "https://np-weblist.example.com/list"})
    data = write_opml(original, title="金融消息")
    assert data.startswith(b"<?xml") and b'version="2.0"' in data
    reading = read_opml(data)
    assert not reading.problems and not reading.duplicates
    back = [(f.url, f.tags, f.finews) for f in reading.feeds]
    assert back == [
        ("https://bank.example.com/rss.xml", ("财经", "银行"),
         {"name": "bank", "media": "示例银行"}),
        ("https://stcn.example.com/feed", ("财经",),
         {"name": "stcn", "fulltext": "page", "fulltext_selector": "div.detail-content",
          "fulltext_remove": ".adv", "enabled": "false"}),
        ("http://tech.example.org/atom.xml", (), {"name": "tech"}),
    ]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<opml version="2.0"><head><title>&lol3;</title></head><body/></opml>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/rss"/></body></opml>"""


@pytest.mark.parametrize("data, why", [
    (BILLION_LAUGHS, "DTD"), (XXE, "DTD"),
    (b"<opml><body><outline", "not well-formed"),
    (b"<rss version='2.0'><channel/></rss>", "not OPML"),
    (b"<opml version='2.0'><head/></opml>", "no <body>"),
])
def test_hostile_or_broken_opml_is_refused_with_a_reason(data, why):
    with pytest.raises(ParseError, match=why):
        read_opml(data)
