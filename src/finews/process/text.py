"""Plain text out of bodies, digests and titles.

Titles, digests, tags and media names are stored and shown as text (the
templates escape them), so here they lose every tag and entity; bodies stay
HTML and only lose the old full-width paragraph indents.
"""

from __future__ import annotations

import html as htmllib
import re
import unicodedata

from ..errors import ItemError
from selectolax.lexbor import LexborNode

from .html_tree import children, limit_nesting, parse_fragment, top_level

TITLE_LIMIT = 200
DIGEST_LIMIT = 120

_WIDE_SPACE = r"(?:[\u3000\u00a0]|&nbsp;|&#160;|&#x0*a0;|&#12288;|&#x0*3000;)"
# A paragraph start: the beginning, an opening block tag or a <br>; ASCII
# space there is dropped too. After a bare newline only wide spaces go, so
# preformatted text keeps its ASCII indentation.
_INDENT = re.compile(
    r"(^|<(?:p|div|li|td|blockquote)\b[^>]*>|<br\s*/?>)(?:[ \t\r\n]|" + _WIDE_SPACE + ")+"
    r"|(\n)" + _WIDE_SPACE + "+",
    re.IGNORECASE)
_FULLWIDTH_INDENT = re.compile("\u3000\u3000")
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6",
    "tr", "table", "blockquote", "figure", "figcaption", "pre", "hr",
    "section", "article", "header", "footer", "center", "dd", "dt",
})
_INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "title",
                             "head", "iframe", "object", "svg", "math", "textarea"})
_TAG = re.compile(r"<!--.*?(?:-->|$)|</?[A-Za-z][^>]*>?", re.DOTALL)
_SPACES = re.compile(r"[^\S\n]+")
_ALL_SPACE = re.compile(r"\s+")
_BRACKET = re.compile(r"^\s*【([^【】]*)】\s*(.*)$", re.DOTALL)
_SENTENCE_END = "。！？；!?;"


def strip_indent(html: str) -> str:
    """Drop ``　　`` indents and stray spaces/``&nbsp;`` where paragraphs start."""
    out = _INDENT.sub(lambda m: m.group(1) or m.group(2) or "", html)
    return _FULLWIDTH_INDENT.sub("", out)


def html_to_text(html: str) -> str:
    """The readable text of ``html``: one line per block, spaces collapsed."""
    if not html:
        return ""
    parts: list[str] = []
    stack: list[LexborNode | str] = list(reversed(top_level(parse_fragment(limit_nesting(html)))))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
        elif node.is_text_node:
            parts.append(node.text_content or "")
        elif node.is_element_node:
            tag = (node.tag or "").lower()
            if tag in _INVISIBLE_TAGS:
                continue
            block = tag in _BLOCK_TAGS
            if block:
                parts.append("\n")
                stack.append("\n")
            stack.extend(reversed(children(node)))
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line.replace("\u3000", " ").strip() for line in lines if line.strip())


def text_to_html(text: str) -> str:
    """Plain text as escaped paragraphs, one per line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return "".join(f"<p>{htmllib.escape(line, quote=False)}</p>" for line in lines)


def make_digest(text: str, limit: int = DIGEST_LIMIT) -> str:
    """A one-line summary of at most ``limit`` characters.

    Cut at the last sentence end in the second half of the window when there
    is one, else hard with an ellipsis, so digests read as whole sentences.
    """
    # Text decoded from HTML may spell a tag ("&lt;script&gt;" in the source);
    # a digest is plain text and never carries one into the API or a feed.
    flat = _ALL_SPACE.sub(" ", _TAG.sub(" ", text)).strip()
    if len(flat) <= limit:
        return flat
    window = flat[:limit]
    cut = max(window.rfind(ch) for ch in _SENTENCE_END)
    if cut >= limit // 2:
        return window[:cut + 1]
    return window[:limit - 1].rstrip() + "…"


def split_bracket_headline(digest: str) -> tuple[str | None, str]:
    """``【标题】正文`` → (``标题``, ``正文``); without a headline → (None, digest)."""
    match = _BRACKET.match(digest or "")
    if not match:
        return None, (digest or "").strip()
    head = match.group(1).strip()
    return (head or None), match.group(2).strip()


def plain_label(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """Tags stripped, entities unescaped, controls dropped, one line, capped."""
    if not text:
        return ""
    without_tags = _TAG.sub(" ", text)
    unescaped = htmllib.unescape(without_tags)
    visible = "".join(ch if unicodedata.category(ch)[0] != "C" or ch in "\t\n"
                      else " " for ch in unescaped)
    flat = _ALL_SPACE.sub(" ", visible).strip()
    if len(flat) > limit:
        flat = flat[:limit - 1].rstrip() + "…"
    return flat


def clean_title(text: str | None) -> str:
    """A title as one clean line of text; ItemError when nothing is left."""
    title = plain_label(text, TITLE_LIMIT)
    if not title:
        raise ItemError("the item has an empty title (nothing left after removing "
                        "markup and spaces)")
    return title
