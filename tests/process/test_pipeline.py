from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from finews.errors import ItemError
from finews.model import Article, RawItem, StockMention
from finews.process import ProcessOptions, process_item
from finews.process.pipeline import STEPS, step_sanitise
from finews.process.sanitise import is_safe_html

NOW = datetime(2024, 1, 1, tzinfo=timezone.utc)
OPTS = ProcessOptions(tz=ZoneInfo("Asia/Shanghai"), now=NOW)
T = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)


def raw(**fields) -> RawItem:
    base = dict(source="demo", upstream_id="NW1", title="标题", published="2022-03-01 09:30:00",
                body_html="<p>正文</p>", media="示例日报")
    base.update(fields)
    return RawItem(**base)


def test_ordinary_item():
    body = ('<p>　　今日<span web="1" href="x" class="em_stock_key_common" data-code="1,600999">'
            '示例化工</span>涨停。<img src="/k.png"><img src="http://t.example/p.gif" width="1" height="1"></p>'
            '<p class="em_media">（文章来源：示例日报）</p>')
    article = process_item(raw(body_html=body, url="https://news.example/a/1.html?utm_source=x#c",
                               tags=("财经", "财经", " 示例日报新闻 "), stocks=("0.000999", "1.600999")),
                           options=OPTS)
    assert isinstance(article, Article)
    assert article.published == T
    assert article.body_html == ('<p>今日示例化工涨停。<img src="https://news.example/k.png"></p>'
                                 '<p class="em_media">（文章来源：示例日报）</p>')
    assert article.url == "https://news.example/a/1.html"
    assert article.tags == ("示例日报新闻", "财经")
    assert article.stocks == (StockMention("1", "600999", "示例化工"), StockMention("0", "000999", ""))
    assert article.digest == "今日示例化工涨停。\n（文章来源：示例日报）".replace("\n", " ")
    assert len(article.content_hash) == 64
    assert article.media == "示例日报"


def test_sanitiser_is_the_last_step():
    assert STEPS[-1] is step_sanitise


def test_processing_is_pure():
    item = raw(digest="【头条】正文摘要", tags=("a",))
    assert process_item(item, options=OPTS) == process_item(item, options=OPTS)


def test_fixed_settings_of_the_source_win():
    opts = ProcessOptions(now=NOW, category_slug="emnews", media="东方财富", tag="东财滚动新闻",
                          shape="rolling")
    article = process_item(raw(media="别家"), options=opts)
    assert (article.category_slug, article.media, article.tags, article.shape) == (
        "emnews", "东方财富", ("东财滚动新闻",), "rolling")


def test_unknown_shape_is_refused():
    with pytest.raises(ValueError):
        ProcessOptions(shape="weekly")


@pytest.mark.parametrize("fields, title", [
    (dict(title="", digest="【括号标题】正文"), "括号标题"),
    (dict(title=None, digest="没有括号的摘要文字"), "没有括号的摘要文字"),
    (dict(title="<b></b>", digest=None, body_html="<p>正文开头</p>"), "正文开头"),
    (dict(title='A "quoted": title'), 'A "quoted": title'),
    (dict(title="---\ntitle: x\n- item # c"), "--- title: x - item # c"),
    (dict(title="<script>alert(1)</script>标题"), "alert(1) 标题"),
])
def test_title_and_fallbacks(fields, title):
    assert process_item(raw(**fields), options=OPTS).title == title


@pytest.mark.parametrize("fields, digest", [
    (dict(digest="【标题】摘要正文"), "摘要正文"),
    (dict(digest="<b>带标签</b>的&amp;摘要"), "带标签的&摘要"),
    (dict(digest=None, body_html="<p>" + "字" * 300 + "</p>"), "字" * 119 + "…"),
])
def test_digest(fields, digest):
    assert process_item(raw(**fields), options=OPTS).digest == digest


def test_body_falls_back_to_the_digest():
    article = process_item(raw(body_html=None, digest="【题】只有<摘要>"), options=OPTS)
    assert article.body_html == "<p>只有&lt;摘要&gt;</p>"


@pytest.mark.parametrize("fields, media", [
    (dict(media="  <i>证券</i>时报 "), "证券 时报"),
    (dict(media=None), "demo"),
    (dict(media=""), "demo"),
])
def test_media_fallbacks(fields, media):
    assert process_item(raw(**fields), options=OPTS).media == media


@pytest.mark.parametrize("ident", ["../../x", "a/b", "%2e%2e", "..", "  NW1  ", "含中文的id", "a" * 200])
def test_path_like_ids_are_kept_as_data(ident):
    assert process_item(raw(upstream_id=ident), options=OPTS).upstream_id == ident.strip()


@pytest.mark.parametrize("fields, words", [
    (dict(upstream_id=""), "no upstream id"),
    (dict(upstream_id="   "), "no upstream id"),
    (dict(upstream_id="a" * 201), "limit 200"),
    (dict(upstream_id="a\nb"), "control"),
    (dict(upstream_id="a\x00b"), "control"),
    (dict(upstream_id="a\ud800"), "control"),
    (dict(published=None), "missing"),
    (dict(published=""), "empty"),
    (dict(published="next tuesday"), "can read"),
    (dict(published="2099-01-01 00:00:00"), "future"),
    (dict(title="", digest="", body_html=""), "no title"),
    (dict(title=" ", digest="【】", body_html="<script>x</script>"), "no title"),
])
def test_bad_items_raise_item_error(fields, words):
    with pytest.raises(ItemError) as info:
        process_item(raw(**fields), options=OPTS)
    assert words in str(info.value)


