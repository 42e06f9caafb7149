"""The verbatim check and the repaired serialisation of the Jekyll export."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from finews.original.kramdown import (inert_text, jekyll_body, repaired_body, safe_autolink,
                                      verbatim_problem)
from finews.process.sanitise import is_safe_html

from . import original_samples as samples
from .test_jekyll_hostile import VECTORS
from .test_upstream_export import EM_FULL, MARKET_BODY, TWIN_BODY


@pytest.mark.parametrize("body", [EM_FULL, TWIN_BODY, MARKET_BODY, samples.EM_BODY,
                                  "<p>*ST示例 10:30 (600519) A-share 5%</p>",
                                  "[返回首页](//news.example/) <http://s.example/y>"])
def test_east_money_markup_stays_verbatim(body):
    assert verbatim_problem(body) is None
    assert jekyll_body(body) == (body, None)


@pytest.mark.parametrize("body", VECTORS)
def test_hostile_bodies_are_repaired_and_the_repair_is_verbatim_safe(body):
    written, problem = jekyll_body(body)
    # entity-escaped markup is text to every reader: it may stay as it is
    inert = "&lt;script" in body or "&#x3C;script" in body
    assert inert or (problem is not None and written != body)
    assert verbatim_problem(written) is None
    assert is_safe_html(written)


def test_repair_keeps_east_money_markup_and_text():
    written = repaired_body(EM_FULL + "<script>x()</script><p>[链接](javascript:x)</p>")
    assert 'class="keytip" data-code="1,600160"' in written
    assert "<!-- EM_StockImg_Start -->" in written and "<center>" in written
    assert "&#91;链接&#93;(javascript:x)" in written and "<script" not in written


_PIECES = st.sampled_from(["<", ">", "<p>", "</p>", "<!--", "-->", "[", "](", ")", "{:", "}",
                           "javascript:", "<script>", "<a href=\"", "\"", "'", "=", "&#106;",
                           "{{", "\n", "    ", "`", "\\", "$$", "<br />", "文字", " on", "x"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=25).map("".join))
def test_whatever_is_written_passes_the_check(body):
    written, _ = jekyll_body(body)
    assert verbatim_problem(written) is None


def test_inert_text_and_links():
    assert inert_text("央行今日开展100亿元逆回购操作。") == ("央行今日开展100亿元逆回购操作。", False)
    text, changed = inert_text("[x](javascript:1) {: onclick=x}\n<b>")
    assert changed and "[" not in text and "{" not in text and "\n" not in text and "<" not in text
    assert safe_autolink("http://finance.example/a/1.html") == ("http://finance.example/a/1.html", False)
    assert safe_autolink("javascript:alert(1)") == ("", True)
    assert safe_autolink('http://x/"onmouseover="1') == ("", True)
