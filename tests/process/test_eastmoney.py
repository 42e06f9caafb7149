from pathlib import Path

import pytest

from finews.model import StockMention
from finews.process.eastmoney import clean_eastmoney, merge_stocks, parse_stock_id

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.name[: -len(".input.html")] for p in GOLDEN.glob("*.input.html"))


def _stocks(name: str) -> tuple[StockMention, ...]:
    lines = (GOLDEN / f"{name}.stocks.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for line in lines:
        ident, _, stock_name = line.partition(" ")
        market, _, code = ident.partition(".")
        out.append(StockMention(market, code, stock_name))
    return tuple(out)


@pytest.mark.parametrize("name", CASES)
def test_golden_pairs(name):
    html, stocks = clean_eastmoney((GOLDEN / f"{name}.input.html").read_text(encoding="utf-8"))
    assert html == (GOLDEN / f"{name}.expected.html").read_text(encoding="utf-8")
    assert stocks == _stocks(name)


def test_golden_set_is_present():
    assert len(CASES) >= 4


STOCK_LINK = ('<span id="stock_1.600999"><a href="http://quote.eastmoney.com/unify/r/1.600999" '
              'class="keytip" data-code="1,600999">示例化工</a></span><span id="quote_1.600999"></span>')


@pytest.mark.parametrize("html, text, stocks", [
    (f"<p>{STOCK_LINK}涨</p>", "<p>示例化工涨</p>", [("1", "600999", "示例化工")]),
    ('<p><span web="1" href="x" class="em_stock_key_common" data-code="0,000999">样本</span></p>',
     "<p>样本</p>", [("0", "000999", "样本")]),
    ('<p><span class="em_stock_key_common" data-code="105, aapl ">苹果</span></p>',
     "<p>苹果</p>", [("105", "AAPL", "苹果")]),
    ('<p><a href="http://quote.eastmoney.com/sz000999.html">深市样本</a></p>',
     '<p><a href="http://quote.eastmoney.com/sz000999.html">深市样本</a></p>',
     [("0", "000999", "深市样本")]),
    ('<p><a class="infokey" href="http://data.eastmoney.com/cjsj/cpi.html">CPI</a>上涨</p>',
     "<p>CPI上涨</p>", []),
    (f"<p>{STOCK_LINK}与{STOCK_LINK}</p>", "<p>示例化工与示例化工</p>", [("1", "600999", "示例化工")]),
    ('<p style="display: none;">x</p><p>y</p>', "<p>y</p>", []),
    ('<div style="Display:None"><p>x</p></div><p>y</p>', "<p>y</p>", []),
    ('<p STYLE="display :\tnone !important">x</p>', "", []),
    ('<center><img src="a.png"></center>', '<img src="a.png">', []),
    ('<span id="quote_1.600999"> </span>t', "t", []),
    ('<!-- EM_StockImg_Start --><a href="/r/1.600999"><img src="k.png"></a><!-- EM_StockImg_End -->t',
     "t", []),
    ('<p class="em_media">（文章来源：<a href="http://x.example/">示例</a>）</p>',
     '<p class="em_media">（文章来源：示例）</p>', []),
    ('<span data-code="1,600999"><script>alert(1)</script>名</span>', "alert(1)名",
     [("1", "600999", "alert(1)")]),
    ("", "", []),
    ("<p>no markup</p>", "<p>no markup</p>", []),
])
def test_clean_eastmoney(html, text, stocks):
    out, found = clean_eastmoney(html)
    assert out == text
    assert found == tuple(StockMention(*s) for s in stocks)


def test_stock_text_with_markup_characters_is_escaped():
    out, _ = clean_eastmoney('<span data-code="1,600999">A&lt;B&gt;</span>')
    assert out == "A&lt;B&gt;"


def test_invalid_codes_are_not_recorded():
    out, found = clean_eastmoney('<span data-code="1,60 09; drop">x</span><span id="stock_x">y</span>')
    assert found == ()
    assert out == "xy"


@pytest.mark.parametrize("value, expected", [
    ("1.600519", StockMention("1", "600519", "")),
    ("0,000001", StockMention("0", "000001", "")),
    ("90.bk0493", StockMention("90", "BK0493", "")),
    ("600519", None), ("", None), ("1.", None), ("x.600519", None), ("1.600519;drop", None),
])
def test_parse_stock_id(value, expected):
    assert parse_stock_id(value) == expected


def test_merge_keeps_first_and_fills_blank_names():
    a = StockMention("1", "600519", "")
    b = StockMention("1", "600519", "贵州茅台")
    c = StockMention("0", "000001", "平安银行")
    assert merge_stocks((a, c), (b, c)) == (b, c)
