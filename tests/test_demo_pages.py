"""The demo's summary-only feed: its stories are published with the full text
taken from the article pages the local upstream serves."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import datetime

import feedparser
import httpx

from finews.config import load
from finews.demo import demo_sources, prepare
from finews.fetch import Fetcher
from finews.ingest import fetch_pass
from finews.process.text import html_to_text
from finews.building import build_once, store_for
from finews.upstream import UpstreamServer
from finews.upstream.generator import CHINA

START = datetime(2024, 3, 13, 15, 0, tzinfo=CHINA)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", html.unescape(text))


def test_demo_has_one_summary_only_feed_completed_from_article_pages(tmp_path):
    with UpstreamServer(seed=5, stories=80, start=START) as upstream:
        config = prepare(tmp_path, demo_sources(upstream), 8000)
        settings = load(config, {})
        pages = [s for s in settings.sources if s.fulltext == "page"]
        assert len(pages) == 1 and pages[0].kind == "feed"
        src = pages[0]
        feed = feedparser.parse(httpx.get(src.url).content)
        assert feed.entries and not any("content" in e for e in feed.entries)  # summaries only

        async def go():
            with store_for(settings) as store:
                async with Fetcher(settings.fetch) as fetcher:
                    return await fetch_pass(settings, store, fetcher, sources=[src])
        report = asyncio.run(go()).sources[0]
        news = upstream.news()
        assert report.error is None and report.new == len(news) == len(feed.entries)
        assert report.fulltext_failed == 0
        build_once(settings)
        with store_for(settings) as store:
            for story in news:
                stored = store.article_by_key(src.name, f"news-{story.code}")
                text = squash(html_to_text(stored.article.body_html))
                for paragraph in re.findall(r"<p[^>]*>(.*?)</p>", story.body_html, re.S):
                    assert squash(re.sub(r"<[^>]+>", "", paragraph)) in text
                assert len(text) > len(squash(story.summary))
                for chrome in ("股友评论", "相关新闻", "热门排行", "版权所有"):
                    assert chrome not in text
                published = (settings.site_dir / stored.path).read_text(encoding="utf-8")
                assert squash(re.sub(r"<[^>]+>", "", story.body_html))[:40] in squash(
                    re.sub(r"<[^>]+>", "", published))
