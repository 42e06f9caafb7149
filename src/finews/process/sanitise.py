"""Make upstream HTML safe to publish as it is.

``sanitise_html`` is the last step of processing (see ``pipeline``): whatever
earlier steps did, its output holds only an allow-list of tags and
attributes, only http(s) or resolved relative URLs, no tracking pixels, and
links that neither leak the reader's page nor pass ranking.

Two parsers meet here: ammonia (through nh3) decides what is allowed, and
Lexbor (through selectolax) finds tracking images on ammonia's already clean
output. Ammonia runs again after Lexbor, so what leaves this module was
always serialised by ammonia.

``is_safe_html`` is an independent checker (Lexbor only) that tests and
publishers use to assert no active content survived.
"""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from selectolax.lexbor import LexborNode

from .html_tree import (container_attributes, fragment_html, limit_nesting, parse_fragment,
                        walk)
from .text import html_to_text, text_to_html

ALLOWED_TAGS = frozenset({
    "p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u",
    "s", "sub", "sup", "blockquote", "ul", "ol", "li", "table", "thead",
    "tbody", "tr", "th", "td", "a", "img", "figure", "figcaption", "span",
    "div", "pre", "code", "hr",
})
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
}
# The source line of East Money bodies keeps its class so sites can style
# it and Jekyll exports keep the original's shape; no other class survives.
ALLOWED_CLASSES = {"p": {"em_media"}}
# Dropped with everything inside them, not just unwrapped: their text is
# code or chrome, never part of the story.
DROPPED_WITH_CONTENT = frozenset({
    "script", "style", "iframe", "object", "embed", "noscript", "template",
    "textarea", "select", "svg", "math", "title", "frame", "frameset",
    "applet", "noembed", "noframes", "xmp", "plaintext",
})
LINK_REL = "noopener noreferrer nofollow"
URL_SCHEMES = frozenset({"http", "https"})

_URL_ATTRS = frozenset({"href", "src"})
# Browsers ignore ASCII tabs/newlines inside a URL and trim control
# characters and spaces around it, so ``jav&#x09;ascript:`` is javascript:.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\ufeff]+")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE | re.ASCII)
_DIMENSION = re.compile(r"^\s*(\d{1,5})(?:\.\d+)?\s*(%|px)?\s*$", re.IGNORECASE | re.ASCII)
_STYLE_SIZE = re.compile(r"(?:^|;)\s*(?:max-)?(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*(px)?\s*(?:!important)?\s*(?=;|$)",
                         re.IGNORECASE | re.ASCII)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_MAX_ROUNDS = 4


def scrub_text(text: str) -> str:
    """Replace lone surrogates (valid in Python, not in UTF-8) and drop NULs."""
    if not text:
        return ""
    return _SURROGATES.sub("\ufffd", text).replace("\x00", "")


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in ``value``, lower-cased; None if relative."""
    match = _SCHEME.match(_URL_NOISE.sub("", value))
    return match.group(1).lower() if match else None


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    """Second line of defence beside ammonia's own scheme check."""
    if attr in _URL_ATTRS:
        scheme = url_scheme(value)
        if scheme is not None and scheme not in URL_SCHEMES:
            return None
        return value.strip()
    if attr == "class":
        kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
        return " ".join(kept) or None
    if attr in ("width", "height"):
        match = _DIMENSION.match(value)
        if not match:
            return None
        return match.group(1) + ("%" if match.group(2) == "%" else "")
    return value


@lru_cache(maxsize=16)
def _cleaner(base_url: str | None, keep_img_style: bool) -> nh3.Cleaner:
    attributes = {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()}
    for tag in ALLOWED_CLASSES:  # the filter keeps only the listed classes
        attributes.setdefault(tag, set()).add("class")
    if keep_img_style:
        # Only for the first pass: a 1px style marks a tracking image, and
        # the style is gone again after the second pass, whatever it held.
        attributes["img"].add("style")
    relative = ("rewrite_with_base", base_url) if base_url else "pass_through"
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes=attributes,
        attribute_filter=_filter_attribute,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(URL_SCHEMES),
        url_relative=relative,
    )


def _usable_base(base_url: str | None) -> str | None:
    """ammonia needs an absolute http(s) base; anything else is ignored."""
    if not base_url:
        return None
    base = base_url.strip()
    if url_scheme(base) not in URL_SCHEMES or _URL_NOISE.search(base):
        return None
    return base


