from datetime import date, datetime, timezone

import pytest
from hypothesis import given, settings, HealthCheck, strategies as st

from finews.errors import QueryError
from finews.search.engine import search
from finews.search.query import SearchQuery

from .conftest import NOW, TZ


def ids(archive, text, **kw):
    order = kw.pop("order", "relevance")
    res = search(archive.conn, SearchQuery(text, **kw), tz=TZ, now=NOW, order=order, limit=50)
    return [h.id for h in res.hits]


@pytest.fixture
def stories(archive):
    s = {}
    s["zhaoshang"] = archive.add("招商银行回应传闻", "<p>公司经营正常。</p>",
                                 stocks=(("1", "600036", "招商银行"),))
    s["jianchi"] = archive.add("某公司股东拟减持", "<p>股东计划减持不超过1.2亿元。</p>",
                               media="中国证券报")
    s["yanghang"] = archive.add("央行开展逆回购操作", "<p>央行今日开展逆回购。</p>",
                                published=datetime(2024, 3, 1, tzinfo=timezone.utc))
    s["maotai"] = archive.add("贵州茅台发布公告", "<p>贵州茅台（600519）制造业PMI走强。</p>",
                              stocks=(("1", "600519", "贵州茅台"),))
    s["zhongyang"] = archive.add("中央经济工作会议召开", "<p>会议部署明年工作。</p>")
    return s


@pytest.mark.parametrize("query, expected", [
    ("银行", {"zhaoshang"}),                 # two-char word inside a longer word
    ("减持", {"jianchi"}),
    ("央", {"yanghang", "zhongyang"}),      # one character, inside 央行 and 中央
    ("600519", {"maotai"}),
    ("pmi", {"maotai"}), ("PMI", {"maotai"}),
    ("1.2", {"jianchi"}),
    ('"贵州茅台 发布"', {"maotai"}),
    ('"发布 贵州茅台"', set()),               # a phrase keeps its order
    ('"茅台 发布"', {"maotai"}),              # across jieba's word boundaries
    ('"茅台发布公告"', {"maotai"}),
    ('"贵州 发布"', set()),                   # not consecutive
    ("央行 OR 减持", {"yanghang", "jianchi"}),
    ("央 -中央", {"yanghang"}),
    ("贵州茅台公告", {"maotai"}),             # unspaced words: all must match
    ("并购", set()),
])
def test_matches(archive, stories, query, expected):
    assert set(ids(archive, query)) == {stories[k] for k in expected}


@pytest.mark.parametrize("filters, expected", [
    ({"media": "中国证券报"}, {"jianchi"}),
    ({"media": "no-such-media"}, set()),
    ({"stock": "600036"}, {"zhaoshang"}),
    ({"stock": "1.600036"}, {"zhaoshang"}),
    ({"stock": "0.600036"}, set()),
    ({"date_from": date(2024, 3, 1), "date_to": date(2024, 3, 1)}, {"yanghang"}),
    ({"date_from": date(2024, 3, 2)}, {"zhaoshang", "jianchi", "maotai"}),
    ({"date_to": date(2024, 2, 29)}, set()),
])
def test_filters(archive, stories, filters, expected):
    assert set(ids(archive, "公司 OR 央行 OR 贵州茅台 OR 银行", **filters)) == {
        stories[k] for k in expected}


def test_traditional_and_simplified_characters_find_each_other(archive):
    simplified = archive.add("招商银行发布公告", "<p>银行业绩增长</p>")
    traditional = archive.add("臺灣銀行發佈年報", "<p>銀行業績增長</p>")
    assert set(ids(archive, "銀行")) == {simplified, traditional}
    assert set(ids(archive, "银行")) == {simplified, traditional}
    assert ids(archive, "台湾") == [traditional]
    assert set(ids(archive, '"業績增長"')) == {simplified, traditional}


def test_media_filter_takes_the_category_slug(archive, stories):
    slug = archive.store.category_for("中国证券报").slug
    assert ids(archive, "减持", media=slug) == [stories["jianchi"]]


