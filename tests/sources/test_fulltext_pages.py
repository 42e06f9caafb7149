"""fulltext = "page": article text from the pages a summary-only feed links to.

A real news site on 127.0.0.1 serves fixture pages in the shapes of East
Money, Sina (GBK, charset only in <meta>) and 证券时报 articles, and the
feed that links them; finews fetches, extracts, sanitises and stores.
"""

from __future__ import annotations

import re

import httpx
import pytest
from click.testing import CliRunner

from finews.cli import main
from finews.fetch import policy
from finews.process.extract import PageRules, extract_article
from finews.process.sanitise import is_safe_html
from finews.process.text import html_to_text

from reliability.conftest import Forward

from .conftest import one_pass, settings_with
from .site import fixture, summary_feed

CHROME = ("股友评论", "业绩不错", "相关新闻", "相关阅读", "热门", "版权所有", "Copyright",
          "首页", "我要评论", "郑重声明", "声明：")
#: The rules a user would give each site (the Sina page needs its article
#: element named: readability keeps its QR-code promotion and image caption).
RULES = {"eastmoney": PageRules(), "stcn": PageRules(),
         "sina-gbk": PageRules("#artibody", ".appendQr_wrap, .img_wrapper")}


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", sorted(RULES))
def test_extracted_text_is_the_article_and_nothing_else(name):
    page, want = fixture(name)
    body = extract_article(page, None, RULES[name])
    assert squash(html_to_text(body)) == squash(want)


@pytest.mark.parametrize("name", sorted(RULES))
def test_default_extractor_keeps_every_paragraph_and_no_page_chrome(name):
    page, want = fixture(name)
    text = html_to_text(extract_article(page, None))
    for line in want.splitlines():
        assert squash(line) in squash(text)
    assert not [c for c in CHROME if c in text]


def serve_fixtures(site, *, gbk_label: str = "text/html"):
    for name in RULES:
        page, _ = fixture(name)
        site.pages[f"/{name}.html"] = (gbk_label if "gbk" in name else
                                       "text/html; charset=utf-8", page)


def page_source(site, name: str, path: str = "/feed.xml", **extra) -> dict:
    return {"name": name, "kind": "feed", "url": site.url(path), "fulltext": "page",
            "allow_private": True, **extra}


def test_feed_stories_are_stored_with_the_text_of_their_pages(site, tmp_path, store_for):
    serve_fixtures(site)
    site.pages["/feed.xml"] = ("application/rss+xml", summary_feed(site, [
        ("em-1", "示例银行一季度净利润同比增长12%", "/eastmoney.html"),
        ("stcn-1", "新能源车企3月销量出炉", "/stcn.html")]))
    site.pages["/sina.xml"] = ("application/rss+xml", summary_feed(site, [
        ("sina-1", "央行开展2000亿元逆回购操作", "/sina-gbk.html")]))
    settings = settings_with(tmp_path, [
        page_source(site, "pages"),
        page_source(site, "sina", "/sina.xml", fulltext_selector="#artibody",
                    fulltext_remove=".appendQr_wrap, .img_wrapper")])
    store = store_for(settings)
    report = one_pass(settings, store)
    assert report.total("new") == 3 and report.total("fulltext_failed") == 0
    for source, ident, name in (("pages", "em-1", "eastmoney"), ("pages", "stcn-1", "stcn"),
                                ("sina", "sina-1", "sina-gbk")):
        stored = store.article_by_key(source, ident).article
        assert squash(html_to_text(stored.body_html)) == squash(fixture(name)[1])
        assert is_safe_html(stored.body_html)
        assert stored.digest.startswith("摘要")  # the feed's summary stays the digest
        assert "fulltext_error" not in stored.extra
    # A second pass finds nothing new and fetches no page again.
    before = len(site.requests)
    again = one_pass(settings, store)
    assert again.total("unchanged") == 3
    assert [p for p in site.requests[before:] if p.endswith(".html")] == []


def test_active_content_in_an_article_page_is_sanitised(site, tmp_path, store_for):
    article = "".join(f"<p>第{i}段：示例公司公告称，拟投资建设新的生产基地，预计总投资十亿元。</p>"
                      for i in range(4))
    page = (f"<html><body><div class=nav>首页</div><div id=main><div><div>{article}"
            "<p onclick=\"alert(1)\">点击<script>alert(2)</script><a href=\"javascript:x\">"
            "链接</a><img src=x onerror=alert(3)></p></div></div></div></body></html>")
    site.pages["/evil.html"] = ("text/html; charset=utf-8", page.encode())
    site.pages["/feed.xml"] = ("application/rss+xml",
                               summary_feed(site, [("evil", "示例公司投资", "/evil.html")]))
    settings = settings_with(tmp_path, [page_source(site, "pages")])
    store = store_for(settings)
    one_pass(settings, store)
    body = store.article_by_key("pages", "evil").article.body_html
    assert "第3段" in body and is_safe_html(body)
    assert "alert" not in body and "javascript" not in body


