"""The index split into shards by article id, and search across them."""

from datetime import date, datetime, timedelta, timezone

import pytest

from finews.store.sqlite import fts_engine as engine, fts_schema as schema
from finews.store.sqlite.fts_engine import search
from finews.store.sqlite.fts_index import index_article, reindex, remove_article
from finews.search.query import SearchQuery
from finews.store.sqlite.fts_schema import shard_of, shard_table, shards

from .conftest import NOW, TZ


@pytest.fixture
def archive(sqlite_archive):
    """These tests read the SQLite backend's FTS5 shards directly."""
    return sqlite_archive


DAY0 = datetime(2024, 4, 1, 8, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def tiny_shards(monkeypatch):
    monkeypatch.setattr(schema, "SHARD_SIZE", 3)


def ids(archive, text, order="relevance", **filters):
    res = search(archive.conn, SearchQuery(text, **filters), tz=TZ, now=NOW, order=order,
                 limit=50)
    return [h.id for h in res.hits]


def rows_in(archive, shard):
    return [r[0] for r in archive.conn.execute(f"SELECT rowid FROM {shard_table(shard)}")]


@pytest.mark.parametrize("article_id, shard", [(1, 0), (3, 0), (4, 1), (6, 1), (7, 2)])
def test_shard_of(article_id, shard):
    assert shard_of(article_id) == shard


def test_each_story_lands_in_its_shard_and_search_reads_them_all(archive):
    made = [archive.add(f"储能新闻{i}", published=DAY0 + timedelta(days=i)) for i in range(7)]
    assert shards(archive.conn) == [0, 1, 2]
    assert [rows_in(archive, s) for s in (0, 1, 2)] == [made[:3], made[3:6], made[6:]]
    assert ids(archive, "储能", order="newest") == made[::-1]


def test_update_and_remove_touch_only_the_storys_shard(archive):
    made = [archive.add(f"光伏新闻{i}") for i in range(5)]
    index_article(archive.conn, made[4], "储能板块走强", "", "")
    assert ids(archive, "储能") == [made[4]]
    assert sorted(ids(archive, "光伏")) == made[:4]
    remove_article(archive.conn, made[1])
    assert rows_in(archive, 0) == [made[0], made[2]]


def test_reindex_rebuilds_every_shard(archive):
    made = [archive.add(f"算力新闻{i}") for i in range(7)]
    archive.conn.execute(f"DROP TABLE {shard_table(2)}")
    archive.conn.execute(f"DELETE FROM {shard_table(0)}")
    assert reindex(archive.conn, workers=1, batch=2) == 7
    assert [len(rows_in(archive, s)) for s in shards(archive.conn)] == [3, 3, 1]
    assert sorted(ids(archive, "算力")) == made


def test_candidates_come_newest_first_across_shards(archive, monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATES", 4)
    monkeypatch.setattr(engine, "COUNT_LIMIT", 4)
    old_title = archive.add("芯片行业深度报告", published=DAY0)
    body_only = [archive.add(f"市场综述{i}", "<p>芯片板块走强。</p>",
                             published=DAY0 + timedelta(days=1 + i)) for i in range(6)]
    res = search(archive.conn, SearchQuery("芯片"), tz=TZ, now=NOW, limit=10)
    found = [h.id for h in res.hits]
    # More matches than candidates: the total is "at least", the newest four
    # body matches are there, and the title match in a shard read is kept.
    assert (res.total, res.total_exact) == (4, False)
    assert set(body_only[-4:]) <= set(found)
    assert body_only[0] not in found


def test_title_matches_in_the_shards_read_are_kept(archive, monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    monkeypatch.setattr(engine, "COUNT_LIMIT", 2)
    a = archive.add("市场综述", "<p>芯片板块走强。</p>", published=DAY0)
    title = archive.add("芯片行业深度报告", published=DAY0 + timedelta(days=1))
    b = archive.add("市场综述", "<p>芯片板块走强。</p>", published=DAY0 + timedelta(days=2))
    c = archive.add("市场综述", "<p>芯片板块走强。</p>", published=DAY0 + timedelta(days=3))
    assert shard_of(c) == 1
    found = ids(archive, "芯片")
    assert found[0] == title and set(found) == {title, b, c} and a not in found


def test_date_filter_finds_a_story_stored_out_of_order(archive):
    made = [archive.add(f"降准新闻{i}", published=DAY0 + timedelta(days=10 * i)) for i in range(6)]
    late = archive.add("降准旧闻", published=DAY0 + timedelta(days=11))  # stored last, dated early
    found = ids(archive, "降准", date_from=date(2024, 4, 10), date_to=date(2024, 4, 22))
    assert sorted(found) == sorted([made[1], late, made[2]])


@pytest.mark.parametrize("scan", [0, 1, 100])
def test_date_filter_is_exact_whether_or_not_turned_into_ids(archive, monkeypatch, scan):
    monkeypatch.setattr(engine, "ID_RANGE_SCAN", scan)
    made = [archive.add(f"降准新闻{i}", published=DAY0 + timedelta(days=i)) for i in range(7)]
    assert sorted(ids(archive, "降准", date_to=date(2024, 4, 3))) == made[:3]
    assert sorted(ids(archive, "降准", date_from=date(2024, 4, 3), date_to=date(2024, 4, 4))) \
        == made[2:4]
    assert ids(archive, "降准", date_from=date(2025, 1, 1), date_to=date(2025, 1, 2)) == []


def test_phrase_and_stock_filter_across_shards(archive):
    stock = (("1", "600519", "贵州茅台"),)
    want = archive.add("贵州茅台发布公告", stocks=stock)
    archive.add("贵州茅台发布公告")                         # phrase, no stock
    archive.add("茅台发布于贵州", stocks=stock)                # stock, words not a phrase
    later = archive.add("茅台发布公告", "<p>贵州茅台发布公告全文</p>", stocks=stock)
    assert sorted(ids(archive, '"贵州茅台发布"', stock="600519")) == [want, later]


def test_an_index_made_before_shards_is_still_searched(archive, monkeypatch):
    monkeypatch.setattr(schema, "SHARD_SIZE", 10**9)      # everything lands in shard 0
    old = [archive.add(f"储能新闻{i}", published=DAY0 + timedelta(days=i)) for i in range(5)]
    monkeypatch.setattr(schema, "SHARD_SIZE", 3)
    new = archive.add("储能新闻5", published=DAY0 + timedelta(days=9))
    assert shards(archive.conn) == [0, 1]
    assert ids(archive, "储能", order="newest") == [new, *old[::-1]]
    reindex(archive.conn, workers=1)
    assert shards(archive.conn) == [0, 1] and len(rows_in(archive, 0)) == 3
    assert ids(archive, "储能", order="newest") == [new, *old[::-1]]

