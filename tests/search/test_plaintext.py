import pytest
from hypothesis import given, strategies as st

from finews.process.text import html_to_text
from finews.search.plaintext import index_text
from finews.search.segment import index_tokens


@pytest.mark.parametrize("html, words", [
    ('<p class="keytip">正文<script>secretword()</script></p>', ["正文"]),
    ('<a title="a>b" href="x">链接</a>文字', ["链接", "文字"]),
    ("<p>abc</p><p>def</p>", ["abc", "def"]),            # blocks keep Latin words apart
    ("x<br/>y", ["x", "y"]),
    ('<!-- hidden -->可见<style a="1">.x{}</style>', ["可见"]),
    ("<script>never closed", []),
    ("3 < 4 &amp; 5 > 2", ["3", "4", "5", "2"]),
    ("A&nbsp;B &lt;b&gt;", ["a", "b", "b"]),
    ('<span web="1" data-code="1,600519">贵州茅台</span>（600519）', ["贵州", "茅台", "600519"]),
])
def test_index_text_keeps_exactly_the_visible_words(html, words):
    assert index_tokens(index_text(html))[0] == words


BLOCKS = st.sampled_from(["p", "div", "li", "h2", "span", "b", "a", "em"])
TEXTS = st.text(alphabet="央行降准银行减持abc 12.5，。&<>\"'", max_size=12)


@st.composite
def bodies(draw):
    parts = []
    for _ in range(draw(st.integers(0, 5))):
        tag, text = draw(BLOCKS), draw(TEXTS)
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        parts.append(f'<{tag} class="c">{escaped}</{tag}>')
    return "".join(parts)


@given(bodies())
def test_same_words_as_the_parser_on_sanitised_bodies(html):
    # Bodies in the store are well-formed; on those the fast reading and the
    # parser give the index the same words.
    assert index_tokens(index_text(html)) == index_tokens(html_to_text(html))
