"""The whole job on real parts: local upstream on 127.0.0.1 → fetch → store → site.

On both store backends (SQLite, PostgreSQL).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import feedparser
import pytest

from finews.config import from_mapping
from finews.fetch import Fetcher
from finews.ingest import fetch_pass
from finews.publish.site import build_site
from finews.store import open_store
from finews.upstream.server import UpstreamServer


@pytest.fixture
def upstream():
    with UpstreamServer(port=0, seed=7, stories=60) as server:
        yield server


def settings_for(upstream: UpstreamServer, tmp_path: Path, store_url: str = ""):
    return from_mapping({
        "data_dir": "data",
        **({"store": {"url": store_url}} if store_url else {}),
        "site": {"base_url": "http://127.0.0.1:8000/"},
        "sources": upstream.source_settings(name_prefix="t"),
    }, base=tmp_path)


def fetch_all(settings, store):
    async def go():
        async with Fetcher(settings.fetch) as fetcher:
            return await fetch_pass(settings, store, fetcher)
    return asyncio.run(go())


@pytest.fixture
def world(upstream, tmp_path, store_url):
    settings = settings_for(upstream, tmp_path, store_url)
    store = open_store(settings.store, settings.site.tz)
    yield upstream, settings, store
    store.close()


def test_fetch_store_build_and_read_back(world):
    upstream, settings, store = world
    report = fetch_all(settings, store)
    assert all(src.error is None for src in report.sources), report.summary()
    # every item served is accounted for exactly once
    for src in report.sources:
        assert src.accounted == src.served, src
    assert report.total("new") > 0
    stories = store.count_articles()
    assert stories == report.total("new")

    out = settings.site_dir
    built = build_site(store, out, settings.site)
    assert built.written > stories

    # every story has its page, linked from its category page
    home = (out / "index.html").read_text(encoding="utf-8")
    for stored in store.iter_articles():
        page = out / stored.path
        assert page.is_file(), stored.path
        html = page.read_text(encoding="utf-8")
        assert stored.category.slug in html
        assert "<script>" not in stored.article.body_html
    for category in store.categories():
        listing = out / "category" / f"{category.slug}.html"
        assert listing.is_file()
        assert f"category/{category.slug}.html" in home

    # the site feed parses and points at real pages
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert len(feed.entries) == min(stories, settings.site.feed_size)
    for entry in feed.entries[:10]:
        path = entry.link.replace(settings.site.base_url, "")
        assert (out / path).is_file(), entry.link


def test_shared_stories_are_stored_once(world):
    upstream, settings, store = world
    fetch_all(settings, store)
    titles = [a.article.title for a in store.iter_articles()]
    assert len(titles) == len(set(titles))
    shared = [s for s in upstream.stories() if len(s.lists) > 1]
    assert shared, "the upstream should serve some stories on two lists"


def test_second_fetch_and_build_write_nothing(world):
    upstream, settings, store = world
    fetch_all(settings, store)
    build_site(store, settings.site_dir, settings.site)
    _, seq = store.changes_since(0)
    files = {p: p.stat().st_mtime_ns for p in settings.site_dir.rglob("*") if p.is_file()}

    again = fetch_all(settings, store)
    assert again.total("new") == again.total("updated") == 0
    assert store.changes_since(0)[1] == seq
    rebuilt = build_site(store, settings.site_dir, settings.site)
    assert rebuilt.written == 0
    after = {p: p.stat().st_mtime_ns for p in settings.site_dir.rglob("*") if p.is_file()}
    assert after == files


def test_new_stories_rebuild_only_what_shows_them(world):
    upstream, settings, store = world
    fetch_all(settings, store)
    build_site(store, settings.site_dir, settings.site)
    total_files = sum(1 for p in settings.site_dir.rglob("*") if p.is_file())

    upstream.add_stories(3)
    report = fetch_all(settings, store)
    new = report.total("new")
    assert 1 <= new <= 3
    rebuilt = build_site(store, settings.site_dir, settings.site)
    assert rebuilt.stories == new
    # story pages + a few listings and feeds, not the whole site
    assert new < rebuilt.written < total_files / 3
    for stored in store.articles(report.changed_ids):
        assert (settings.site_dir / stored.path).is_file()
        html = (settings.site_dir / "index.html").read_text(encoding="utf-8")
        assert stored.path in html


def test_unchanged_list_costs_no_fulltext_requests(world):
    upstream, settings, store = world
    fetch_all(settings, store)
    hits = []
    original = upstream.answer

    def counting(path, query):
        hits.append(path)
        return original(path, query)

    upstream.answer = counting
    fetch_all(settings, store)
    assert hits and not [p for p in hits if re.search(r"/text$|getnews", p)]


def test_a_fetching_process_remembers_what_it_clustered(upstream, tmp_path):
    """Fetching with a memory clusters exactly as fetching without one."""
    from finews.cluster import RecentFingerprints
    clusters, memories = [], []
    for name in ("with", "without"):
        settings = settings_for(upstream, tmp_path / name)
        store = open_store(settings.store, settings.site.tz)
        recent = RecentFingerprints() if name == "with" else None

        async def go():
            async with Fetcher(settings.fetch) as fetcher:
                return await fetch_pass(settings, store, fetcher, recent=recent)
        report = asyncio.run(go())
        assert report.total("new") > 0
        ids = {s.id: s.article.upstream_id for s in store.iter_articles()}
        clusters.append(sorted((ids[a], c) for a, c in store.clusters_of(list(ids)).items()))
        memories.append(len(recent) if recent is not None else 0)
        store.close()
    assert clusters[0] == clusters[1] and len(clusters[0]) == memories[0] > 0
