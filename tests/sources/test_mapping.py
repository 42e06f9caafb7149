import pytest

from finews.errors import ConfigError
from finews.sources.mapping import MISSING, ListMapping, first_of, get_path, render_template
from finews.sources.presets import PRESETS

DOC = {"result": {"data": {"feed": {"list": [{"id": 1}, {"id": 2}]}}},
       "data": {"fastNewsList": [], "n": None}, "stockList": ["1.600519", "0.000001"],
       "title": "", "name": "银行"}


@pytest.mark.parametrize("path, expected", [
    ("", DOC),
    ("result.data.feed.list.1.id", 2),
    ("result.data.feed.list[0].id", 1),
    ("result.data.feed.list[-1].id", 2),
    ("stockList.0", "1.600519"),
    ("stockList[5]", MISSING),
    ("data.fastNewsList", []),
    ("data.n", None),
    ("data.missing", MISSING),
    ("name.first", MISSING),      # through a string
    ("stockList.x", MISSING),     # a non-numeric index into a list
])
def test_get_path(path, expected):
    assert get_path(DOC, path) == expected


@pytest.mark.parametrize("paths, expected", [
    ("title|name", "银行"),      # empty string skipped
    ("data.n|name", "银行"),     # null skipped
    ("nope|also.nope", MISSING),
    (None, MISSING),
])
def test_first_of_alternatives(paths, expected):
    assert first_of(DOC, paths) == expected


@pytest.mark.parametrize("template, item, expected", [
    ("https://x/a/{id}.html", {}, "https://x/a/2024.html"),
    ("/t?id={infoCode}", {"infoCode": "NW2024"}, "/t?id=NW2024"),
    ("/t?id={infoCode}&m={m.k}", {"infoCode": "a b/&?", "m": {"k": 7}},
     "/t?id=a%20b%2F%26%3F&m=7"),
    ("/t?id={infoCode}", {}, None),
    ("/t?id={infoCode}", {"infoCode": {"x": 1}}, None),
])
def test_render_template(template, item, expected):
    assert render_template(template, item, "2024") == expected


def test_preset_with_overrides():
    mapping = ListMapping.from_settings("em-rolling", {
        "fulltext_url": "http://127.0.0.1:1/t?id={infoCode}", "extra.newsid": "newsid",
        "headline_digest": "false", "digest": ""})
    assert mapping.items == "records"
    assert mapping.fulltext_url == "http://127.0.0.1:1/t?id={infoCode}"
    assert mapping.headline_digest is False
    assert mapping.digest is None
    assert dict(mapping.extras) == {"info_code": "infoCode", "newsid": "newsid"}
    assert PRESETS["em-rolling"].mapping.headline_digest is True  # preset untouched


def test_mapping_without_preset():
    mapping = ListMapping.from_settings(None, {"items": "", "id": "guid", "title": "t"})
    assert (mapping.items, mapping.id, mapping.title, mapping.digest) == ("", "guid", "t",
                                                                         None)


@pytest.mark.parametrize("preset, overrides, words", [
    ("em-rolling", {"titel": "title"}, "mapping.titel"),
    ("em-rolling", {"headline_digest": "maybe"}, "mapping.headline_digest"),
    ("em-rolling", {"items": "data..list"}, "mapping.items"),
    ("no-such", {}, "no-such"),
    (None, {"items": "data.list"}, "mapping.id"),
    (None, {"id": "code"}, "mapping.items"),
])
def test_mapping_errors_name_the_key(preset, overrides, words):
    with pytest.raises(ConfigError) as info:
        ListMapping.from_settings(preset, overrides)
    assert words in str(info.value)
