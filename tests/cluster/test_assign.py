"""Clusters in a real store: as stories arrive, on story pages, in builds."""

from __future__ import annotations

import multiprocessing
import random
from datetime import timedelta
from pathlib import Path

import pytest

from finews.cluster import RecentFingerprints, cluster_new
from finews.cluster.assign import WATERMARK_KEY
from finews.config import SiteSettings
from finews.process import ProcessOptions, process_item
from finews.model import RawItem
from finews.publish import build_site
from finews.store import open_store
from finews.store.sqlite import SQLiteStore
from finews.upstream.generator import StoryGenerator
from finews.upstream.republish import republish

from benchmarks.clusters.pairs import START

SITE = SiteSettings(base_url="http://news.example/", page_size=3, home_latest=6, feed_size=4)


def _article(story, source: str):
    raw = RawItem(source=source, upstream_id=story.info_code, title=story.title,
                  body_html=story.body_html, published=story.showtime, media=story.media,
                  stocks=story.stock_ids, payload=b"{}")
    return process_item(raw, options=ProcessOptions(tz=SITE.tz))


def _stories(count: int = 12, copies: int = 2, seed: int = 5):
    """``count`` originals and ``copies`` re-worded copies of every third one,
    in the order they come out (each copy after its original)."""
    rng = random.Random(seed)
    gen = StoryGenerator(seed)
    out, expected = [], {}
    for i in range(count):
        story = gen.make(START + timedelta(minutes=30 * i))
        out.append(("a", story))
        if i % 3 == 0:
            for c in range(copies):
                copy = republish(story, rng, seq=1000 + i * 10 + c,
                                 delay=timedelta(minutes=5 + c))
                out.append((f"copy{c}", copy))
                expected[copy.info_code] = story.info_code
    return out, expected


@pytest.fixture
def _store(backend, request):
    """A fresh store on this test's backend (``tests/conftest.py``), by name."""
    def opener(tmp_path: Path, name: str):
        if backend == "sqlite":
            return SQLiteStore.open(tmp_path / f"{name}.sqlite3", SITE.tz)
        return open_store(request.getfixturevalue("postgres_server").new_database(), SITE.tz)
    return opener


def _sqlite(tmp_path: Path, name: str) -> SQLiteStore:
    """A SQLite store by name, for tests that share its file between processes."""
    return SQLiteStore.open(tmp_path / f"{name}.sqlite3", SITE.tz)


def _clusters(store: SQLiteStore) -> dict[str, int]:
    ids = {s.id: s.article.upstream_id for s in store.iter_articles()}
    return {ids[aid]: cid for aid, cid in store.clusters_of(list(ids)).items()}


def test_copies_join_their_original_and_nothing_else(_store, tmp_path: Path) -> None:
    stories, expected = _stories()
    store = _store(tmp_path, "one")
    for source, story in stories:
        store.upsert_articles([(_article(story, source), b"{}")])
        cluster_new(store)
    clusters = _clusters(store)
    assert len(clusters) == len(stories)
    for copy, original in expected.items():
        assert clusters[copy] == clusters[original], copy
    originals = [s.info_code for source, s in stories if source == "a"]
    assert len({clusters[o] for o in originals}) == len(originals)
    # The lead is the earliest report; the largest clusters are the copied ones.
    top = store.largest_clusters(START - timedelta(days=1), 10)
    assert [c.size for c in top] == [3] * 4
    assert {c.lead.title for c in top} == {s.title for source, s in stories
                                          if source == "a" and s.info_code in expected.values()}
    store.close()


@pytest.mark.parametrize("sizes", [[1] * 20, [5, 5, 10], [20]])
def test_clusters_do_not_depend_on_how_stories_are_batched(_store, tmp_path: Path,
                                                          sizes) -> None:
    stories, _ = _stories()
    whole = _store(tmp_path, "whole")
    whole.upsert_articles([(_article(s, src), b"{}") for src, s in stories])
    cluster_new(whole)
    parts = _store(tmp_path, "parts")
    at = 0
    for size in sizes:
        parts.upsert_articles([(_article(s, src), b"{}") for src, s in stories[at:at + size]])
        cluster_new(parts, limit=size)
        at += size
    cluster_new(parts)
    assert _clusters(parts) == _clusters(whole)
    whole.close()
    parts.close()