def test_a_page_without_an_article_keeps_the_summary_and_says_why(site, tmp_path, store_for):
    site.pages["/empty.html"] = ("text/html", "<html><body><div class=nav><a href=/>首页</a>"
                                 "</div></body></html>".encode())
    site.pages["/feed.xml"] = ("application/rss+xml", summary_feed(site, [
        ("none", "没有正文的页面", "/empty.html"), ("gone", "已删除的页面", "/missing.html")]))
    settings = settings_with(tmp_path, [page_source(site, "pages")])
    store = store_for(settings)
    report = one_pass(settings, store)
    assert report.total("new") == 2 and report.sources[0].fulltext_failed == 2
    empty = store.article_by_key("pages", "none").article
    assert "no article text" in empty.extra["fulltext_error"]
    assert html_to_text(empty.body_html) == "摘要：没有正文的页面"
    gone = store.article_by_key("pages", "gone").article
    assert "404" in gone.extra["fulltext_error"]
    assert dict(report.sources[0].fulltext_errors) == {
        "none": empty.extra["fulltext_error"], "gone": gone.extra["fulltext_error"]}
    # Neither failure passes by itself: the pages are not fetched again.
    before = len(site.requests)
    assert one_pass(settings, store).total("unchanged") == 2
    assert [p for p in site.requests[before:] if p.endswith(".html")] == []


HOSTILE = [  # (page path, a word of the reason, retried next pass)
    ("/huge", "fetch.max_bytes", False),
    ("/bomb", "fetch.max_bytes", False),
    ("/endless", "took longer than", True),
    ("/to/private", "refused", False),
]


def test_hostile_article_pages_are_refused_with_a_reason(site, tmp_path, store_for,
                                                         monkeypatch):
    """A public source whose pages are huge, endless, a gzip bomb or a redirect
    to a private address: each story is kept with its summary and the reason."""
    host = "news.example.test"
    real = policy._resolve
    monkeypatch.setattr(policy, "_resolve", lambda name, port: (
        ["93.184.216.34"] if name == host else real(name, port)))
    port = httpx.URL(site.base).port
    public = f"http://{host}:{port}"
    site.redirects["/to/private"] = f"http://127.0.0.1:{port}/eastmoney.html"
    serve_fixtures(site)
    items = "".join(
        f"<item><title>页面{i}</title><link>{public}{path}</link><guid>h{i}</guid>"
        f"<pubDate>Wed, 13 Mar 2024 01:21:00 GMT</pubDate><description>摘要{i}</description>"
        "</item>" for i, (path, _, _) in enumerate(HOSTILE))
    site.pages["/feed.xml"] = ("application/rss+xml", (
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
        f"<title>公开站点</title>{items}</channel></rss>").encode())
    settings = settings_with(tmp_path, [{"name": "public", "kind": "feed",
                                         "url": f"{public}/feed.xml", "fulltext": "page"}],
                             read_timeout=0.5)
    store = store_for(settings)
    transport = Forward(host, site.base)
    report = one_pass(settings, store, transport)
    assert report.sources[0].error is None
    assert report.total("new") == len(HOSTILE) == report.sources[0].fulltext_failed
    for i, (path, why, retried) in enumerate(HOSTILE):
        stored = store.article_by_key("public", f"h{i}").article
        assert why in stored.extra["fulltext_error"], (path, stored.extra)
        assert html_to_text(stored.body_html) == f"摘要{i}"
        assert ("partial" in stored.extra) is retried
    assert not any(url.startswith("http://127.0.0.1") for url in transport.seen)
    assert "/eastmoney.html" not in site.requests  # the private target was never asked


def test_finews_fetch_says_which_pages_failed_and_why(site, tmp_path):
    site.pages["/feed.xml"] = ("application/rss+xml", summary_feed(site, [
        ("gone", "已删除的页面", "/missing.html")]))
    (tmp_path / "finews.toml").write_text(
        f'[[sources]]\nname = "pages"\nkind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
        'fulltext = "page"\nallow_private = true\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "finews.toml"), "fetch"])
    assert result.exit_code == 0, result.output
    assert "1 new" in result.output and "1 article pages failed" in result.output
    assert "gone: fetch: " in result.output and "404" in result.output


@pytest.mark.parametrize("rules", [PageRules(), PageRules("div.a")])
def test_a_page_nested_a_hundred_thousand_deep_is_read_not_choked_on(rules):
    sentence = "示例公司公告称，拟以自有资金回购股份，用于员工持股计划。"
    page = ('<div class="a">' * 100_000 + f"<p>{sentence * 3}</p>" + "</div>" * 100_000)
    text = html_to_text(extract_article(page.encode(), "utf-8", rules))
    assert squash(text) == sentence * 3
