"""PostgreSQL search reads ids in growing windows, newest first, and title
matches through the title's own index: the same results as one read of all."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from finews.search.query import SearchQuery
from finews.store import open_store
from finews.store.postgres import search as pg_search

from .conftest import TZ, Archive

QUERIES = ("减持", "市场", "减持 -公告", "公告 OR 快讯", '"减持 公告"')


@pytest.fixture
def pg_archive(postgres_server):
    store = open_store(postgres_server.new_database(), TZ)
    archive = Archive(store)
    t0 = datetime(2024, 5, 1, tzinfo=timezone.utc)
    for n in range(120):
        # a word in every seventh story, another in all, a title word in a few
        body = "<p>" + ("减持 " if n % 7 == 0 else "") + f"市场 第{n}条</p>"
        title = f"{'减持公告' if n % 40 == 3 else '快讯'} {n}"
        archive.add(title, body, published=t0 + timedelta(minutes=n))
    yield archive
    store.close()


def _results(archive: Archive) -> dict:
    return {(q, order): [h.id for h in archive.search(SearchQuery(q), limit=50,
                                                       order=order).hits]
            for q in QUERIES for order in ("newest", "relevance")}


def test_small_windows_give_the_same_results(pg_archive: Archive, monkeypatch) -> None:
    whole = _results(pg_archive)
    assert whole[("减持", "newest")] and whole[("市场", "newest")]
    windows = []
    real = pg_archive.store._conn.execute

    def counting(sql, *args, **kw):
        if "d.id > %s AND d.id <= %s" in str(sql):
            windows.append(args[0][2:4])
        return real(sql, *args, **kw)
    monkeypatch.setattr(pg_archive.store._conn, "execute", counting)
    monkeypatch.setattr(pg_search, "FIRST_WINDOW", 3)
    assert _results(pg_archive) == whole
    # many windows were read, each below the last
    assert len(windows) > 30
    assert all(lower < upper for lower, upper in windows)


def test_a_title_match_beyond_the_cap_is_found(pg_archive: Archive, monkeypatch) -> None:
    # Five newest matches, then the title matches: the oldest 减持 title
    # (story 4, far older than the five) is still among the results.
    monkeypatch.setattr(pg_search, "CANDIDATES", 5)
    hits = pg_archive.search(SearchQuery("减持"), limit=50, order="newest").hits
    titles = [h.title for h in hits]
    assert len(hits) == 5 + 3
    assert titles[-1] == "减持公告 3"
    assert {t for t in titles if t.startswith("减持公告")} == {"减持公告 3", "减持公告 43",
                                                             "减持公告 83"}
