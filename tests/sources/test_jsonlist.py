import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finews.errors import ParseError
from finews.sources.jsonlist import MAX_ID_LENGTH, parse_fulltext, parse_list
from finews.sources.mapping import ListMapping
from finews.sources.presets import PRESETS

from . import samples

ROLLING = PRESETS["em-rolling"].mapping
SIMPLE = ListMapping(items="data.list", id="id", title="title", digest="digest",
                     time="time", media="media", url="url", stocks="stocks", tags="tags",
                     url_template="https://news.example/a/{id}.html")


def answer(items) -> bytes:
    return json.dumps({"data": {"list": items}}, ensure_ascii=False).encode()


def test_rolling_answer():
    result = parse_list(samples.EM_ROLLING.encode(), "utf-8", ROLLING, "em")
    assert result.rejects == []
    first, second = result.items
    assert first.upstream_id == "202403133009961234"
    assert first.title == "示例银行：拟回购不超过5亿元股份"
    assert first.digest == "示例银行公告称，拟以集中竞价方式回购股份。"
    assert first.published == "2024-03-13 09:30:00"
    assert first.url == "http://finance.eastmoney.com/a/202403133009961234.html"
    assert first.fulltext_url == ("http://choicewzp1.eastmoney.com/NewsData/GetNewsText.do"
                                  "?id=NW202403133009961234")
    assert first.extra == {"headline": "示例银行：拟回购不超过5亿元股份",
                           "info_code": "NW202403133009961234"}
    assert json.loads(first.payload)["infoCode"] == "NW202403133009961234"
    # an integer id stays exact; an empty title falls back to the 【headline】
    assert second.upstream_id == "202403133009961235"
    assert second.title == "央行：开展逆回购操作"
    assert second.url is None


def test_huge_numeric_ids_stay_exact():
    data = b'{"data":{"list":[{"id":20251021111228466800},{"id":"00012345678901234567"}]}}'
    ids = [i.upstream_id for i in parse_list(data, None, SIMPLE, "s").items]
    assert ids == ["20251021111228466800", "00012345678901234567"]


@pytest.mark.parametrize("item, reject_id, words", [
    ("just a string", None, "expected an object"),
    ([1, 2], None, "expected an object"),
    ({"title": "没有编号"}, None, "no id"),
    ({"id": ""}, None, "no id"),
    ({"id": "   "}, None, "empty"),
    ({"id": True}, None, "bool"),
    ({"id": 1.5e20}, None, "float"),
    ({"id": {"a": 1}}, None, "dict"),
    ({"id": "x" * (MAX_ID_LENGTH + 1)}, "x" * MAX_ID_LENGTH, "characters long"),
    ({"id": 7, "title": ["列表"]}, "7", "'title'"),
    ({"id": "8", "time": {"t": 1}}, "8", "'time'"),
    ({"id": "9", "url": True}, "9", "'url'"),
])
def test_bad_items_are_rejects_not_failures(item, reject_id, words):
    good = {"id": "1", "title": "好新闻"}
    result = parse_list(answer([good, item, good]), "utf-8", SIMPLE, "s")
    assert [i.upstream_id for i in result.items] == ["1", "1"]  # duplicates both kept
    [(rid, reason, payload)] = result.rejects
    assert rid == reject_id
    assert words in reason
    assert json.loads(payload) == item


def test_fields_and_types():
    item = {"id": 42, "title": "  标题  ", "digest": 12.5, "time": 1710300000,
            "media": "证券时报", "stocks": ["1.600519", 600000, {"key": "0.000001"}, None, ""],
            "tags": [{"name": "A股"}, "银行", {"id": 3}, False]}
    [raw] = parse_list(answer([item]), "utf-8", SIMPLE, "s").items
    assert raw.source == "s"
    assert raw.title == "标题"
    assert raw.digest == "12.5"
    assert raw.published == "1710300000"
    assert raw.stocks == ("1.600519", "600000", "0.000001")
    assert raw.tags == ("A股", "银行")
    assert raw.url == "https://news.example/a/42.html"   # from the template
    assert raw.body_html is None and raw.fulltext_url is None


@pytest.mark.parametrize("stocks, expected", [
    ("1.600519,0.000001", ("1.600519", "0.000001")),
    ({"a": 1}, ()),
    (None, ()),
])
def test_odd_stock_lists_do_not_reject(stocks, expected):
    [raw] = parse_list(answer([{"id": "1", "stocks": stocks}]), "utf-8", SIMPLE, "s").items
    assert raw.stocks == expected


