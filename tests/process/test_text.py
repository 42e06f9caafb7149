import pytest
from hypothesis import given, strategies as st

from finews.errors import ItemError
from finews.process.text import (clean_title, html_to_text, make_digest,
                                 split_bracket_headline, strip_indent, text_to_html)


@pytest.mark.parametrize("html, expected", [
    ("<p>　　第一段</p><p>　　第二段</p>", "<p>第一段</p><p>第二段</p>"),
    ("　　开头", "开头"),
    ("<p>&nbsp;&nbsp;文字</p>", "<p>文字</p>"),
    ("<p class=\"x\">\u3000 文字</p>", "<p class=\"x\">文字</p>"),
    ("一行<br>　　二行<br/>&#12288;三行", "一行<br>二行<br/>三行"),
    ("a\n\u3000\u3000b", "a\nb"),
    ("<pre>\n    code</pre>", "<pre>\n    code</pre>"),
    ("<p>中间的　　空格</p>", "<p>中间的空格</p>"),
    ("<p>a&nbsp;b</p>", "<p>a&nbsp;b</p>"),
])
def test_strip_indent(html, expected):
    assert strip_indent(html) == expected


@pytest.mark.parametrize("html, expected", [
    ("<p>一</p><p>二</p>", "一\n二"),
    ("<p>a <b>b</b>  c</p>", "a b c"),
    ("x<br>y", "x\ny"),
    ("<p>&amp;&lt;tag&gt;&nbsp;z</p>", "&<tag> z"),
    ("<script>alert(1)</script><style>p{}</style><p>shown</p>", "shown"),
    ("<ul><li>1</li><li>2</li></ul>", "1\n2"),
    ("", ""),
    ("<p>unclosed <b>bold", "unclosed bold"),
])
def test_html_to_text(html, expected):
    assert html_to_text(html) == expected


def test_text_to_html_escapes():
    assert text_to_html("a<b>\n\n c & d ") == "<p>a&lt;b&gt;</p><p>c &amp; d</p>"


@pytest.mark.parametrize("text, limit, expected", [
    ("短文本", 120, "短文本"),
    ("a  b\n c", 120, "a b c"),
    ("一二三四五。六七八九十", 8, "一二三四五。"),
    ("一二三四五六七八九十", 8, "一二三四五六七…"),
    ("甲。" + "乙" * 20, 10, "甲。乙乙乙乙乙乙乙…"),
])
def test_make_digest(text, limit, expected):
    assert make_digest(text, limit) == expected


@given(st.text(), st.integers(min_value=2, max_value=300))
def test_digest_never_exceeds_limit(text, limit):
    assert len(make_digest(text, limit)) <= limit


@pytest.mark.parametrize("digest, expected", [
    ("【标题】正文", ("标题", "正文")),
    ("  【 标题 】 正文 ", ("标题", "正文")),
    ("【】正文", (None, "正文")),
    ("没有标题", (None, "没有标题")),
    ("正文【不是开头】", (None, "正文【不是开头】")),
    ("【未闭合标题 正文", (None, "【未闭合标题 正文")),
    ("", (None, "")),
])
def test_split_bracket_headline(digest, expected):
    assert split_bracket_headline(digest) == expected


@pytest.mark.parametrize("raw, expected", [
    ("  标题  ", "标题"),
    ("a\nb\r\nc\td", "a b c d"),
    ("<b>粗</b>体&amp;&quot;引号&quot;", '粗 体&"引号"'),
    ('He said "hi": yes', 'He said "hi": yes'),
    ("--- title", "--- title"),
    ("- item: value #tag", "- item: value #tag"),
    ("&lt;script&gt;", "<script>"),
    ("a\x00b\x1bc", "a b c"),
    ("<!-- c -->t", "t"),
])
def test_clean_title(raw, expected):
    assert clean_title(raw) == expected


def test_clean_title_caps_length():
    title = clean_title("长" * 1000)
    assert len(title) == 200 and title.endswith("…")


@pytest.mark.parametrize("raw", ["", "   ", "<b></b>", "\n\t", None, "<br>&nbsp;"])
def test_clean_title_rejects_empty(raw):
    with pytest.raises(ItemError):
        clean_title(raw)
