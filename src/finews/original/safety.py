"""Surgical repairs of imported post bodies, for the Jekyll export.

An imported post is written back byte for byte, so its body is not run
through the sanitiser (which would re-serialise every tag). Instead, when
``is_safe_html`` finds active content, only that content is cut out of the
raw text: script-capable elements with what they hold, ``on*`` event
handlers, and attributes whose URL is not http(s). Everything else,
including East Money's markup, stays exactly as it was. If the surgery
cannot reach a safe result (markup too broken to cut by pattern), the body
is replaced by the sanitiser's output: safety wins over byte-exactness.

The export uses this surgery only when its result is also safe as Jekyll
reads it (see ``kramdown``, which also keeps Liquid out).
"""

from __future__ import annotations

import html
import re

from ..process.sanitise import is_safe_html, sanitise_html, url_scheme

# Elements removed with their content; void/unclosed ones as a lone tag.
_ACTIVE = ("script|style|iframe|frame|frameset|object|embed|applet|form|textarea|select"
           "|svg|math|template|noscript|portal|video|audio|xml|button")
_LONE_ACTIVE = "meta|base|link|input|source|track|param|import|set|animate"
_PAIRED = re.compile(rf"<({_ACTIVE})\b[^>]*>.*?</\1\s*>", re.I | re.S)
_SINGLE = re.compile(rf"</?(?:{_ACTIVE}|{_LONE_ACTIVE})\b(?:\"[^\"]*\"|'[^']*'|[^'\">])*>",
                     re.I)
_TAG = re.compile(r"<[A-Za-z][^\s/>]*(?:\"[^\"]*\"|'[^']*'|[^'\">])*>")
_ATTR = re.compile(r"(?P<space>[\s/]+)(?P<name>[^\s=/>\"']+)"
                   r"(?:\s*=\s*(?P<value>\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_COMMENT_IF = re.compile(r"<!--\s*\[\s*if.*?-->|<!\[endif\]-->", re.I | re.S)
_URL_NAMES = frozenset({
    "href", "src", "action", "formaction", "data", "poster", "background", "codebase",
    "cite", "longdesc", "lowsrc", "dynsrc", "ping", "srcset", "manifest", "usemap",
    "profile"})
_STYLE_BAD = re.compile(r"expression|javascript|vbscript|url\s*\(|@import|behavio|-moz-binding",
                        re.I)


def _bad_attribute(name: str, raw_value: str | None) -> bool:
    name = name.lower()
    value = html.unescape((raw_value or "").strip("\"'"))
    if name.startswith("on") or name in ("srcdoc", "formaction", "http-equiv"):
        return True
    if name in _URL_NAMES or name.endswith(":href"):
        scheme = url_scheme(value)
        return scheme is not None and scheme not in ("http", "https")
    return name == "style" and bool(_STYLE_BAD.search(value))


def _clean_tag(match: re.Match[str]) -> str:
    tag = match.group(0)
    name_end = re.match(r"<[A-Za-z][^\s/>]*", tag).end()

    def attr(m: re.Match[str]) -> str:
        return "" if _bad_attribute(m.group("name"), m.group("value")) else m.group(0)

    inner = tag[name_end:-1]
    return tag[:name_end] + _ATTR.sub(attr, inner) + ">"


def strip_active(body: str) -> tuple[str, bool]:
    """``body`` without active content, and whether anything was changed.

    Safe bodies are returned untouched (same object, ``False``).
    """
    if is_safe_html(body):
        return body, False
    cut = _COMMENT_IF.sub("", body)
    cut = _PAIRED.sub("", cut)
    cut = _SINGLE.sub("", cut)
    cut = _TAG.sub(_clean_tag, cut)
    if is_safe_html(cut):
        return cut, True
    return sanitise_html(body), True
