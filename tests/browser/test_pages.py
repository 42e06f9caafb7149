"""The published site in a real browser: pages, live updates, phone layout.

Every page is opened in headless Chromium from a running ``finews run``; the
page must load without a console error, a failed request or a Content
Security Policy violation. Live updates are watched on open pages while the
test adds stories upstream, without the test ever reloading the page.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from finews import urls

from .conftest import LiveSite, Watched

SITE_TITLE = "金融消息 · 演示"
PHONE = (375, 667)


def paths_on_site(site: LiveSite) -> dict[str, str]:
    """Site paths of one page of each kind, from what the site publishes now."""
    latest = site.latest()["stories"]
    story = latest[0]
    return {"home": "", "category": urls.category_path(story["category"]),
            "story": story["path"], "archive": "archive/", "missing": "no/such/page.html",
            "stocks": "stock/", "media": "media/"}


def visit(watched: Watched, url: str, status: int = 200) -> None:
    response = watched.page.goto(url, wait_until="load")
    assert response is not None and response.status == status, url
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # live.js runs once on load: wait for its first look at latest.json.
    watched.page.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some(e => e.name.endsWith('latest.json'))",
        timeout=5000)


def settled_errors(watched: Watched) -> list[str]:
    """Errors, after giving late console reports a moment to arrive."""
    watched.page.wait_for_timeout(200)
    return watched.errors


def styled(watched: Watched) -> bool:
    """The stylesheet applied (its body rule sets a max width)."""
    return watched.page.evaluate("getComputedStyle(document.body).maxWidth") != "none"


# -- each kind of page ---------------------------------------------------------

@pytest.mark.parametrize("kind, heading", [
    ("home", "最新消息"), ("category", None), ("story", None), ("archive", "存档"),
    ("stocks", "个股"), ("media", "媒体"),
])
def test_page_loads_cleanly_with_title_and_links(site, open_page, kind, heading):
    path = paths_on_site(site)[kind]
    watched = open_page()
    visit(watched, site.url + path)
    page = watched.page
    assert SITE_TITLE in page.title()
    h1 = page.inner_text("main h1")
    assert h1.strip()
    if heading:
        assert heading in h1
    assert styled(watched)
    # Every link in the page goes somewhere that answers.
    hrefs = page.eval_on_selector_all("main a[href]", "as => as.map(a => a.href)")
    assert hrefs
    local = sorted({h.split("#")[0] for h in hrefs if h.startswith(site.url)})[:8]
    for href in local:
        assert httpx.get(href, timeout=5).status_code == 200, href
    assert settled_errors(watched) == []


def test_story_page_shows_china_time(site, open_page):
    story = site.latest()["stories"][0]
    watched = open_page()   # the browser itself runs on Berlin time
    visit(watched, site.url + story["path"])
    shown = watched.page.inner_text("article.story time")
    china = datetime.fromisoformat(story["published"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert "GMT+8" in shown and "Asia/Shanghai" in shown
    assert china.strftime("%Y-%m-%d %H:%M:%S") in shown
    assert watched.page.inner_text("article.story h1").strip() == story["title"]
    assert settled_errors(watched) == []


def test_missing_page_is_the_styled_404(site, open_page):
    watched = open_page()
    # Deep, so that relative links would break: the 404 page links from the top.
    response = watched.page.goto(site.url + "a/b/c/missing.html")
    assert response.status == 404
    assert "找不到这个页面" in watched.page.inner_text("main h1")
    assert styled(watched)
    assert watched.page.get_attribute("main a", "href") == "/"
    # The 404 answer itself is the only thing the console may complain about.
    assert [e for e in settled_errors(watched) if "404" not in e] == []


def test_search_box_renders_with_its_placeholder(site, open_page, tmp_path):
    """The form appears when the site has a search endpoint; built here with
    one, since the running site decides for itself whether it has search."""
    from finews.publish.render import render
    from finews.publish.pages import Pages
    from finews.config import SiteSettings
    from finews.publish.context import NotFoundPage
    pages = Pages(SiteSettings(title=SITE_TITLE), search_action="/search")
    html = render(NotFoundPage(layout=pages.layout("x/y.html", "t", "plain", "/")))
    form = HTMLParser(html).css_first("form.search")
    assert form is not None and form.attributes["action"] == "/search"
    watched = open_page(*PHONE)
    visit(watched, site.url)
    live_form = watched.page.query_selector("form.search input")
    if live_form is not None:
        assert live_form.get_attribute("placeholder") == "搜索"
    # The form must fit a phone: render it in the page with the site's stylesheet.
    watched.page.evaluate("""html => {
        const doc = new DOMParser().parseFromString(html, 'text/html');
        document.querySelector('header.site').replaceWith(
            document.importNode(doc.querySelector('header.site'), true));
    }""", html)
    box = watched.page.query_selector("form.search input")
    assert box.get_attribute("placeholder") == "搜索"
    assert box.is_visible()
    right = watched.page.evaluate(
        "document.querySelector('form.search input').getBoundingClientRect().right")
    assert right <= PHONE[0]
    assert watched.page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0]
    watched.page.screenshot(path="/tmp/finews-search-phone.png")
    assert settled_errors(watched) == []


def test_the_csp_listener_reports_violations(site, open_page):
    """The clean-page checks above are only worth something if a violation
    would be seen: an inline script must be refused and reported."""
    watched = open_page()
    visit(watched, site.url)
    watched.page.evaluate("""() => {
        const s = document.createElement('script');
        s.textContent = 'window.inlineRan = true';
        document.body.appendChild(s);
    }""")
    assert watched.page.evaluate("window.inlineRan === true") is False
    errors = settled_errors(watched)
    assert any("CSP violation: script-src" in e for e in errors), errors


# -- live updates ----------------------------------------------------------------

def rows(watched: Watched) -> list[str]:
    return watched.page.eval_on_selector_all(
        "main li[data-href]", "lis => lis.map(li => li.getAttribute('data-href'))")


def wait_for_row(watched: Watched, path: str, interval: int) -> None:
    """The story's row appears in the open page within two live intervals
    (plus a margin for a busy machine) after the site published it."""
    watched.page.wait_for_function(
        "(p) => [...document.querySelectorAll('main li[data-href]')]"
        ".some(li => li.getAttribute('data-href').endsWith(p))",
        arg=path, timeout=(2 * interval + 3) * 1000)


def mark_document(watched: Watched) -> None:
    """A flag only this very document has: a reload would lose it."""
    watched.page.evaluate("window.finewsTestMark = 'still-here'")


def assert_not_reloaded(watched: Watched, navigations_before: int) -> None:
    assert watched.page.evaluate("window.finewsTestMark") == "still-here"
    assert len(watched.navigations) == navigations_before


def test_home_page_shows_new_stories_in_place(site, open_page):
    watched = open_page()
    visit(watched, site.url)
    mark_document(watched)
    before = set(rows(watched))
    navigations = len(watched.navigations)
    known = {s["path"] for s in site.latest()["stories"]}
    site.upstream.add_stories(2)
    fresh = site.wait_for_paths(2, after=known)
    for story in fresh:
        wait_for_row(watched, story["path"], site.live_interval)
        link = watched.page.query_selector(f"main li[data-href$='{story['path']}'] a")
        assert link.inner_text().strip() == story["title"]
    assert_not_reloaded(watched, navigations)
    # Each new story shows once, among the newest (outlets are an index of links).
    listed = rows(watched)
    for story in fresh:
        assert sum(p.endswith(story["path"]) for p in listed) == 1, story["path"]
    added = set(listed) - before
    assert added, "new rows were expected"
    fresh_marked = watched.page.eval_on_selector_all(
        "main li.fresh", "lis => lis.map(li => li.getAttribute('data-href'))")
    assert set(fresh_marked) == added
    assert settled_errors(watched) == []


ROW_TOP = """(href) => [...document.querySelectorAll('main li[data-href]')]
    .find(li => li.getAttribute('data-href') === href).getBoundingClientRect().top"""


def test_a_reader_scrolled_down_a_listing_keeps_their_place(site, open_page):
    watched = open_page(*PHONE)
    visit(watched, site.url)
    page = watched.page
    page.evaluate("window.scrollTo(0, 900)")
    # The row at the top of the screen, and where exactly it is.
    href = page.evaluate("""() => [...document.querySelectorAll('main li[data-href]')]
        .find(li => li.getBoundingClientRect().top >= 0).getAttribute('data-href')""")
    top = page.evaluate(ROW_TOP, href)
    known = {s["path"] for s in site.latest()["stories"]}
    site.upstream.add_stories(2)
    fresh = site.wait_for_paths(2, after=known)
    for story in fresh:
        wait_for_row(watched, story["path"], site.live_interval)
    assert abs(page.evaluate(ROW_TOP, href) - top) < 1
    # The reader is told that news arrived above them, and the bar takes them there.
    page.wait_for_selector("#live-bar", state="visible", timeout=2000)
    assert page.inner_text("#live-bar").startswith(f"{len(fresh)} 条新消息")
    page.screenshot(path="/tmp/finews-home-live-bar.png")
    page.click("#live-bar a")
    page.wait_for_function("() => window.scrollY === 0", timeout=2000)
    assert page.is_hidden("#live-bar")
    assert settled_errors(watched) == []


def test_category_page_shows_its_new_stories_in_place(site, open_page):
    # The busiest outlet, so that new stories soon land in it.
    latest = site.latest()["stories"]
    slugs = [s["category"] for s in latest]
    slug = max(set(slugs), key=slugs.count)
    watched = open_page()
    visit(watched, site.url + urls.category_path(slug))
    mark_document(watched)
    navigations = len(watched.navigations)
    known = {s["path"] for s in latest}
    for _ in range(8):     # the upstream's seed is fixed: this ends the same way each run
        site.upstream.add_stories(3)
        fresh = site.wait_for_paths(3, after=known)
        known |= {s["path"] for s in fresh}
        ours = [s for s in fresh if s["category"] == slug]
        if ours:
            break
    else:
        pytest.fail(f"no new story landed in {slug} in 24 tries")
    for story in ours:
        wait_for_row(watched, story["path"], site.live_interval)
    others = [s["path"] for s in fresh if s["category"] != slug]
    assert not [p for p in rows(watched) if any(p.endswith(o) for o in others)]
    assert_not_reloaded(watched, navigations)
    assert settled_errors(watched) == []


def test_story_page_offers_new_stories_without_moving_the_text(site, open_page):
    watched = open_page(*PHONE)
    # The longest story of the newest few, so there is something to scroll.
    story = max(site.latest()["stories"][:12],
                key=lambda s: len(httpx.get(site.url + s["path"], timeout=5).content))
    visit(watched, site.url + story["path"])
    page = watched.page
    mark_document(watched)
    navigations = len(watched.navigations)
    assert page.is_hidden("#live-bar")
    page.evaluate("window.scrollTo(0, 120)")
    scroll = page.evaluate("window.scrollY")
    assert scroll > 0, "the story should be longer than a phone screen"
    heading_top = page.evaluate("document.querySelector('article h1').getBoundingClientRect().top")
    known = {s["path"] for s in site.latest()["stories"]}
    site.upstream.add_stories(2)
    site.wait_for_paths(2, after=known)
    page.wait_for_selector("#live-bar", state="visible",
                           timeout=(2 * site.live_interval + 3) * 1000)
    assert "条新消息" in page.inner_text("#live-bar")
    page.screenshot(path="/tmp/finews-story-live-bar.png")
    assert page.evaluate("window.scrollY") == scroll
    assert page.evaluate(
        "document.querySelector('article h1').getBoundingClientRect().top") == heading_top
    assert_not_reloaded(watched, navigations)
    # The bar leads to the home page.
    href = page.eval_on_selector("#live-bar a", "a => a.href")
    assert href == site.url
    assert settled_errors(watched) == []


# -- phones --------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["home", "category", "story", "archive", "missing",
                                  "stocks", "media"])
def test_phone_layout_has_no_sideways_scroll(site, open_page, kind):
    path = paths_on_site(site)[kind]
    watched = open_page(*PHONE)
    response = watched.page.goto(site.url + path)
    assert response.status == (404 if kind == "missing" else 200)
    width = watched.page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= watched.page.evaluate("innerWidth")
    # Text is large enough to read without zooming.
    size = watched.page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
    watched.page.screenshot(path=f"/tmp/finews-{kind}-phone.png")
    watched.page.screenshot(path=f"/tmp/finews-{kind}-phone-full.png", full_page=True)


def test_home_on_a_phone_is_short_and_links_outlets_and_stocks(site, open_page):
    """The home page is the newest stories and a short outlet index, not a
    section per outlet: a phone scrolls through it in a few screens."""
    watched = open_page(*PHONE)
    visit(watched, site.url)
    page = watched.page
    chips = page.eval_on_selector_all("section.outlet-index ul.outlets li a",
                                      "as => as.map(a => a.href)")
    assert 0 < len(chips) <= 24
    assert all("/category/" in href for href in chips)
    assert page.eval_on_selector_all("main section.category-section", "s => s.length") == 0
    height = page.evaluate("document.scrollingElement.scrollHeight")
    assert height < 14 * PHONE[1], height
    more = page.get_attribute("section.outlet-index p.more a", "href")
    assert httpx.get(site.url + more, timeout=5).status_code == 200
    # Every outlet chip and story title sits inside the screen's width.
    widths = page.eval_on_selector_all(
        "main li", "ls => ls.map(l => l.getBoundingClientRect().right)")
    assert max(widths) <= PHONE[0]
    # The largest clusters come first; a cluster's lead names the other reports.
    clusters = page.eval_on_selector_all("section.clusters li a", "as => as.map(a => a.href)")
    assert clusters, "the upstream serves re-publications: some cluster is expected"
    visit(watched, clusters[0])
    peers = page.eval_on_selector_all("section.peers li a", "as => as.map(a => a.href)")
    assert peers and all(httpx.get(h, timeout=5).status_code == 200 for h in peers)
    assert "家媒体报道" in page.inner_text("section.peers h2")
    page.screenshot(path="/tmp/finews-cluster-story-phone.png", full_page=True)
    # A story page links its stocks to the stock's own page here.
    story = next(s for s in site.latest()["stories"])
    visit(watched, site.url + story["path"])
    stock_links = page.eval_on_selector_all("ul.stocks a:not(.quote)", "as => as.map(a => a.href)")
    for href in stock_links:
        assert "/stock/" in href and httpx.get(href, timeout=5).status_code == 200
    assert settled_errors(watched) == []