def test_tags_are_cleaned_deduplicated_and_capped():
    tags = tuple(f"<b>t{i % 30}</b>" for i in range(100)) + ("", "  ", "示例日报新闻")
    article = process_item(raw(tags=tags), options=OPTS)
    assert article.tags[0] == "示例日报新闻"
    assert len(article.tags) == 20 and len(set(article.tags)) == 20
    assert all("<" not in t for t in article.tags)


def test_duplicated_and_malformed_stocks():
    body = '<span data-code="1,600519">茅台</span><span data-code="1,600519">茅台</span>'
    article = process_item(raw(body_html=body, stocks=("1.600519", "1.600519", "junk", "")),
                           options=OPTS)
    assert article.stocks == (StockMention("1", "600519", "茅台"),)


def test_huge_body_is_cut_cleanly():
    body = "<p>" + "很长的正文。" * 100 + "</p>\n"
    item = raw(body_html=body * 3000)  # about 5 MB of UTF-8
    article = process_item(item, options=OPTS)
    size = len(article.body_html.encode("utf-8"))
    assert 500_000 < size <= 1_000_100
    assert article.body_html.endswith("</p>")
    assert is_safe_html(article.body_html)


def test_huge_unbroken_body_is_cut_too():
    article = process_item(raw(body_html="字" * 2_000_000), options=OPTS)
    assert len(article.body_html.encode("utf-8")) <= 1_000_000


def test_relative_links_resolve_against_item_url_or_base():
    item = raw(body_html='<a href="2.html">下一篇</a>', url="https://news.example/a/1.html")
    assert 'href="https://news.example/a/2.html"' in process_item(item, options=OPTS).body_html
    opts = ProcessOptions(now=NOW, base_url="https://other.example/")
    assert 'href="https://other.example/2.html"' in process_item(item, options=opts).body_html


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>", '<img src=x onerror="alert(1)">', '<a href="jav&#x09;ascript:x">a</a>',
    "<svg onload=alert(1)>", '<iframe srcdoc="<script>x</script>">', "<scr<script>ipt>x",
    '<span data-code="1,600519" onclick="x()"><a href="javascript:x">茅台</a></span>',
    '<p class="em_media" onclick="x()">（文章来源：<a href="javascript:x">x</a>）</p>',
])
def test_hostile_bodies_come_out_safe(payload):
    article = process_item(raw(body_html=f"<p>正文</p>{payload}"), options=OPTS)
    assert is_safe_html(article.body_html)
    assert "javascript" not in article.body_html and "onclick" not in article.body_html


def test_lone_surrogates_do_not_break_processing():
    article = process_item(raw(title="标\ud800题", body_html="<p>\udfff</p>", digest="\ud83d"),
                           options=OPTS)
    article.body_html.encode("utf-8")
    article.title.encode("utf-8")
    article.digest.encode("utf-8")


def test_extra_is_carried_as_strings():
    article = process_item(raw(extra={"infoCode": "NW1", "n": 3}), options=OPTS)
    assert article.extra == {"infoCode": "NW1", "n": "3"}


HOSTILE = st.sampled_from([
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "【标题】", "<p>", "</p>",
    '<span data-code="1,600519">', "</span>", "<!-- EM_StockImg_Start -->", "&nbsp;", "　　",
    '"', ":", "#", "\n", "---", ": ", "- ", "<svg>", "<a href=\"javascript:x\">", "\ud800",
    "../", "%2e%2e", "\x00", "<center>", '<p style="display:none">',
])
TEXT = st.one_of(st.none(), st.lists(st.one_of(HOSTILE, st.text(max_size=8)), max_size=8).map("".join))
GOOD_TIMES = st.sampled_from(["2022-03-01 09:30:00", "2023-12-31T23:00:00Z", "1646098200000"])
# Mostly good times, so that most examples get past the time step.
TIMES = st.one_of(GOOD_TIMES, GOOD_TIMES, GOOD_TIMES, GOOD_TIMES, st.none(), st.text(max_size=20),
                  st.integers(min_value=-10, max_value=10 ** 14).map(str))


IDS = st.one_of(st.text(max_size=20), st.from_regex(r"[A-Za-z0-9./%_-]{1,30}", fullmatch=True),
                st.sampled_from(["../../x", "a/b", "%2e%2e", "NW202203010000000001"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.builds(RawItem, source=st.just("demo"), upstream_id=IDS, title=st.one_of(TEXT, TEXT.filter(bool)),
                 digest=TEXT, body_html=TEXT, published=TIMES, media=TEXT, url=TEXT,
                 tags=st.lists(st.text(max_size=10), max_size=5).map(tuple),
                 stocks=st.lists(st.one_of(st.text(max_size=10), st.just("1.600519")),
                                 max_size=4).map(tuple)))
def test_any_raw_item_gives_a_safe_article_or_item_error(item):
    try:
        article = process_item(item, options=OPTS)
    except ItemError as exc:
        assert str(exc)
        return
    assert is_safe_html(article.body_html)
    assert article.title and "\n" not in article.title
    assert article.published.utcoffset().total_seconds() == 0
    assert article.upstream_id.strip() == article.upstream_id != ""