def test_hostile_values_pass_through_as_data():
    item = {"id": "../../etc/passwd", "title": '<script>alert(1)</script>"标题"\n---',
            "url": "javascript:alert(1)", "media": "{{ site.title }}"}
    [raw] = parse_list(answer([item]), "utf-8", SIMPLE, "s").items
    assert raw.upstream_id == "../../etc/passwd"
    assert raw.title == '<script>alert(1)</script>"标题"\n---'
    assert raw.url == "javascript:alert(1)"
    assert raw.media == "{{ site.title }}"


def test_lone_surrogates_are_replaced_and_payload_stays_valid():
    data = b'{"data":{"list":[{"id":"1","title":"a\\ud800b"}]}}'
    [raw] = parse_list(data, "utf-8", SIMPLE, "s").items
    assert raw.title == "a\ufffdb"
    assert json.loads(raw.payload.decode("utf-8"))["title"] == "a\ud800b"


def test_payload_is_compact_utf8_json():
    [raw] = parse_list(answer([{"id": "1", "title": "减持"}]), "utf-8", SIMPLE, "s").items
    assert raw.payload == '{"id":"1","title":"减持"}'.encode()


def test_gbk_answer_labelled_utf8():
    data = json.dumps({"data": {"list": [{"id": "1", "title": "回购"}]}},
                      ensure_ascii=False).encode("gbk")
    [raw] = parse_list(data, "utf-8", SIMPLE, "s").items
    assert raw.title == "回购"


def test_base_url_resolves_relative_links():
    mapping = ListMapping(items="data.list", id="id", url="url",
                          fulltext_url="/text?id={id}", body=None)
    [raw] = parse_list(answer([{"id": "7", "url": "/a/7.html"}]), "utf-8", mapping, "s",
                       base_url="http://127.0.0.1:9/list").items
    assert raw.url == "http://127.0.0.1:9/a/7.html"
    assert raw.fulltext_url == "http://127.0.0.1:9/text?id=7"


def test_fulltext_url_that_cannot_be_built_is_a_reject():
    result = parse_list(b'{"records":[{"id":"1","title":"t"}]}', "utf-8", ROLLING, "em")
    assert result.items == []
    assert "full-text URL" in result.rejects[0][1]


def test_empty_list():
    result = parse_list(b'{"data":{"list":[]}}', "utf-8", SIMPLE, "s")
    assert result.items == [] and result.rejects == []


@pytest.mark.parametrize("data, words", [
    (b'{"records": []}', "no item list at 'data.list'"),
    (b'{"data": {"list": null}}', "null"),
    (b'{"data": {"list": {"0": {}}}}', "expected a list"),
    (b'[]', "no item list"),
    (b'{"data": {"list": [{"id": 1}', "truncated"),
    (b"", "empty"),
])
def test_unreadable_answers_raise_parse_error(data, words):
    with pytest.raises(ParseError) as info:
        parse_list(data, "utf-8", SIMPLE, "s")
    assert words in str(info.value)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_result_or_parse_error(data):
    try:
        parse_list(data, None, SIMPLE, "s")
    except ParseError:
        pass


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(
        st.sampled_from(["id", "title", "digest", "time", "stocks", "tags", "url", "x"]), c,
        max_size=5),
    max_leaves=12)


@settings(max_examples=80, deadline=None)
@given(st.lists(JSON_VALUES, max_size=6))
def test_every_item_is_an_item_or_a_reject(items):
    result = parse_list(answer(items), "utf-8", SIMPLE, "s")
    assert len(result.items) + len(result.rejects) == len(items)


@pytest.mark.parametrize("preset, data, expected", [
    ("em-rolling", b'{"content":"<p>\\u6b63\\u6587</p>"}', "<p>正文</p>"),
    ("em-media", '{"text":"<p>全文</p>","title":"t"}'.encode("gbk"), "<p>全文</p>"),
    ("em-columns", b'cb({"news":{"body":"<p>b</p>"}})', "<p>b</p>"),
])
def test_parse_fulltext(preset, data, expected):
    assert parse_fulltext(data, "utf-8", PRESETS[preset].mapping) == expected


@pytest.mark.parametrize("data, words", [
    (b'{"text": "x"}', "no text at 'content'"),
    (b'{"content": null}', "no text at 'content'"),
    (b'{"content": ["x"]}', "expected text"),
    (b'{"content": "<p>', "truncated"),
])
def test_parse_fulltext_errors(data, words):
    with pytest.raises(ParseError) as info:
        parse_fulltext(data, "utf-8", ROLLING)
    assert words in str(info.value)


def test_parse_fulltext_needs_a_body_path():
    with pytest.raises(ParseError, match="fulltext_body"):
        parse_fulltext(b'{"content": "x"}', "utf-8", SIMPLE)