def _is_tracking_image(node: LexborNode) -> bool:
    attrs = node.attributes
    for name in ("width", "height"):
        match = _DIMENSION.match(attrs.get(name) or "")
        if match and match.group(2) != "%" and int(match.group(1)) <= 1:
            return True
    for match in _STYLE_SIZE.finditer(attrs.get("style") or ""):
        if float(match.group(2)) <= 1:
            return True
    return False


def _drop_tracking_images(html: str) -> str:
    if "<img" not in html:
        return html
    parser = parse_fragment(html)
    for node in list(walk(parser)):
        if node.tag == "img":
            if _is_tracking_image(node):
                node.decompose()
            elif "style" in node.attributes:
                del node.attrs["style"]
    return fragment_html(parser)


def _round(html: str, base: str | None) -> str:
    if "<im" not in html.lower():
        # No image (``<image`` parses as one too): the style-keeping first
        # pass would give what the plain pass gives, so one pass is a round.
        return _cleaner(base, False).clean(html)
    first = _cleaner(base, True).clean(html)
    return _cleaner(base, False).clean(_drop_tracking_images(first))


def sanitise_html(html: str, *, base_url: str | None = None) -> str:
    """Return ``html`` reduced to safe, allow-listed markup.

    Idempotent: ``sanitise_html(sanitise_html(x)) == sanitise_html(x)``.
    Removing a tag can leave markup that an HTML parser nests differently on
    a second reading (``<p>a<object><p>b</object>``), so cleaning repeats
    until the output no longer changes.
    """
    base = _usable_base(base_url)
    prepared = limit_nesting(scrub_text(html))
    current = _round(prepared, base)
    if current == prepared:
        return current   # a round that changed nothing: already a fixed point
    for _ in range(_MAX_ROUNDS):
        again = _round(current, base)
        if again == current:
            return current
        current = again
    # Markup that never settles is not worth keeping as markup.
    return _round(text_to_html(html_to_text(current)), base)


# --------------------------------------------------------------------------
# The independent checker

_ACTIVE_TAGS = frozenset({
    "script", "style", "iframe", "frame", "frameset", "object", "embed",
    "applet", "form", "input", "button", "textarea", "select", "svg", "math",
    "meta", "base", "link", "template", "noscript", "portal", "video",
    "audio", "source", "track", "param", "xml", "import", "set", "animate",
})
_URLISH_ATTRS = frozenset({
    "href", "src", "action", "formaction", "data", "srcdoc", "poster",
    "background", "codebase", "cite", "longdesc", "lowsrc", "dynsrc",
    "xlink:href", "ping", "srcset", "manifest", "usemap", "profile",
})
_DANGEROUS_STYLE = re.compile(r"expression|javascript|vbscript|url\s*\(|@import|behavio|-moz-binding",
                              re.IGNORECASE)
_CONDITIONAL_COMMENT_START = re.compile(r"<!--\s*\[\s*if|<!\[\s*if|<!\[\s*endif", re.IGNORECASE)
_CONDITIONAL_COMMENT = re.compile(r"\[\s*if|<\s*!?\s*\[|endif", re.IGNORECASE)


def _safe_attribute(name: str, value: str) -> bool:
    name = name.lower()
    if name.startswith("on") or name in ("srcdoc", "formaction", "http-equiv"):
        return False
    if name in _URLISH_ATTRS or name.endswith(":href"):
        scheme = url_scheme(value)
        return scheme is None or scheme in URL_SCHEMES
    if name == "style":
        return not _DANGEROUS_STYLE.search(value)
    return True


def is_safe_html(html: str) -> bool:
    """True when no active content survives in ``html``.

    Active content: script-capable or embedding elements, event handlers,
    non-http(s) URLs in any URL attribute, dangerous CSS, and conditional
    comments. Parsed the way a browser would (Lexbor, in body context).
    """
    text = scrub_text(html)
    if _CONDITIONAL_COMMENT_START.search(text):
        return False
    parser = parse_fragment(text)
    for name, value in container_attributes(parser).items():
        if not _safe_attribute(name, value or ""):
            return False
    for node in walk(parser, include_comments=True):
        if node.is_comment_node:
            if _CONDITIONAL_COMMENT.search(node.comment_content or ""):
                return False
            continue
        if (node.tag or "").lower() in _ACTIVE_TAGS:
            return False
        for name, value in node.attributes.items():
            if not _safe_attribute(name, value or ""):
                return False
    return True
