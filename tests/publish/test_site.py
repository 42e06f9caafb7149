"""build_site on a real SQLite store: pages, links, feeds, incremental builds."""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path

import feedparser
import pytest

from finews.config import SiteSettings
from finews.publish import build_site
from finews.model import StockMention
from finews.store.sqlite import SQLiteStore

from .conftest import add, article

SITE = SiteSettings(base_url="http://news.example/", page_size=3, home_per_category=2,
                    home_latest=4, feed_size=4)
_LINK = re.compile(r'(?:href|src)="([^"]*)"')


def files(out: Path) -> dict[str, int]:
    """Every file of the site with its inode: a rewrite (rename) changes it."""
    return {p.relative_to(out).as_posix(): p.stat().st_ino
            for p in out.rglob("*") if p.is_file()}


def changed(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {k for k, ino in after.items() if before.get(k) != ino}


def links(out: Path, page: str) -> set[str]:
    """Site-relative files a page links to (external links left out)."""
    found = set()
    for href in _LINK.findall((out / page).read_text(encoding="utf-8")):
        href = html.unescape(href)
        if "://" in href or href.startswith(("//", "mailto:")):
            continue
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), href))
        if href.endswith("/") or target == ".":
            target = posixpath.join("" if target == "." else target, "index.html")
        found.add(target)
    return found


def crawl(out: Path, start: str = "index.html") -> set[str]:
    seen, todo = set(), [start]
    while todo:
        page = todo.pop()
        if page in seen or not page.endswith(".html"):
            continue
        seen.add(page)
        assert (out / page).is_file(), f"broken link to {page}"
        todo.extend(links(out, page))
    return seen


def test_full_build_writes_linked_pages(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n, media=("示例日报", "其他晚报")[n % 2]) for n in range(8)])
    out = tmp_path / "site"
    report = build_site(store, out, SITE)
    assert report.full and report.stories == 8 and report.written > 0
    story = store.article_by_key("test", "NW00006")
    page = (out / story.path).read_text(encoding="utf-8")
    assert story.path == "shiliribao/2022/03/01/NW00006.html"
    assert "<h1>新闻 6</h1>" in page
    assert "(GMT+8, Asia/Shanghai, CST) 2022-03-01 15:30:00" in page
    assert "<p>正文 6</p>" in page and "巨化股份" in page and "示例日报新闻" in page
    assert 'href="https://news.example/6.html"' in page
    assert {"category/shiliribao.html", "index.html"} <= links(out, story.path)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in home and 'name="viewport"' in home
    # home: the 4 newest overall, then two newest per category
    for n in (7, 6, 5, 4):
        assert f"新闻 {n}<" in home
    assert "新闻 3<" not in home and "新闻 1<" not in home and "新闻 0<" not in home
    for rel in ("404.html", "static/style.css", "static/live.js", "feed.xml",
                "archive/index.html", "archive/2022/03/01.html", "sitemap.xml",
                "category/qitawanbao.xml"):
        assert (out / rel).is_file(), rel
    latest = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    assert latest["seq"] == report.seq == 8
    assert [s["path"] for s in latest["stories"]][0] == "qitawanbao/2022/03/01/NW00007.html"
    assert "<script" not in home.replace('<script src="./static/live.js"', "")
    assert "style=" not in home   # the CSP forbids inline styles


def test_every_story_is_reachable_from_home(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n, media=("示例日报", "其他晚报", "第三报")[n % 3]) for n in range(20)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    reached = crawl(out)
    stories = {s.path for s in store.iter_articles()}
    assert stories <= reached
    # a back-dated story shifts every numbered page after it; still all reachable
    add(store, article(99, hours=-100))
    build_site(store, out, SITE)
    assert {s.path for s in store.iter_articles()} <= crawl(out)


def test_numbered_pages_hold_oldest_first_ranks(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n) for n in range(7)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    page1 = (out / "category/shiliribao/page/1.html").read_text(encoding="utf-8")
    page3 = (out / "category/shiliribao/page/3.html").read_text(encoding="utf-8")
    assert re.findall(r">新闻 (\d+)<", page1) == ["2", "1", "0"]
    assert re.findall(r">新闻 (\d+)<", page3) == ["6"]
    front = (out / "category/shiliribao.html").read_text(encoding="utf-8")
    assert re.findall(r">新闻 (\d+)<", front) == ["6", "5", "4"]
    assert not (out / "category/shiliribao/page/4.html").exists()


