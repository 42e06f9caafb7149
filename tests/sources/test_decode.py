import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from finews.errors import ParseError
from finews.sources.decode import decode_body, load_json, strip_wrapper

TEXT = "央行：下调存款准备金率0.25个百分点“降准”落地"


@pytest.mark.parametrize("data, declared", [
    (TEXT.encode("utf-8"), "utf-8"),
    (TEXT.encode("utf-8"), None),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "gbk"),
    (TEXT.encode("gbk"), "gbk"),
    (TEXT.encode("gbk"), None),
    (TEXT.encode("gbk"), "utf-8"),          # mislabelled
    (TEXT.encode("gbk"), "ISO-8859-1"),     # a default label, not the upstream's word
    (TEXT.encode("gb18030"), "gb2312"),
    (TEXT.encode("utf-8"), "gbk"),          # mislabelled the other way
    (TEXT.encode("utf-8"), "no-such-charset"),
    (TEXT.encode("utf-16"), "utf-16"),
])
def test_decode_body_finds_the_text(data, declared):
    assert decode_body(data, declared) == TEXT


@given(st.binary(max_size=300), st.sampled_from([None, "utf-8", "gbk", "latin-1", "bogus"]))
def test_decode_body_never_raises(data, declared):
    assert isinstance(decode_body(data, declared), str)


PAYLOAD = '{"a": [1, "二"], "b": "x)y;"}'


@pytest.mark.parametrize("wrapped", [
    PAYLOAD,
    f"  {PAYLOAD}\n",
    f"cb({PAYLOAD})",
    f"cb({PAYLOAD});",
    f"jQuery112_1710300000({PAYLOAD});\n",
    f"/**/ cb ( {PAYLOAD} ) ;",
    f"try{{cb({PAYLOAD});}}catch(e){{}};",
    f"try{{ jsonp_1({PAYLOAD}); }} catch (e) {{ }}",
    f"var ajaxResult={PAYLOAD}",
    f"var newest = {PAYLOAD};",
    f"\ufeffvar ajaxResult = {PAYLOAD};\n",
])
def test_strip_wrapper(wrapped):
    assert json.loads(strip_wrapper(wrapped)) == json.loads(PAYLOAD)


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(), c,
                                                                        max_size=3),
                    max_leaves=10),
       st.sampled_from(["{}", "cb({})", "cb({});", "try{{cb({});}}catch(e){{}};",
                        "var x = {};"]))
def test_wrappers_round_trip(value, form):
    text = json.dumps(value, ensure_ascii=False)
    assert json.loads(strip_wrapper(form.format(text))) == value


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b"  \n ", "empty"),
    (b"cb()", "empty"),
    (b'{"records": [{"id": 1, "title": "\xe5\xa4\xae', "truncated"),
    (b'cb({"records": [', "truncated"),
    (b'{"records": [1, 2,, 3]}', "not valid JSON"),
    (b"<html><body>502 Bad Gateway</body></html>", "not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
])
def test_load_json_errors_are_parse_errors(data, words):
    with pytest.raises(ParseError) as info:
        load_json(data, "utf-8")
    assert words in str(info.value)


def test_load_json_reads_gbk_jsonp():
    data = 'cb({"title": "减持计划"})'.encode("gbk")
    assert load_json(data, "utf-8") == {"title": "减持计划"}
