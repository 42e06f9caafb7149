"""copy-store: SQLite → PostgreSQL → SQLite keeps every row, and the same site."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from finews.cli import main
from finews.config import SiteSettings, from_mapping
from finews.fetch import Fetcher
from finews.ingest import fetch_pass
from finews.model import QuarantineRecord
from finews.original.export import export_jekyll
from finews.publish.site import build_site
from finews.store import open_store
from finews.store.copy import TABLES, copy_store
from finews.upstream.server import UpstreamServer

TZ = ZoneInfo("Asia/Shanghai")


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _rows(store) -> dict[str, list[tuple]]:
    return {t.name: store.copy_read(t, None, 10**9) for t in TABLES}


@pytest.fixture(scope="module")
def upstream():
    with UpstreamServer(port=0, seed=5, stories=40) as server:
        yield server


@pytest.fixture
def archive(upstream, tmp_path) -> str:
    """A SQLite archive with stories, twins, revisions, quarantine and source state."""
    settings = from_mapping({"data_dir": "data", "sources": upstream.source_settings(
        name_prefix="t")}, base=tmp_path)

    async def fetch(store):
        async with Fetcher(settings.fetch) as fetcher:
            return await fetch_pass(settings, store, fetcher)
    with open_store(settings.store, TZ) as store:
        asyncio.run(fetch(store))
        first = next(store.iter_articles())
        changed = replace(first.article, body_html=first.article.body_html + "<p>更正</p>",
                          content_hash=first.article.content_hash + "-2")
        store.upsert_articles([(changed, b'{"corrected": true}')])
        store.quarantine(QuarantineRecord("t-bad", "no title", "missing_title", "x1", b"{}"))
        store.set_state("publish.seq", "7")
        assert store.revision_count(first.id) == 1
    return settings.store


def test_round_trip_keeps_every_row_and_the_same_pages(archive, postgres_server, tmp_path):
    pg = postgres_server.new_database()
    back = f"sqlite:///{tmp_path / 'back.sqlite3'}"
    runner = CliRunner()
    there = runner.invoke(main, ["copy-store", archive, pg])
    assert there.exit_code == 0, there.output
    assert "counts match" in there.output
    again = runner.invoke(main, ["copy-store", pg, back])
    assert again.exit_code == 0, again.output

    with open_store(archive, TZ) as a, open_store(pg, TZ) as p, open_store(back, TZ) as b:
        original = _rows(a)
        assert sum(len(rows) for rows in original.values()) > 100
        assert all(original[t] for t in ("articles", "revisions", "aliases", "quarantine",
                                         "sources", "seen_items", "stock_mentions",
                                         "story_clusters", "cluster_keys"))
        assert _rows(p) == original
        assert _rows(b) == original
        site = SiteSettings()
        for name, store in (("a", a), ("p", p), ("b", b)):
            export_jekyll(store, tmp_path / f"jekyll-{name}", site)
            build_site(store, tmp_path / f"site-{name}", site, full=True, workers=1)
        # the copies search alike too: their indexes were rebuilt from the same stories
        word = a.article(1).article.title[:2]
        from finews.search.query import SearchQuery
        assert {h.id for h in p.search(SearchQuery(word), limit=50).hits} == \
            {h.id for h in b.search(SearchQuery(word), limit=50).hits}
    jekyll = _tree(tmp_path / "jekyll-a")
    assert len(jekyll) > 40
    assert _tree(tmp_path / "jekyll-p") == jekyll == _tree(tmp_path / "jekyll-b")
    pages = _tree(tmp_path / "site-a")
    assert len(pages) > 40
    assert _tree(tmp_path / "site-p") == pages == _tree(tmp_path / "site-b")


class Killed(Exception):
    pass


@pytest.mark.parametrize("target_backend", ["sqlite", "postgresql"])
def test_a_killed_copy_goes_on_where_it_stopped(archive, target_backend, postgres_server,
                                                tmp_path):
    target = (f"sqlite:///{tmp_path / 'copy.sqlite3'}" if target_backend == "sqlite"
              else postgres_server.new_database())
    batches = []

    def die_midway(table: str, done: int, total: int) -> None:
        batches.append((table, done))
        if table == "articles" and done >= 10:
            raise Killed()

    with open_store(archive, TZ, readonly=True) as source:
        with open_store(target, TZ) as dest:
            with pytest.raises(Killed):
                copy_store(source, dest, progress=die_midway, batch=5)
            assert 0 < dest.count_articles() < source.count_articles()
        with open_store(target, TZ) as dest:
            report = copy_store(source, dest, batch=5)
            assert report.copied < sum(report.counts.values())   # only the rest
            assert _rows(dest) == _rows(source)
            assert dest.count_articles() == source.count_articles()


@pytest.mark.parametrize("other_state", [["zzz-unrelated"], ["publish.seq"]])
def test_copy_into_a_store_of_another_archive_is_refused(archive, tmp_path, other_state):
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    with open_store(other, TZ) as store:
        for key in other_state:        # a key after all of the source's, or one of them
            store.set_state(key, "another archive's")
    result = CliRunner().invoke(main, ["copy-store", archive, other])
    assert result.exit_code == 1
    assert "not the first rows of the source" in result.output
    with open_store(other, TZ) as store:
        assert store.count_articles() == 0      # refused before the stories