def test_incremental_build_writes_only_what_changed(store: SQLiteStore,
                                                    tmp_path: Path) -> None:
    add(store, *[article(n, media=("示例日报", "其他晚报")[n % 2]) for n in range(8)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    before = files(out)
    # two new stories of one category on a day already published (rank 4 and 5
    # of 示例日报: numbered page 2 of size 3; no new page appears)
    add(store, article(20, hours=10), article(22, hours=11))
    report = build_site(store, out, SITE)
    new_paths = {store.article_by_key("test", f"NW000{n}").path for n in (20, 22)}
    assert not report.full and report.stories == 2
    assert changed(before, files(out)) == new_paths | {
        "category/shiliribao.html", "category/shiliribao/page/2.html",
        "category/shiliribao.xml", "archive/2022/03/01.html", "archive/index.html",
        "index.html", "feed.xml", "latest.json", "sitemap/2022-03-01.xml",
        # every story names 巨化股份: ten stories fill a fourth page of three
        "stock/1.600160.html", "stock/1.600160/page/3.html",
        "stock/1.600160/page/4.html", "stock/1.600160.xml", "stock/index.html",
    }
    assert report.written == len(new_paths) + 14
    again = files(out)
    second = build_site(store, out, SITE)
    assert (second.written, second.stories) == (0, 0)
    assert files(out) == again


def test_new_last_page_also_rewrites_the_previous_last(store: SQLiteStore,
                                                       tmp_path: Path) -> None:
    add(store, *[article(n) for n in range(3)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    before = files(out)
    add(store, article(3))
    build_site(store, out, SITE)
    touched = changed(before, files(out))
    assert {"category/shiliribao/page/1.html", "category/shiliribao/page/2.html"} <= touched
    page1 = (out / "category/shiliribao/page/1.html").read_text(encoding="utf-8")
    assert 'href="../../../category/shiliribao/page/2.html"' in page1


def test_full_rebuild_is_byte_identical(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n) for n in range(5)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    add(store, article(5))
    build_site(store, out, SITE)
    incremental = files(out)
    calls = []
    report = build_site(store, out, SITE, full=True,
                        progress=lambda *a: calls.append(a))
    assert report.full and report.written == 0 and report.stories == 6
    assert files(out) == incremental
    assert ("stories", 6, 6) in calls


def test_updated_story_rewrites_its_page(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n) for n in range(4)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    add(store, article(1, title="更正后的标题"))
    report = build_site(store, out, SITE)
    assert report.stories == 1
    path = store.article_by_key("test", "NW00001").path
    assert "<h1>更正后的标题</h1>" in (out / path).read_text(encoding="utf-8")
    assert "更正后的标题" in (out / "category/shiliribao/page/1.html").read_text(encoding="utf-8")


HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def test_hostile_titles_are_escaped_everywhere(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, article(1, title=HOSTILE, digest=HOSTILE, media="A&B <报>",
                       url="javascript:alert(1)"))
    out = tmp_path / "site"
    build_site(store, out, SITE)
    path = store.article_by_key("test", "NW00001").path
    for rel in (path, "index.html", "archive/2022/03/01.html"):
        text = (out / rel).read_text(encoding="utf-8")
        assert "<script>alert" not in text and "<img src=x" not in text, rel
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp;" in text, rel
    assert "javascript:" not in (out / path).read_text(encoding="utf-8")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo and feed.entries[0].title == HOSTILE


def test_feeds_hold_the_newest_stories(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, *[article(n, media=("示例日报", "其他晚报")[n % 2]) for n in range(10)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    site_feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not site_feed.bozo
    assert [e.title for e in site_feed.entries] == ["新闻 9", "新闻 8", "新闻 7", "新闻 6"]
    assert site_feed.entries[0].id == "http://news.example/qitawanbao/2022/03/01/NW00009.html"
    assert site_feed.entries[0].content[0].value.strip() == "<p>正文 9</p>"
    cat_feed = feedparser.parse((out / "category/shiliribao.xml").read_bytes())
    assert [e.title for e in cat_feed.entries] == ["新闻 8", "新闻 6", "新闻 4", "新闻 2"]
    assert cat_feed.feed.title == "示例日报新闻"


def test_old_unsafe_slug_gets_a_redirect(store: SQLiteStore, tmp_path: Path) -> None:
    old = "21shijijingjibaodao 21caijingAPP"
    add(store, article(1, media="21世纪经济报道 21财经APP", slug=old),
        article(2, media="坏报", slug="../../evil"))
    out = tmp_path / "site"
    report = build_site(store, out, SITE)
    cat = store.category_by_slug(store.article_by_key("test", "NW00001").category.slug)
    assert cat.original_slug == old and cat.slug != old
    redirect = (out / f"category/{old}.html").read_text(encoding="utf-8")
    assert f'url=../category/{cat.slug}.html"' in redirect
    assert not (tmp_path / "evil.html").exists()
    assert not any("evil" in p.name for p in tmp_path.glob("*"))
    assert any("evil" in s for s in report.skipped)


def test_missing_output_forces_a_full_build(store: SQLiteStore, tmp_path: Path) -> None:
    add(store, article(1))
    build_site(store, tmp_path / "a", SITE)
    report = build_site(store, tmp_path / "b", SITE)
    assert report.full and (tmp_path / "b" / "index.html").is_file()


@pytest.mark.parametrize("change", [{"page_size": 4}, {"title": "另一个站"}])
def test_changed_settings_force_a_full_build(store: SQLiteStore, tmp_path: Path,
                                             change: dict) -> None:
    add(store, article(1))
    build_site(store, tmp_path / "s", SITE)
    site = SiteSettings(**{**_as_dict(SITE), **change})
    report = build_site(store, tmp_path / "s", site)
    assert report.full
    assert f"<title>{site.title}</title>" in (tmp_path / "s/index.html").read_text("utf-8")


def _as_dict(site: SiteSettings) -> dict:
    return {f: getattr(site, f) for f in site.__dataclass_fields__}


def snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in out.rglob("*") if p.is_file()}


def full_build(store: SQLiteStore, out: Path) -> dict[str, bytes]:
    """The site a full build of ``store`` writes into the new folder ``out``; closes the store."""
    store.set_state("publish.seq", "0")
    build_site(store, out, SITE, full=True)
    store.close()
    return snapshot(out)


@pytest.mark.parametrize("batches", [
    [[0, 1, 2], [3], [4, 5, 6, 7], [8]],             # appends, new pages
    [[10, 11, 12, 13], [2], [5, 30], [-40, 50, 1]],  # back-dated stories too
    [[1], [2], [3], [4], [5], [6], [7]],             # one at a time
])
def test_incremental_builds_equal_a_full_build(tmp_path: Path, batches) -> None:
    store = SQLiteStore.open(tmp_path / "inc.sqlite3", SITE.tz)
    media = ("示例日报", "其他晚报")
    out = tmp_path / "inc"
    for batch in batches:
        add(store, *[article(100 + h, media=media[h % 2], hours=h * 5) for h in batch])
        build_site(store, out, SITE)
    assert snapshot(out) == full_build(store, tmp_path / "fresh")


@pytest.mark.parametrize("batches", [
    # (story, hours after BASE): a story seen again is an update that moves it
    [[(0, 0), (1, 5), (2, 10), (3, 15), (4, 20)], [(1, 60)]],           # to a later day
    [[(0, 0), (1, 5), (2, 30), (3, 55), (4, 80)], [(4, 1)], [(2, 90)]],  # earlier, then later
    [[(n, n * 7) for n in range(8)], [(3, 100), (5, 2)], [(3, 4), (6, 120)]],
])
def test_re_dated_stories_leave_no_stale_listing(tmp_path: Path, batches) -> None:
    """A story whose update moves its time is taken off its old day and category pages."""
    store = SQLiteStore.open(tmp_path / "redate.sqlite3", SITE.tz)
    out = tmp_path / "inc"
    for number, batch in enumerate(batches):
        add(store, *[article(n, hours=h, title=f"新闻 {n} 第{number}版") for n, h in batch])
        build_site(store, out, SITE)
    assert snapshot(out) == full_build(store, tmp_path / "fresh")


@pytest.mark.parametrize("page_size, feed_size", [(2, 5), (5, 2), (3, 3), (50, 4)])
def test_category_feeds_hold_the_newest_whatever_the_page_size(
        store: SQLiteStore, tmp_path: Path, page_size: int, feed_size: int) -> None:
    add(store, *[article(n) for n in range(7)])
    site = SiteSettings(base_url="http://news.example/", page_size=page_size,
                        feed_size=feed_size)
    out = tmp_path / "site"
    build_site(store, out, site, full=True)
    titles = [e.title for e in feedparser.parse(
        (out / "category/shiliribao.xml").read_bytes()).entries]
    assert titles == [f"新闻 {n}" for n in range(6, 6 - min(feed_size, 7), -1)]
    # ... and after a story more, built incrementally from the last page on
    add(store, article(7))
    build_site(store, out, site)
    titles = [e.title for e in feedparser.parse(
        (out / "category/shiliribao.xml").read_bytes()).entries]
    assert titles == [f"新闻 {n}" for n in range(7, 7 - min(feed_size, 8), -1)]


_STOCKS = {
    "a": StockMention("1", "600160", "巨化股份"), "b": StockMention("0", "000001", "平安银行"),
    "c": StockMention("90", "BK0493", ""), "c2": StockMention("90", "BK0493", "新能源"),
}


@pytest.mark.parametrize("batches", [
    # (story, hours, stocks): a story seen again is an update (new stocks, new time)
    [[(0, 0, "a"), (1, 5, "ab"), (2, 10, "b"), (3, 15, "a")], [(4, 20, "ab"), (5, 2, "a")]],
    [[(n, n * 3, "ab"[n % 2]) for n in range(9)], [(1, 1, "")], [(4, 40, "b"), (6, 6, "a")]],
    [[(0, 0, "c"), (1, 5, "c")], [(2, 7, "c2")], [(2, 7, "a")]],   # a name appears, goes
    [[(0, 0, "a"), (1, 1, "b")], [(1, 1, "")], [(0, 0, "")]],       # stocks lose every story
])
def test_stock_pages_of_incremental_builds_equal_a_full_build(tmp_path: Path,
                                                              batches) -> None:
    store = SQLiteStore.open(tmp_path / "stocks.sqlite3", SITE.tz)
    out = tmp_path / "inc"
    for number, batch in enumerate(batches):
        add(store, *[article(n, hours=h, title=f"新闻 {n} 第{number}版",
                             stocks=tuple(_STOCKS[k] for k in _keys(keys)))
                     for n, h, keys in batch])
        build_site(store, out, SITE)
    assert snapshot(out) == full_build(store, tmp_path / "fresh")


def _keys(keys: str) -> list[str]:
    return ["c2"] if keys == "c2" else list(keys)


def test_stock_pages_list_their_stories_newest_first(store: SQLiteStore,
                                                     tmp_path: Path) -> None:
    add(store, *[article(n, stocks=(_STOCKS["a"],) if n % 2 else (_STOCKS["b"],))
                 for n in range(9)])
    out = tmp_path / "site"
    build_site(store, out, SITE)
    front = (out / "stock/1.600160.html").read_text(encoding="utf-8")
    assert "巨化股份 (600160)" in front
    assert re.findall(r">新闻 (\d+)<", front) == ["7", "5", "3"]
    assert re.findall(r">新闻 (\d+)<", (out / "stock/1.600160/page/1.html").read_text(
        encoding="utf-8")) == ["5", "3", "1"]
    feed = feedparser.parse((out / "stock/0.000001.xml").read_bytes())
    assert [e.title for e in feed.entries] == ["新闻 8", "新闻 6", "新闻 4", "新闻 2"]
    index = (out / "stock/index.html").read_text(encoding="utf-8")
    assert index.index("平安银行") < index.index("巨化股份")   # five stories before four
    story = store.article_by_key("test", "NW00001").path
    assert "stock/1.600160.html" in links(out, story)
    assert {"stock/index.html", "stock/1.600160.html", "stock/0.000001.html"} <= crawl(out)
