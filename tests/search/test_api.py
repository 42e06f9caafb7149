import pytest

from finews.errors import QueryError
from finews.search.api import search_json

from .conftest import TZ


@pytest.fixture
def two(archive):
    a = archive.add("招商银行回应传闻", "<p>经营正常。</p>", stocks=(("1", "600036", "招商银行"),))
    b = archive.add("银行板块走强", "<p>银行股上涨。</p>", media="中国证券报")
    return a, b


def test_json_document(archive, two):
    doc = search_json(archive.store, {"q": "银行", "order": "newest", "size": "1"}, tz=TZ)
    assert doc["total"] == 2 and doc["total_exact"] and doc["pages"] == 2
    assert doc["query"] == {"q": "银行", "media": None, "stock": None, "from": None,
                            "to": None, "order": "newest", "page": 1, "size": 1}
    (hit,) = doc["results"]
    assert hit["id"] == two[1]
    assert hit["url"] == "/" + hit["path"]
    assert hit["published"].endswith("+08:00")
    assert "<mark>银行</mark>" in hit["title_html"]
    page2 = search_json(archive.store, {"q": "银行", "order": "newest", "size": "1",
                                       "page": "2"}, tz=TZ)
    assert [r["id"] for r in page2["results"]] == [two[0]]


@pytest.mark.parametrize("params, expected", [
    ({"q": "银行", "stock": "600036"}, 0), ({"q": "银行", "media": "中国证券报"}, 1),
    ({"q": "银行", "from": "2024-05-01", "to": "2024-05-01"}, None),
    ({"q": "银行", "to": "2024-04-30"}, "none"),
])
def test_filters(archive, two, params, expected):
    ids = [r["id"] for r in search_json(archive.store, params, tz=TZ)["results"]]
    if expected is None:
        assert sorted(ids) == sorted(two)
    elif expected == "none":
        assert ids == []
    else:
        assert ids == [two[expected]]


@pytest.mark.parametrize("params, name", [
    ({}, "'q'"), ({"q": "  "}, "'q'"), ({"q": "银行", "page": "0"}, "'page'"),
    ({"q": "银行", "page": "x"}, "'page'"), ({"q": "银行", "size": "51"}, "'size'"),
    ({"q": "银行", "size": "-1"}, "'size'"), ({"q": "银行", "page": "999"}, "'page'"),
    ({"q": "银行", "from": "2024-13-01"}, "'from'"), ({"q": "银行", "to": "yesterday"}, "'to'"),
    ({"q": "银行", "from": "2024-05-02", "to": "2024-05-01"}, "'from'"),
    ({"q": "银行", "order": "random"}, "'order'"), ({"q": "银行", "stock": "60'0"}, "'stock'"),
    ({"q": "银行", "media": "m" * 101}, "'media'"), ({"q": "银行", "limit": "5"}, "'limit'"),
    ({"q": "OR"}, "OR"),
])
def test_bad_parameters_name_the_parameter(archive, two, params, name):
    with pytest.raises(QueryError, match=name):
        search_json(archive.store, params, tz=TZ)
