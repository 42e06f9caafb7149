import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finews.errors import ParseError
from finews.sources.feed import parse_feed

RSS20 = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>示例财经</title><link>http://news.example/</link><description>d</description>
<item><title>央行开展逆回购操作</title><link>http://news.example/a/1.html</link>
<guid isPermaLink="false">news-1</guid><pubDate>Wed, 13 Mar 2024 09:30:00 +0800</pubDate>
<author>证券时报</author><category>银行</category><category>央行</category>
<description>央行今日开展逆回购。</description>
<content:encoded><![CDATA[<p>央行今日开展<b>1000亿元</b>逆回购。</p>]]></content:encoded></item>
<item><title>无编号的新闻</title><link>http://news.example/a/2.html</link>
<description>摘要二</description></item>
<item><title>只有标题</title><pubDate>Wed, 13 Mar 2024 10:00:00 +0800</pubDate></item>
<item><description>什么都没有</description></item>
</channel></rss>"""

RSS10 = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://news.example/"><title>RDF 源</title><link>http://news.example/</link>
<description>d</description></channel>
<item rdf:about="http://news.example/r/1"><title>半导体板块走强</title>
<link>http://news.example/r/1</link><dc:date>2024-03-13T10:00:00+08:00</dc:date>
<description>摘要</description></item></rdf:RDF>"""

RSS091 = """<?xml version="1.0"?><rss version="0.91"><channel><title>老式源</title>
<link>http://news.example/</link><description>d</description><language>zh-cn</language>
<item><title>旧新闻</title><link>http://news.example/old/1</link><description>旧</description></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom 源</title><id>urn:x</id>
<updated>2024-03-13T02:00:00Z</updated>
<entry><id>urn:x:1</id><title>回购计划出炉</title><link href="http://news.example/atom/1"/>
<published>2024-03-13T09:30:00+08:00</published><updated>2024-03-13T10:30:00+08:00</updated>
<author><name>上海证券报</name></author><category term="回购"/>
<summary>摘要</summary><content type="html">&lt;p&gt;正文&lt;/p&gt;</content></entry>
<entry><id>urn:x:2</id><title>只更新过</title><updated>2024-03-13T10:30:00Z</updated></entry>
</feed>"""


def test_rss20():
    result = parse_feed(RSS20.encode(), "feed")
    first, second, third = result.items
    assert first.upstream_id == "news-1"
    assert first.title == "央行开展逆回购操作"
    assert first.digest == "央行今日开展逆回购。"
    assert first.body_html == "<p>央行今日开展<b>1000亿元</b>逆回购。</p>"
    assert first.published == "2024-03-13T01:30:00+00:00"
    assert first.media == "证券时报"
    assert first.url == "http://news.example/a/1.html"
    assert first.tags == ("银行", "央行")
    assert json.loads(first.payload)["id"] == "news-1"
    assert second.upstream_id == "http://news.example/a/2.html"   # link when no guid
    assert second.media == "示例财经"                               # the feed's title
    assert third.upstream_id.startswith("sha256-")                 # hash of title + time
    [(rid, reason, _)] = result.rejects
    assert rid is None and "no id, link or title" in reason


def test_hash_ids_are_stable():
    a = parse_feed(RSS20.encode(), "feed").items[2].upstream_id
    b = parse_feed(RSS20.encode(), "other").items[2].upstream_id
    assert a == b


@pytest.mark.parametrize("text, upstream_id, title, published", [
    (RSS10, "http://news.example/r/1", "半导体板块走强", "2024-03-13T02:00:00+00:00"),
    (RSS091, "http://news.example/old/1", "旧新闻", None),
    (ATOM, "urn:x:1", "回购计划出炉", "2024-03-13T01:30:00+00:00"),
])
def test_other_feed_formats(text, upstream_id, title, published):
    item = parse_feed(text.encode(), "feed").items[0]
    assert (item.upstream_id, item.title, item.published) == (upstream_id, title, published)


def test_atom_fields():
    first, second = parse_feed(ATOM.encode(), "feed").items
    assert first.body_html == "<p>正文</p>"
    assert first.media == "上海证券报" and first.tags == ("回购",)
    assert second.published == "2024-03-13T10:30:00+00:00"  # updated when not published


def test_gbk_feed():
    text = RSS091.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="gbk"?>')
    assert parse_feed(text.encode("gbk"), "feed").items[0].title == "旧新闻"


def test_slightly_broken_feed_is_still_read():
    broken = RSS20.replace("<description>摘要二</description>", "<description>a & b</description>")
    result = parse_feed(broken.encode(), "feed")
    assert [i.title for i in result.items][:2] == ["央行开展逆回购操作", "无编号的新闻"]


def test_empty_but_valid_feed():
    result = parse_feed(b'<rss version="2.0"><channel><title>t</title></channel></rss>', "f")
    assert result.items == [] and result.rejects == []


@pytest.mark.parametrize("data", [
    b"",
    b"   ",
    b'{"records": []}',
    b"<html><head><title>x</title></head><body><p>not a feed</p></body></html>",
    b"\x00\xff\xfe garbage",
])
def test_not_a_feed(data):
    with pytest.raises(ParseError):
        parse_feed(data, "feed")


def test_hostile_entry_is_data():
    text = RSS20.replace("<guid isPermaLink=\"false\">news-1</guid>",
                         "<guid>../../etc/passwd</guid>").replace(
        "央行开展逆回购操作", "&lt;script&gt;alert(1)&lt;/script&gt;")
    first = parse_feed(text.encode(), "feed").items[0]
    assert first.upstream_id == "../../etc/passwd"
    assert first.title == "<script>alert(1)</script>"


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(
    lambda t: f'<rss version="2.0"><channel><item>{t}</item></channel></rss>'.encode()))
def test_any_bytes_give_a_result_or_parse_error(data):
    try:
        result = parse_feed(data, "feed")
    except ParseError:
        return
    for item in result.items:
        assert item.upstream_id
