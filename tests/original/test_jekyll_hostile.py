"""A hostile corpus, polled from local lists, exported and built by real Jekyll.

Every vector below is markup that an HTML5 parser and kramdown may read
differently, or Markdown/kramdown syntax that makes active content out of
text. They arrive in bodies, titles, digests, media names and source links
(everything upstream-provided that lands in a post file). The built
``_site`` and its feed are scanned with an HTML parser: no script element,
no event handler, no javascript:/data:/vbscript: URL, no CSS expression.
"""

from __future__ import annotations

from pathlib import Path

import feedparser
from selectolax.lexbor import LexborHTMLParser

from finews.original.export import export_jekyll
from finews.process.sanitise import url_scheme
from finews.store.sqlite import SQLiteStore

from .em_lists import EMLists, poll
from .conftest import jekyll_build

VECTORS = [
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>unclosed <!-- comment <script>alert(2)</script>",
    "<![CDATA[<script>alert(3)</script>]]>",
    "<!--> <script>alert(4)</script> -->",
    "<!---> <img src=x onerror=alert(5)> -->",
    "[click](javascript:alert(6))",
    "<p>[click](javascript:alert(7))</p>",
    "<javascript:alert(8)>",
    "<span>[x](javascript:alert(9))</span>",
    "{::nomarkdown}<script>alert(10)</script>{:/nomarkdown}",
    '<p>text</p>\n{: onclick="alert(11)"}',
    'paragraph\n{: onmouseover="alert(12)" style="width:expression(alert(12))"}',
    '<p style="width:expression(alert(13))">x</p>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=">x</a>',
    '<a href="&#106;&#97;vascript:alert(15)">x</a>',
    '<a href="jav&#x09;ascript:alert(16)">x</a>',
    "[x](&#106;avascript:alert(17))",
    '<img src="x" onerror="alert(18)">',
    '<div markdown="1">[x](javascript:alert(19))</div>',
    "<svg><script>alert(20)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(21)>",
    "{% raw %}{{ site.title }}{% endraw %} {% include x.html %}",
    '<iframe src="javascript:alert(23)"></iframe>',
    "<p>a</p>\n\n    <script>alert(24)</script>",
    "$$\n<script>alert(25)</script>\n$$",
    '<a title="x" href="http://ok.example/"onclick="alert(26)">x</a>',
    '<object data="javascript:alert(27)"></object>',
    "<p>&lt;script&gt;alert(28)&lt;/script&gt;</p>",
    "![x](javascript:alert(29))",
    "[x][r]\n\n[r]: javascript:alert(30)",
    "<style>body{background:url(javascript:alert(31))}</style>",
    "<<script>script>alert(32)<</script>/script>",
    '<p title="</p><script>alert(33)</script>">x</p>',
    '<a href="http://x.example/" style="behavior:url(x.htc)">x</a>',
    '<details open ontoggle="alert(35)">x</details>',
    "<p>\n<script>\nalert(36)\n</script>\n</p>",
    '<base href="javascript:alert(37)//">',
    '<form action="javascript:alert(38)"><button>x</button></form>',
    '<a href="vbscript:msgbox(39)">x</a>',
    '{::options parse_block_html="true" /}\n<div>[x](javascript:alert(40))</div>',
    "<p><https://ok.example/x/onmouseover=alert(41)/></p>",
    "<div>\n<span>{: onclick=\"alert(42)\"}</span>\n</div>\n{:.x onclick=\"alert(42)\"}",
    '<p data-x="1" style="color:red;background-image:url(javascript:alert(43))">x</p>',
    "<noscript><p title=\"</noscript><img src=x onerror=alert(44)>\"></noscript>",
    "<a href=\"http://ok.example/\">ok</a><a href=' javascript:alert(45)'>x</a>",
    "<p>a</p>\n<!-- x --!> <script>alert(46)</script> -->",
    "<p>&#x3C;script&#x3E;alert(47)&#x3C;/script&#x3E;</p>",
    "*[x]: javascript:alert(48)\n\n<p>x</p>\n\n[^1]\n\n[^1]: [y](javascript:alert(48))",
]
TITLES = ['"<script>alert(1)</script>"', "{{ site.title }} {% raw %}", '{: onclick="x"}',
          "标题\"引号\"与'单引号'"]
DIGESTS = ["【标题】[x](javascript:alert(1)) {: onclick=\"alert(1)\"}",
           "【标题】<img src=x onerror=alert(2)>", "【标题】{::nomarkdown}<script>x</script>",
           "【标题】第一行\n\n<script>alert(3)</script>"]
MEDIA = ["示例[x](javascript:alert(1))报", "示例{: onclick=x}报", "示例<b>日报</b>"]
LINKS = ["javascript:alert(1)", 'http://x.example/"onmouseover="alert(1)',
         "http://x.example/{{site.title}}", "data:text/html,<script>alert(1)</script>"]


