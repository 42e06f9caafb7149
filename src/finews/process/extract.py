"""An article page's bytes → the HTML of its main text.

A feed that carries only summaries links each item to its page on the
news site; ``fulltext = "page"`` sources have that page fetched and its
article text taken from it here. Two ways to find the text:

* by default readability-lxml decides which part of the page is the
  article (chosen over trafilatura in ``benchmarks/extractors.py``: on
  finews's pages it keeps every paragraph, where trafilatura either drops
  paragraphs with stock links or keeps the navigation and comments);
* a source's ``fulltext_selector`` (a CSS selector, as in FreshRSS) names the
  article's element(s) instead, and ``fulltext_remove`` the elements inside
  them to drop (share bars, in-article promotions).

The result is untrusted HTML like any other body: the pipeline cleans and
sanitises it afterwards. Every failure is a ParseError saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from ..errors import ConfigError, ParseError
from ..sources.decode import decode_body
from .html_tree import limit_nesting
from .text import html_to_text

#: Less article text than this (characters, spaces not counted) is taken as
#: "no article found": a page of navigation and a copyright line.
MIN_TEXT = 20

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._-]+)""", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageRules:
    """How one source's article pages are read."""

    #: CSS selector of the article's element(s); None: readability decides.
    selector: str | None = None
    #: CSS selector of elements inside the article to drop.
    remove: str | None = None


def check_selector(selector: str, key: str) -> None:
    """Raise ConfigError unless ``selector`` is a CSS selector Lexbor can read."""
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except (SelectolaxError, ValueError, TypeError):
        raise ConfigError(f"'{key}' {selector!r} is not a valid CSS selector "
                          "(e.g. \"#ContentBody\" or \"div.article\")") from None


def page_text(data: bytes, charset: str | None) -> str:
    """Decode an HTML page: the HTTP charset, else its ``<meta charset>``, else sniffed.

    Chinese news sites still serve GBK/GB2312 pages, often declared only in a
    ``<meta>`` tag; :func:`decode_body` then tries UTF-8 first, so a page that
    is really UTF-8 despite its label is not turned into mojibake.
    """
    if not charset:
        match = _META_CHARSET.search(data[:4096])
        charset = match.group(1).decode("ascii") if match else None
    return decode_body(data, charset)


def extract_article(data: bytes, charset: str | None,
                    rules: PageRules = PageRules()) -> str:
    """The article's HTML from a page; ParseError when none can be found."""
    if not data.strip():
        raise ParseError("the article page is empty")
    # A page nested thousands of levels deep takes Lexbor and lxml minutes
    # (or their recursion limits); no article is nested that deep.
    html = limit_nesting(page_text(data, charset))
    if rules.selector:
        body = _by_selector(html, rules)
        how = f"the selector {rules.selector!r}"
    else:
        body = _by_readability(html, rules)
        how = "the extractor"
    text = html_to_text(body)
    if len("".join(text.split())) < MIN_TEXT:
        raise ParseError(f"{how} found no article text on the page "
                         f"({len(text.strip())} characters)")
    return body


def _by_selector(html: str, rules: PageRules) -> str:
    try:
        tree = LexborHTMLParser(html)
        found = _outermost(tree.css(rules.selector or ""))
        if rules.remove:
            _remove([junk for node in found for junk in node.css(rules.remove)])
    except SelectolaxError as exc:
        raise ParseError(f"the page cannot be searched with the selector: {exc}") from exc
    if not found:
        raise ParseError(f"the selector {rules.selector!r} matches nothing on the page")
    return "\n".join(node.html or "" for node in found)


#: A class or id token that marks an advertisement: ``ad``, ``ads``, ``adv``,
#: ``advert…``, ``sinaads``, ``ad_box``, ``em_ad_inner``, ``side-ad``.
_AD_TOKEN = re.compile(r"^(?:ads?|adv|advert\w*|sinaads|(?:ad[-_]\w+)|(?:\w+[-_]ad)|"
                       r"(?:\w+[-_]ad[-_]\w+))$", re.IGNORECASE)


def drop_ads(html: str) -> str:
    """The page without elements whose class or id names them an advertisement.

    Readability scores blocks of text, so an advertisement's caption inside the
    article ("广告", "开户即送…") would be kept with it; the sites mark theirs.
    """
    tree = LexborHTMLParser(html)
    ads = [node for node in tree.css("[class], [id]")
           if node.tag not in ("html", "body") and any(
               _AD_TOKEN.match(t) for t in [*(node.attributes.get("class") or "").split(),
                                            node.attributes.get("id") or ""])]
    _remove(ads)
    return tree.html or ""


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """The nodes not inside another of them, in document order."""
    chosen = {node.mem_id for node in nodes}
    kept = []
    for node in nodes:
        parent, inside = node.parent, False
        while parent is not None and not inside:
            inside = parent.mem_id in chosen
            parent = parent.parent
        if not inside:
            kept.append(node)
    return kept


def _remove(nodes: list[LexborNode]) -> None:
    # Only the outermost: a node inside one already removed is gone with it.
    for node in _outermost(nodes):
        node.decompose()


def _by_readability(html: str, rules: PageRules) -> str:
    from readability import Document  # late: needed only by page sources
    try:
        body = Document(drop_ads(html)).summary(html_partial=True)
    except Exception as exc:  # lxml and readability raise many types on odd pages
        raise ParseError(f"the article page cannot be read ({type(exc).__name__}: "
                         f"{str(exc)[:200]})") from exc
    if rules.remove:
        tree = LexborHTMLParser(body)
        _remove(tree.css(rules.remove))
        body = tree.body.html if tree.body else ""
    return body
