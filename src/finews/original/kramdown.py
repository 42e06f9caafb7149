"""What may go into a Jekyll post as it is, read the way Jekyll reads it.

Jekyll runs a post body through Liquid and then kramdown. kramdown finds
HTML with regular expressions, line by line, and treats what it does not see
as HTML as Markdown; a browser reads the result with an HTML5 parser. The
two disagree on broken markup: ``<scr<script>ipt>``, an unclosed comment,
``<!-->``, CDATA or an attribute holding ``<`` can be inert text to one and
a live tag to the other, and text that HTML calls inert can be Markdown
(``[x](javascript:…)``), a kramdown attribute list (``{: onclick=…}``) or
``{::nomarkdown}``. So upstream HTML is written verbatim only when it cannot
be read two ways (:func:`verbatim_problem` is None):

* **HTML5 side.** Sanitising it with nh3 and an allow-list that keeps the
  East Money markup the original had (``style``/``id``/``class``/``data-*``,
  comments, ``EM_StockImg`` blocks, ``<center>``, stock links) changes
  nothing: Lexbor parses the body and the sanitised body to the same tree.
  ``style`` values are plain ``property: value`` lists (no ``(``, so no
  ``expression()`` or ``url()``), URLs are http(s) or relative after
  entity decoding.
* **kramdown side.** The body is made entirely of tokens both readers see the
  same way: allow-listed tags on one line with double-quoted values, simple
  comments, and text without ``[ ] { } ` \\`` or ``$$`` (the characters of
  links, attribute lists, extensions, Liquid, code and math) except in
  Markdown links to http(s) or relative targets. Every ``<`` starts such a
  tag, so kramdown cannot find a tag the browser does not.

Anything else is :func:`repaired_body`: the same sanitiser's output written
again by a serialiser that only emits those tokens (text characters kramdown
could read are written as character references, which both show as the same
character). :func:`inert_text` does the same for plain text that lands in
Markdown (digests, media names), :func:`safe_autolink` for source links.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from selectolax.lexbor import LexborNode

from ..process.html_tree import children, limit_nesting, parse_fragment, top_level
from ..process.sanitise import ALLOWED_TAGS, DROPPED_WITH_CONTENT, is_safe_html, url_scheme
from ..process.text import html_to_text

TAGS = frozenset(ALLOWED_TAGS | {"center", "h1"})
VOID = frozenset({"br", "img", "hr"})
GLOBAL_ATTRIBUTES = frozenset({"style", "id", "class", "title", "align"})
TAG_ATTRIBUTES = {
    "a": frozenset({"href", "target", "rel"}),
    "img": frozenset({"src", "alt", "width", "height", "border"}),
    # East Money's bare stock link: <span web="1" href="…" class="em_stock_key_common">
    "span": frozenset({"web", "href"}),
    "td": frozenset({"colspan", "rowspan", "width", "valign"}),
    "th": frozenset({"colspan", "rowspan", "width", "valign"}),
    "table": frozenset({"border", "cellpadding", "cellspacing", "width"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})

# Tokens of the strict subset (see the module notes).
_TEXT = re.compile(r"[^<]+")
_COMMENT = re.compile(r"<!--([A-Za-z0-9_ .:\t]+)-->")
_START = re.compile(r"<([A-Za-z][A-Za-z0-9]*)((?: +[A-Za-z][A-Za-z0-9-]*(?:=\"[^\"\n]*\")?)*) */?>")
#: A kramdown autolink, ``<http://…>``: Markdown turns it into a link; inside
#: an HTML block a browser reads it as an unknown element (checked inert).
_AUTOLINK = re.compile(r"<https?://[A-Za-z0-9._~:/?#@!$&*+,;=%-]+>")
_END = re.compile(r"</([A-Za-z][A-Za-z0-9]*) *>")
_ATTR = re.compile(r" +([A-Za-z][A-Za-z0-9-]*)(?:=\"([^\"\n]*)\")?")
#: A Markdown link or image whose target is checked like an href: the one
#: use of brackets text may keep (original posts end with such back-links).
_MD_LINK = re.compile(r"!?\[(?!\^)[^\[\]{}`\\<>\r\n]*\]\((?P<target>[^()<>{}\[\]\\`\"'\r\n]*)\)")
#: Markdown, kramdown and Liquid characters that text may not hold verbatim.
_TEXT_SPECIAL = re.compile(r"[\[\]{}`\\]|\$\$")
_VALUE_SPECIAL = re.compile(r"[<>\"'`{}\[\]\\\x00-\x1f\x7f]")
_STYLE = re.compile(r"\s*[A-Za-z-]+\s*:\s*[#A-Za-z0-9%., -]*\s*(?:;\s*[A-Za-z-]+\s*:\s*"
                    r"[#A-Za-z0-9%., -]*\s*)*;?\s*")
_STYLE_WORDS = re.compile(r"expression|javascript|vbscript|behavio|binding|import|url",
                          re.IGNORECASE)
#: Characters written as references in repaired text, and in inert text
#: (which must also stay on its one Markdown line).
_ESCAPE_IN_TEXT = re.compile(r"[\[\]{}`\\$<>&\r]")
_ESCAPE_INLINE = re.compile(r"[\[\]{}`\\$<>&\r\n\t]")
_INLINE_SPECIAL = re.compile(r"[\[\]{}`\\<>\r\n\t]|\$\$")
_TEXT_SPECIAL_OR_TAG = re.compile(r"[\[\]{}`\\<>\r]|\$\$")
_ESCAPE_IN_VALUE = re.compile(r"[<>\"'`{}\[\]\\&\x00-\x1f\x7f]")
_LINK = re.compile(r"(?:https?:)?//[A-Za-z0-9._~:/?#@!$&*+,;=%-]+")


def _allowed_attribute(tag: str, name: str) -> bool:
    return (name in GLOBAL_ATTRIBUTES or name.startswith("data-")
            or name in TAG_ATTRIBUTES.get(tag, ()))


def _value_problem(name: str, value: str) -> str | None:
    """Why one attribute value (as decoded) cannot stay; None when it can."""
    if name in URL_ATTRIBUTES:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in ("http", "https"):
            return f"a {scheme}: URL in {name}"
    if name == "style" and value.strip():
        if not _STYLE.fullmatch(value) or _STYLE_WORDS.search(value):
            return "a style attribute that is not a plain property list"
    return None


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    return None if _value_problem(name, value) else value


@lru_cache(maxsize=2)
def _cleaner(values_checked: bool) -> nh3.Cleaner:
    """ammonia, with the allow-list of the East Money markup the original kept.

    ``values_checked``: the caller checked every attribute value already (the
    strict token check does), so the value filter, a Python call per
    attribute, is left out.
    """
    attributes = {tag: set(names) for tag, names in TAG_ATTRIBUTES.items()}
    attributes["*"] = set(GLOBAL_ATTRIBUTES)
    return nh3.Cleaner(
        tags=set(TAGS), clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes, generic_attribute_prefixes={"data-"},
        attribute_filter=None if values_checked else _filter_attribute,
        strip_comments=False, link_rel=None, url_schemes={"http", "https"})


def em_sanitise(body: str, *, values_checked: bool = False) -> str:
    """``body`` through ammonia with the East Money allow-list."""
    return _cleaner(values_checked).clean(limit_nesting(body))


def _parsed(body: str) -> str:
    parser = parse_fragment(body)
    return (parser.body.html or "") if parser.body is not None else ""


def _checked_link(match: re.Match[str]) -> str:
    """Nothing for a link to an http(s) or relative target; the link else."""
    scheme = url_scheme(html.unescape(match.group("target")))
    return "" if scheme in (None, "http", "https") else match.group(0)


def _strict_problem(body: str) -> str | None:
    """Why ``body`` is not written in the strict token subset; None when it is."""
    pos, end = 0, len(body)
    while pos < end:
        if body[pos] != "<":
            text = _TEXT.match(body, pos)
            found = _TEXT_SPECIAL.search(_MD_LINK.sub(_checked_link, text.group(0)))
            if found:
                return f"text holding {found.group(0)!r}, which Markdown or Liquid would read"
            pos = text.end()
            continue
        comment = _COMMENT.match(body, pos) or _AUTOLINK.match(body, pos)
        if comment:
            if comment.group(0).startswith("<h") and not is_safe_html(comment.group(0)):
                return f"a link a browser could read as active markup: {comment.group(0)!r}"
            pos = comment.end()
            continue
        start = _START.match(body, pos)
        if start:
            tag = start.group(1).lower()
            if tag not in TAGS:
                return f"a <{tag}> element"
            seen: set[str] = set()
            for attr in _ATTR.finditer(start.group(2)):
                name, raw = attr.group(1).lower(), attr.group(2) or ""
                if name in seen:
                    return f"a repeated {name} attribute"
                seen.add(name)
                if not _allowed_attribute(tag, name):
                    return f"a {name} attribute on <{tag}>"
                if _VALUE_SPECIAL.search(raw):
                    return f"a {name} value holding characters kramdown could read"
                problem = _value_problem(name, html.unescape(raw) if "&" in raw else raw)
                if problem:
                    return problem
            pos = start.end()
            continue
        close = _END.match(body, pos)
        if close:
            if close.group(1).lower() not in TAGS:
                return f"a </{close.group(1).lower()}> tag"
            pos = close.end()
            continue
        return f"markup readers may parse differently near {body[pos:pos + 30]!r}"
    return None


def verbatim_problem(body: str) -> str | None:
    """Why ``body`` cannot be written as it is; None when it can (see module notes)."""
    if "\x00" in body or re.search(r"[\ud800-\udfff]", body):
        return "NUL or unpaired surrogate characters"
    problem = _strict_problem(body)
    if problem:
        return problem
    html_part = _AUTOLINK.sub("", body)
    if not is_safe_html(html_part):
        return "active content"
    if _parsed(em_sanitise(html_part, values_checked=True)) != _parsed(html_part):
        return "markup the sanitiser changes"
    return None


# --------------------------------------------------------------------------
# Writing what cannot stay as it is


def _reference(match: re.Match[str]) -> str:
    return f"&#{ord(match.group(0))};"


def _text_out(text: str) -> str:
    return _ESCAPE_IN_TEXT.sub(_reference, text)


def _serialise(node: LexborNode, out: list[str]) -> None:
    if node.is_text_node:
        out.append(_text_out(node.text_content or ""))
        return
    if node.is_comment_node:
        comment = node.html or ""   # its content exactly (comment_content is trimmed)
        if _COMMENT.fullmatch(comment):
            out.append(comment)
        return
    if not node.is_element_node:
        return
    tag = (node.tag or "").lower()
    inner = children(node)
    if tag not in TAGS:           # unwrapped: its content stays
        for child in inner:
            _serialise(child, out)
        return
    attrs = []
    for name, value in node.attributes.items():
        name = name.lower()
        if (re.fullmatch(r"[a-z][a-z0-9-]*", name) and _allowed_attribute(tag, name)
                and not _value_problem(name, value or "")):
            attrs.append(f' {name}="{_ESCAPE_IN_VALUE.sub(_reference, value or "")}"')
    if tag in VOID:
        out.append(f"<{tag}{''.join(attrs)} />")
        return
    out.append(f"<{tag}{''.join(attrs)}>")
    for child in inner:
        _serialise(child, out)
    out.append(f"</{tag}>")


def repaired_body(body: str) -> str:
    """The sanitised body, written so that kramdown and a browser read it alike."""
    out: list[str] = []
    for node in top_level(parse_fragment(em_sanitise(body))):
        _serialise(node, out)
    fixed = "".join(out)
    if verbatim_problem(fixed) is None:
        return fixed
    # Not expected; but safety does not rest on the serialiser being right.
    return "".join(f"<p>{_text_out(line)}</p>" for line in html_to_text(body).splitlines()
                   if line.strip())


def jekyll_body(body: str) -> tuple[str, str | None]:
    """(what to write, why it was repaired or None) for an upstream body."""
    problem = verbatim_problem(body)
    if problem is None:
        return body, None
    return repaired_body(body), problem


def inert_text(text: str, *, multiline: bool = False) -> tuple[str, bool]:
    """Plain text for a Markdown line, and whether it had to change.

    Unchanged when it holds no character Markdown, kramdown, HTML or Liquid
    could read and (unless ``multiline``) no line break; otherwise such
    characters are written as character references (shown as the same
    characters).
    """
    special, escape = ((_TEXT_SPECIAL_OR_TAG, _ESCAPE_IN_TEXT) if multiline
                       else (_INLINE_SPECIAL, _ESCAPE_INLINE))
    if not special.search(text):
        return text, False
    return escape.sub(_reference, text), True


def safe_autolink(url: str) -> tuple[str, bool]:
    """The inside of a ``<…>`` source link, and whether it had to change.

    Only plain http(s) URLs (or scheme-relative ones, which imported posts
    hold) stay; anything else is written empty (``<>``, a shape the
    original also wrote).
    """
    if not url or _LINK.fullmatch(url):
        return url, False
    return "", True
