"""A real Jekyll build of an exported site (Debian's jekyll and jekyll-feed).

The ``jekyll`` fixture (conftest) installs them through
``scripts/ensure-jekyll.sh`` when missing.
"""

from __future__ import annotations

import html
import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import feedparser
import yaml

from finews.config import SiteSettings
from finews.model import Article
from finews.original.export import export_jekyll
from finews.original.importer import Imported, import_paths
from finews.store.sqlite import SQLiteStore

from .conftest import jekyll_build
from .test_importer import lay_out

CHINA = ZoneInfo("Asia/Shanghai")
CST = timezone(timedelta(hours=8))
SITE = SiteSettings(host="news.example", share_host="share.example",
                    base_url="http://news.example/")
MEDIA = ["示例日报", "证券时报", "TechWeb", "e公司", "21世纪经济报道 21财经APP", "中国基金报"]
TITLE_BITS = ['"', "'", "“", "”", "「", "」", ": ", "#", "\\", "{{ x }}", "&", "<b>", "％"]


def stories(count: int) -> list[Article]:
    rng = random.Random(7)
    out = []
    start = datetime(2022, 3, 1, 8, 0, tzinfo=CST)
    for n in range(count):
        media = MEDIA[n % len(MEDIA)]
        rolling = n % 5 == 0
        bits = "".join(rng.choice(TITLE_BITS) for _ in range(2))
        out.append(Article(
            source="em", upstream_id=f"NW{n:06d}", title=f"第{n}号消息{bits}结束",
            published=start + timedelta(minutes=37 * n), media="东财滚动新闻" if rolling else media,
            body_html=f"<p>第{n}号消息的正文，{{% raw %}} 与 {{{{ 变量 }}}}。</p>",
            digest=f"【第{n}号】摘要。", shape="rolling" if rolling else rng.choice(["media", "market", None]),
            category_slug="emnews" if rolling else None, tags=(), content_hash=f"h{n}"))
    return out


def test_exported_site_builds_with_jekyll(jekyll, tmp_path):
    with SQLiteStore.open(tmp_path / "finews.sqlite3", CHINA) as store:
        made = stories(300)
        store.upsert_articles([(a, b"{}") for a in made])
        for event in import_paths([lay_out(tmp_path / "old")]):
            if isinstance(event, Imported):
                store.upsert_articles([(event.article, event.payload)])
        export_jekyll(store, tmp_path / "src", SITE)
        categories = {p.name: yaml.safe_load(p.read_text().split("---\n")[1])["title"]
                      for p in (tmp_path / "src" / "category").iterdir()}
        titles = {a.upstream_id: a.title for a in made}
        titles.update({s.article.upstream_id: s.article.title for s in store.iter_articles()
                       if s.article.source.startswith("finews-")})
    site = jekyll_build(jekyll, tmp_path / "src", tmp_path / "_site")
    pages = {p.stem: p for p in site.rglob("*.html")}
    for upstream_id, title in titles.items():
        page = pages.get(upstream_id)
        assert page is not None, f"no page for {upstream_id}"
        shown = html.unescape(page.read_text())
        assert title in shown, upstream_id
        assert "{{ 变量 }}" in shown or not upstream_id.startswith("NW0")
    for name, title in categories.items():
        text = html.unescape((site / "category" / name).read_text())
        assert f"<title>{title} - " in text and "<li><a href=" in text, name
    assert "<script" not in pages["NW202203060000000006"].read_text()
    feed = feedparser.parse((site / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) >= 10
    assert all(e.title for e in feed.entries)