def _snapshot(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.mark.parametrize("collapse", [False, True])
def test_incremental_builds_with_clusters_equal_a_full_build(_store, tmp_path: Path,
                                                             collapse: bool) -> None:
    site = SiteSettings(base_url="http://news.example/", page_size=3, home_latest=6,
                        feed_size=4, collapse_clusters=collapse)
    stories, expected = _stories(count=15, copies=3)
    store = _store(tmp_path, "inc")
    out = tmp_path / "inc"
    for start in range(0, len(stories), 4):
        store.upsert_articles([(_article(s, src), b"{}") for src, s in stories[start:start + 4]])
        cluster_new(store)
        build_site(store, out, site)
    incremental = _snapshot(out)
    store.set_state("publish.seq", "0")
    build_site(store, tmp_path / "full", site, full=True)
    assert incremental == _snapshot(tmp_path / "full")
    # Every copy's page names the other reports, the original first.
    copy = store.article_by_key("copy0", next(iter(expected)))
    page = (out / copy.path).read_text(encoding="utf-8")
    assert "另有 3 家媒体报道" in page and "首发" in page
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "多家媒体报道" in home and "4 家报道" in home
    store.close()


def test_collapsed_home_shows_a_cluster_once(_store, tmp_path: Path) -> None:
    stories, expected = _stories(count=3, copies=3)
    store = _store(tmp_path, "c")
    store.upsert_articles([(_article(s, src), b"{}") for src, s in stories])
    cluster_new(store)
    for collapse, shown in ((False, 6), (True, 3)):
        site = SiteSettings(base_url="http://news.example/", home_latest=6,
                            collapse_clusters=collapse)
        out = tmp_path / f"site-{collapse}"
        build_site(store, out, site)
        home = (out / "index.html").read_text(encoding="utf-8")
        latest = home.split('id="listing"')[1].split("</section>")[0]
        assert latest.count("<li data-href") == shown
    store.close()


def _cluster_in_other_process(db: Path, rounds: int, limit: int) -> None:
    """Another finews process with its own memory clustering the same store."""
    store = SQLiteStore.open(db, SITE.tz)
    recent = RecentFingerprints()
    for _ in range(rounds):
        cluster_new(store, limit=limit, recent=recent)
    store.close()


def test_remembered_fingerprints_change_no_cluster_across_processes(tmp_path: Path) -> None:
    stories, _ = _stories(count=30, copies=3, seed=8)
    arts = [(_article(s, src), b"{}") for src, s in stories]
    plain = _sqlite(tmp_path, "plain")
    for art in arts:
        plain.upsert_articles([art])
        cluster_new(plain)
    expected = _clusters(plain)
    plain.close()

    # Two processes, each with its own memory, take turns on one store: each
    # sees stories the other clustered (not in its memory) and its own.
    db = tmp_path / "shared.sqlite3"
    shared = SQLiteStore.open(db, SITE.tz)
    shared.upsert_articles(arts)
    reads: list[int] = []
    read = shared.cluster_fingerprints

    def counted(ids, **kwargs):
        reads.append(len(ids))
        return read(ids, **kwargs)
    shared.cluster_fingerprints = counted
    recent = RecentFingerprints()
    ctx = multiprocessing.get_context("spawn")
    done = 0
    while done < len(arts):
        cluster_new(shared, limit=7, recent=recent)
        other = ctx.Process(target=_cluster_in_other_process, args=(db, 2, 3))
        other.start()
        other.join(60)
        assert other.exitcode == 0
        done += 13
    cluster_new(shared, recent=recent)
    assert _clusters(shared) == expected
    assert len(recent) > 0
    shared.close()

    # The same stories again with no memory, and with room for only two:
    # the same clusters, and the memory spared reading some back.
    for capacity, name in ((0, "cold"), (2, "tiny"), (10_000, "warm")):
        store = _sqlite(tmp_path, name)
        calls: list[int] = []
        read_one = store.cluster_fingerprints

        def counted_one(ids, read_one=read_one, calls=calls, **kwargs):
            calls.append(len(ids))
            return read_one(ids, **kwargs)
        store.cluster_fingerprints = counted_one
        memory = RecentFingerprints(capacity=capacity)
        for art in arts:
            store.upsert_articles([art])
            cluster_new(store, recent=memory)
        assert _clusters(store) == expected, name
        assert len(memory) <= capacity
        if name == "cold":
            cold_reads = sum(calls)
        elif name == "warm":
            assert sum(calls) < cold_reads / 2
        store.close()


def test_stories_another_process_clustered_first_are_not_remembered(tmp_path: Path) -> None:
    stories, _ = _stories(count=9, copies=2, seed=3)
    db = tmp_path / "race.sqlite3"
    first, second = SQLiteStore.open(db, SITE.tz), SQLiteStore.open(db, SITE.tz)
    first.upsert_articles([(_article(s, src), b"{}") for src, s in stories])
    mine, theirs = RecentFingerprints(), RecentFingerprints()
    # Both read the same watermark: the second one's writes are all ignored.
    assert cluster_new(first, limit=8, recent=mine) == 8
    second.set_state(WATERMARK_KEY, "0")
    assert cluster_new(second, limit=8, recent=theirs) == 8
    assert len(mine) == 8 and len(theirs) == 0
    cluster_new(second, recent=theirs)
    assert len(theirs) == len(stories) - 8
    first.close()
    second.close()