def test_date_filter_uses_the_site_time_zone(archive):
    # 2024-03-01 23:30 in Shanghai is still 2024-03-01 there but 15:30 UTC.
    late = archive.add("降准落地", published=datetime(2024, 3, 1, 15, 30, tzinfo=timezone.utc))
    assert ids(archive, "降准", date_from=date(2024, 3, 1), date_to=date(2024, 3, 1)) == [late]
    assert ids(archive, "降准", date_from=date(2024, 3, 2)) == []


def test_title_match_outranks_body_match(archive):
    body = archive.add("市场综述", "<p>今日券商板块走强，券商股领涨。</p>",
                       published=datetime(2024, 5, 30, tzinfo=timezone.utc))
    title = archive.add("券商板块走强", "<p>今日市场整体平稳。</p>",
                        published=datetime(2024, 1, 2, tzinfo=timezone.utc))
    assert ids(archive, "券商") == [title, body]


def test_recency_breaks_ties(archive):
    old = archive.add("光伏板块回落", published=datetime(2023, 1, 1, tzinfo=timezone.utc))
    new = archive.add("光伏板块回落", "<p>正文 </p>",
                      published=datetime(2024, 5, 31, tzinfo=timezone.utc))
    assert ids(archive, "光伏") == [new, old]


def test_newest_order(archive):
    days = [5, 1, 20, 11]
    made = {d: archive.add(f"储能新闻{d}", published=datetime(2024, 4, d, tzinfo=timezone.utc))
            for d in days}
    assert ids(archive, "储能", order="newest") == [made[d] for d in sorted(days, reverse=True)]


def test_pagination_and_total(archive):
    made = [archive.add(f"算力新闻第{i}条", published=datetime(2024, 4, 1 + i, tzinfo=timezone.utc))
            for i in range(7)]
    q = SearchQuery("算力")
    pages = [search(archive.conn, q, tz=TZ, now=NOW, order="newest", limit=3, offset=o)
             for o in (0, 3, 6)]
    assert [len(p.hits) for p in pages] == [3, 3, 1]
    assert all(p.total == 7 and p.total_exact for p in pages)
    assert [h.id for p in pages for h in p.hits] == made[::-1]


def test_snippet_is_escaped_except_marks(archive):
    archive.add("<b>逆回购</b>", "<p>央行 &lt;script&gt;alert(1)&lt;/script&gt; 开展逆回购。</p>")
    (hit,) = search(archive.conn, SearchQuery("逆回购"), tz=TZ, now=NOW).hits
    assert "<script>" not in hit.snippet_html and "&lt;script&gt;" in hit.snippet_html
    assert "<mark>逆回购</mark>" in hit.snippet_html
    assert hit.title_html == "&lt;b&gt;<mark>逆回购</mark>&lt;/b&gt;"


HOSTILE = ['"', '*', 'NEAR(', 'NEAR(银行 央行, 2)', '^银行', 'title:银行', '{title}: 银行',
           'AND OR NOT', '"银行', '银行"央行"', '(银行', '银行)', '-', '--', '- -银行',
           '银行 AND', 'NOT 银行', '\x00\x01\x7f', '银' * 500, "'; DROP TABLE articles; --",
           'rank:1', 'a' * 150, '银行 *', '"" "" ""', '\u200b\u202e银行']


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_give_results_or_query_error(archive, stories, text):
    try:
        search(archive.conn, SearchQuery(text), tz=TZ, now=NOW)
    except QueryError as exc:
        assert str(exc)
    assert archive.store.count_articles() == 5


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_gives_results_or_query_error(archive, text):
    try:
        search(archive.conn, SearchQuery(text), tz=TZ, now=NOW)
    except QueryError:
        pass


def test_bad_paging_is_a_query_error(archive):
    with pytest.raises(QueryError):
        search(archive.conn, SearchQuery("银行"), tz=TZ, offset=5000)
    with pytest.raises(QueryError):
        search(archive.conn, SearchQuery("银行"), tz=TZ, order="random")
