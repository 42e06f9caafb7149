"""East Money's own markup inside story bodies → clean HTML plus stock data.

East Money wraps every security it names in quote widgets::

    <span id="stock_1.600160"><a href="http://quote.eastmoney.com/unify/r/1.600160"
      class="keytip" data-code="1,600160">巨化股份</a></span><span id="quote_1.600160"></span>
    <span web="1" href="…" class="em_stock_key_common" data-code="1,600160">巨化股份</span>

Readers only need the name; the security itself is recorded as a
:class:`StockMention`. Boards (``id="bk_90.BK0493"``) and data links
(``class="infokey"``) become their text too; chart blocks, hidden paragraphs
and empty quote placeholders go; ``<center>`` is unwrapped. The closing
source line ``<p class="em_media">（文章来源：…）</p>`` stays, as plain text.

The result is still untrusted HTML: the sanitiser runs after this.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

from ..model import StockMention
from .html_tree import fragment_html, limit_nesting, outermost, parse_fragment, walk

_CHART_BLOCK = re.compile(
    r"<!--\s*EM_StockImg_Start\s*-->.*?<!--\s*EM_StockImg_End\s*-->",
    re.DOTALL | re.IGNORECASE)
_ID_CODE = re.compile(r"^(?:stock|bk)_(\d{1,3})\.([A-Za-z0-9]{1,16})$", re.IGNORECASE | re.ASCII)
_DATA_CODE = re.compile(r"^\s*(\d{1,3})\s*[,.]\s*([A-Za-z0-9]{1,16})\s*$", re.ASCII)
_HREF_CODE = re.compile(r"/(?:unify/r|r)/(\d{1,3})\.([A-Za-z0-9]{1,16})(?:[/?#.]|$)", re.ASCII)
_HREF_EXCHANGE = re.compile(r"quote\.eastmoney\.com/(?:[a-z]+/)?(sh|sz|bj|hk)([A-Za-z0-9]{1,16})\.html",
                            re.IGNORECASE | re.ASCII)
_EXCHANGE_MARKETS = {"sh": "1", "sz": "0", "bj": "0", "hk": "116"}
_LINK_CLASSES = frozenset({"keytip", "em_stock_key_common", "infokey"})
_HIDDEN = re.compile(r"display:none|visibility:hidden")
_WIDGET_ID = re.compile(r"^(?:stock|bk)_", re.IGNORECASE)
_QUOTE_ID = re.compile(r"^quote_", re.IGNORECASE)
MAX_STOCKS = 100


def _classes(node: LexborNode) -> set[str]:
    return set((node.attributes.get("class") or "").lower().split())


def _is_em_link(node: LexborNode) -> bool:
    attrs = node.attributes
    return (bool(_WIDGET_ID.match(attrs.get("id") or ""))
            or "data-code" in attrs
            or bool(_classes(node) & _LINK_CLASSES))


def _code_of(node: LexborNode) -> tuple[str, str] | None:
    attrs = node.attributes
    for pattern, value in ((_DATA_CODE, attrs.get("data-code")),
                           (_ID_CODE, attrs.get("id")),
                           (_HREF_CODE, attrs.get("href"))):
        match = pattern.search(value or "")
        if match:
            return match.group(1), match.group(2).upper()
    match = _HREF_EXCHANGE.search(attrs.get("href") or "")
    if match:
        return _EXCHANGE_MARKETS[match.group(1).lower()], match.group(2).upper()
    return None


def _mention(node: LexborNode) -> StockMention | None:
    """The security a widget names, with the widget's first piece of text.

    Only the first text counts: in broken markup an unclosed link swallows
    the rest of the paragraph, which is not part of the name.
    """
    code = _code_of(node)
    if code is None:
        return None
    name = ""
    for inner in node.traverse(include_text=True):
        if inner.is_text_node and (inner.text_content or "").strip():
            name = " ".join((inner.text_content or "").split())
            break
    return StockMention(market=code[0], code=code[1], name=name[:40])


def _is_hidden(node: LexborNode) -> bool:
    style = (node.attributes.get("style") or "").lower()
    return bool(_HIDDEN.search("".join(style.split())))


def _is_empty_quote(node: LexborNode) -> bool:
    return ((node.tag or "").lower() == "span"
            and bool(_QUOTE_ID.match(node.attributes.get("id") or ""))
            and not (node.text(deep=True) or "").strip()
            and node.css_first("img") is None)


def _is_link(node: LexborNode) -> bool:
    return (node.tag or "").lower() == "a"


def _is_source_line(node: LexborNode) -> bool:
    return "em_media" in _classes(node)


def _merge(mentions: list[StockMention]) -> tuple[StockMention, ...]:
    """Unique by (market, code), first appearance wins; a later name fills a blank."""
    seen: dict[tuple[str, str], StockMention] = {}
    for mention in mentions:
        key = (mention.market, mention.code)
        known = seen.get(key)
        if known is None:
            if len(seen) < MAX_STOCKS:
                seen[key] = mention
        elif not known.name and mention.name:
            seen[key] = StockMention(known.market, known.code, mention.name)
    return tuple(seen.values())


def merge_stocks(*groups: tuple[StockMention, ...]) -> tuple[StockMention, ...]:
    return _merge([mention for group in groups for mention in group])


def parse_stock_id(value: str) -> StockMention | None:
    """An upstream stock id such as ``1.600519`` or ``0,000001``; None if malformed."""
    match = _DATA_CODE.match(value or "")
    if not match:
        return None
    return StockMention(market=match.group(1), code=match.group(2).upper(), name="")


def clean_eastmoney(html: str) -> tuple[str, tuple[StockMention, ...]]:
    """Return ``html`` without East Money's widgets, and the stocks it named."""
    if not html:
        return "", ()
    parser = parse_fragment(limit_nesting(_CHART_BLOCK.sub("", html)))
    for node in outermost(parser, _is_hidden):
        node.decompose()
    # Every widget names its security, nested ones too (a parser repairing
    # broken markup can nest them); only the outermost is replaced by text.
    mentions = [m for m in map(_mention, walk(parser)) if m is not None]
    for node in outermost(parser, _is_em_link):
        node.replace_with(node.text(deep=True) or "")
    for node in list(walk(parser)):
        if (node.tag or "").lower() == "center":
            node.unwrap()  # the children live on; only the wrapper goes
    for node in outermost(parser, _is_empty_quote):
        node.decompose()
    for node in outermost(parser, _is_link, scope=_is_source_line):
        node.replace_with(node.text(deep=True) or "")
    return fragment_html(parser), _merge(mentions)