def corpus():
    rolling, media, texts = [], [], {}
    for n, body in enumerate(VECTORS):
        code = f"NW2022030120{n:08d}"
        texts[code] = body
        when = f"2022-03-01 {8 + n // 60:02d}:{n % 60:02d}:00"
        title = TITLES[n % len(TITLES)] + f" 第{n}条"
        if n % 2:
            rolling.append({"id": f"2022030120{n:08d}", "infoCode": code, "title": title,
                            "digest": DIGESTS[n % len(DIGESTS)], "showtime": when,
                            "url_w": LINKS[n % len(LINKS)]})
        else:
            media.append({"infocode": code, "title": title, "showtime": when,
                          "from": MEDIA[n % len(MEDIA)], "simtitle": title,
                          "simdigest": "摘要"})
    return rolling, media, texts


#: Original posts with hostile parts, imported and exported back.
IMPORTED = {
    "2022-03-02-NW202203020000000001.md":
        '---\nlayout: post\ntitle: "导入"\ndate: 2022-03-02 09:00:00 +0800\n'
        "categories: shiliribao\ntags: 示例日报新闻\n---\n"
        '<p>正文</p>\n{: onclick="alert(1)"}\n\n<http://s.example/{{site.title}}>\n\n'
        "[返回<img src=x onerror=alert(2)>](javascript:alert(3))｜[返回首页](//news.example/)",
    "2022-03-02-202203020000000002.md":
        '---\nlayout: post\ntitle: "导入滚动"\ndate: 2022-03-02 10:00:00 +0800\n'
        "categories: emnews\ntags: 东财滚动新闻\n---\n"
        "> [x](javascript:alert(4)) <script>alert(5)</script>\n\n"
        "<p>[y](javascript:alert(6))</p><scr<script>ipt>alert(7)</script>\n\n"
        "<http://finance.example/a/2.html>\n\n[返回东财滚动新闻](//news.example/emnews/)",
}


def _import_hostile(store, folder: Path) -> None:
    from finews.original.importer import Imported, import_paths
    posts = folder / "_posts"
    posts.mkdir(parents=True)
    for name, text in IMPORTED.items():
        (posts / name).write_text(text, encoding="utf-8")
    for event in import_paths([posts]):
        assert isinstance(event, Imported), event
        store.upsert_articles([(event.article, event.payload)])


def _bad_in_html(text: str, where: str) -> list[str]:
    found = []
    tree = LexborHTMLParser(text)
    root = tree.root
    if root is None:
        return found
    for node in root.traverse():
        tag = (node.tag or "").lower()
        if tag == "script" or tag in ("iframe", "object", "embed", "base", "form"):
            found.append(f"{where}: <{tag}>")
        for name, value in (node.attributes or {}).items():
            name, value = name.lower(), value or ""
            if name.startswith("on"):
                found.append(f"{where}: {name} on <{tag}>")
            if url_scheme(value) in ("javascript", "data", "vbscript") and name in (
                    "href", "src", "action", "formaction", "data", "poster", "background",
                    "xlink:href", "srcset", "content"):
                found.append(f"{where}: {name}={value[:40]!r}")
            if name == "style" and ("expression" in value.lower() or "url(" in value.lower()):
                found.append(f"{where}: style {value[:40]!r}")
        if tag == "style" and "expression" in (node.text() or "").lower():
            found.append(f"{where}: CSS expression in <style>")
    return found


def test_hostile_corpus_is_inert_after_a_jekyll_build(jekyll, tmp_path):
    rolling, media, texts = corpus()
    with EMLists(rolling, media, [], texts) as lists:
        settings = lists.settings(tmp_path, ("rolling", "media"),
                                  {"host": "news.example", "base_url": "http://news.example/"})
        with SQLiteStore.open(settings.store_path, settings.site.tz) as store:
            poll(settings, store)
            _import_hostile(store, tmp_path / "old")
            summary = export_jekyll(store, tmp_path / "src", settings.site)
    assert summary.posts == len(VECTORS) + len(IMPORTED)
    # every post that needed it is listed as repaired, with the reason
    assert summary.repaired >= len(VECTORS) - 2, summary.repairs
    assert all(any(line.startswith(name) for line in summary.repairs) for name in IMPORTED)
    site = jekyll_build(jekyll, tmp_path / "src", tmp_path / "_site")
    pages = list(site.rglob("*.html"))
    assert len(pages) >= len(VECTORS)
    found = []
    for page in pages:
        found += _bad_in_html(page.read_text(), str(page.relative_to(site)))
    feed = feedparser.parse((site / "feed.xml").read_bytes(), sanitize_html=False)
    assert feed.entries
    for entry in feed.entries:
        for content in entry.get("content", []) + [entry.get("summary_detail", {})]:
            found += _bad_in_html(content.get("value", ""), f"feed: {entry.get('title')}")
    assert found == []
    # the text itself survives, shown as text
    shown = "".join(p.read_text() for p in pages)
    assert "alert(28)" in shown and "javascript:alert(6)" in shown
