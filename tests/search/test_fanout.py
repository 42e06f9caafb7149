"""Shards read ahead by helper threads give exactly the sequential search's results."""

import random
import sqlite3
import threading
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from finews.model import Article
from finews.store.sqlite import fts_engine as engine, fts_fanout as fanout, fts_schema as schema
from finews.store.sqlite.fts_engine import search
from finews.store.sqlite.fts_index import index_article
from finews.search.query import SearchQuery
from finews.store.sqlite.fts_schema import shard_of, shards
from finews.store.sqlite import readers
from finews.store.sqlite import SQLiteStore

from .conftest import NOW, TZ, Archive


@pytest.fixture
def archive(sqlite_archive):
    """These tests read the SQLite backend's FTS5 shards directly."""
    return sqlite_archive


DAY0 = datetime(2024, 1, 1, 8, tzinfo=timezone.utc)
WORDS = ["光伏", "储能", "银行", "芯片", "回购", "降准", "券商", "算力", "逆回购", "白酒",
         "新能源", "医药", "地产", "黄金", "半导体", "汽车"]
MEDIA = ["证券时报", "第一财经", "财新网"]
STOCKS = [("1", "600519", "贵州茅台"), ("0", "300750", "宁德时代")]


def _sentence(rng: random.Random, n: int) -> str:
    return "，".join(rng.choice(WORDS) + rng.choice(["走强", "回落", "震荡", "企稳"])
                    for _ in range(n))


@pytest.fixture(autouse=True)
def ahead_of_tiny_shards(monkeypatch):
    # Shards of three stories read in microseconds: never worth a helper otherwise.
    monkeypatch.setattr(fanout, "MIN_AHEAD", 0.0)


@pytest.fixture
def many_shards(archive, monkeypatch):
    """90 varied stories in 30 shards of three, stored out of date order now and then."""
    monkeypatch.setattr(schema, "SHARD_SIZE", 3)
    monkeypatch.setattr(engine, "STATS_MIN_ROWS", 3)
    rng = random.Random(7)
    for i in range(90):
        day = i if i % 11 else i - 40               # some stories stored late
        archive.add(_sentence(rng, 2), f"<p>{_sentence(rng, rng.randint(1, 6))}。</p>",
                    media=rng.choice(MEDIA), published=DAY0 + timedelta(days=day),
                    stocks=(rng.choice(STOCKS),) if i % 3 == 0 else ())
    assert len(shards(archive.conn)) == 30
    return archive


QUERIES = [
    ("光伏", {}), ("光伏 储能", {}), ("银行 芯片 回购", {}), ("逆回购 OR 白酒", {}),
    ("新能源 -地产", {}), ('"光伏 走强"', {}), ("半导体 汽车 黄金 医药", {}),
    ("储能", {"media": "第一财经"}), ("券商 OR 算力", {"stock": "600519"}),
    ("光伏 OR 银行", {"date_from": date(2024, 1, 20), "date_to": date(2024, 2, 20)}),
    ("走强", {"media": "财新网", "date_from": date(2024, 2, 1)}),
]


def _results(archive, text, filters, order="relevance", offset=0):
    return search(archive.conn, SearchQuery(text, **filters), tz=TZ, now=NOW, order=order,
                  limit=10, offset=offset)


def _both(archive, monkeypatch, text, filters, **kw):
    monkeypatch.setattr(fanout, "HELPERS", 0)
    sequential = _results(archive, text, filters, **kw)
    monkeypatch.setattr(fanout, "HELPERS", 1)
    return sequential, _results(archive, text, filters, **kw)


@pytest.fixture
def readers_log(monkeypatch):
    """The threads that read each shard; the caller's reads are slowed so helpers get some."""
    log: list[tuple[str, int]] = []
    read = engine._read_shard

    def spy(conn, shard, *args, **kw):
        if fanout.HELPERS and threading.current_thread() is threading.main_thread():
            time.sleep(0.001)
        log.append((threading.current_thread().name, shard))
        return read(conn, shard, *args, **kw)
    monkeypatch.setattr(engine, "_read_shard", spy)
    return log


def _helper_reads(log):
    return [shard for name, shard in log if name == "finews-search-helper"]


@pytest.mark.parametrize("candidates", [1000, 7])
@pytest.mark.parametrize("few", [100, 2])
def test_helpers_give_the_sequential_results(many_shards, monkeypatch, readers_log,
                                             candidates, few):
    # 7 candidates: the search stops in the middle of the shards, with helpers
    # reading ahead; FEW = 2: most shards are ranked by FTS5, which helpers
    # leave to the caller.
    monkeypatch.setattr(engine, "CANDIDATES", candidates)
    monkeypatch.setattr(engine, "COUNT_LIMIT", candidates)
    for text, filters in QUERIES:
        for order in ("relevance", "newest"):
            for offset in (0, 5) if candidates > 10 else (0,):
                sequential, parallel = _both(many_shards, monkeypatch, text, filters,
                                             order=order, offset=offset)
                assert parallel == sequential, (text, filters, order, offset)
    assert _helper_reads(readers_log)          # the parallel path did run


def test_an_index_made_before_shards_gives_the_same_results(archive, monkeypatch,
                                                            readers_log):
    monkeypatch.setattr(schema, "SHARD_SIZE", 10**9)        # everything lands in shard 0
    old = [archive.add(f"储能新闻{i}", published=DAY0 + timedelta(days=i)) for i in range(20)]
    monkeypatch.setattr(schema, "SHARD_SIZE", 2)
    for i in range(12):
        archive.add(f"储能快讯{i}", published=DAY0 + timedelta(days=30 + i))
    # Updated after the switch: now in shard 0 (old entry) and in its own shard.
    index_article(archive.conn, old[5], "储能新闻更新", "", "")
    assert shard_of(old[5]) != 0
    sequential, parallel = _both(archive, monkeypatch, "储能", {}, order="newest")
    assert parallel == sequential
    ids = [h.id for h in parallel.hits]
    assert len(ids) == len(set(ids))
    assert _helper_reads(readers_log)


def test_a_failed_helper_read_is_read_again_by_the_caller(many_shards, monkeypatch,
                                                           readers_log):
    read = engine._read_shard                   # the spy of readers_log

    def failing(conn, shard, *args, **kw):
        result = read(conn, shard, *args, **kw)
        if threading.current_thread().name == "finews-search-helper":
            raise sqlite3.OperationalError("disk I/O error")
        return result
    monkeypatch.setattr(engine, "_read_shard", failing)
    sequential, parallel = _both(many_shards, monkeypatch, "银行 芯片 回购", {})
    assert parallel == sequential and _helper_reads(readers_log)


def test_stories_stored_during_a_search_give_no_duplicates(many_shards, monkeypatch,
                                                            tmp_path):
    writer = SQLiteStore.open(tmp_path / "finews.db", TZ)      # a second process's writer
    read = engine._read_shard
    written = []

    def write_meanwhile(conn, shard, *args, **kw):
        if threading.current_thread().name == "finews-search-helper" and not written:
            # A story updated in an old shard, new stories in a new one.
            writer._conn.execute("BEGIN IMMEDIATE")
            index_article(writer._conn, shard * 3 + 1, "光伏储能光伏", "", "<p>光伏</p>")
            writer._conn.execute("COMMIT")
            for i in range(4):
                written.append(writer.upsert_articles([(_article(i), b"{}")]))
        else:
            time.sleep(0.002)
        return read(conn, shard, *args, **kw)
    monkeypatch.setattr(engine, "_read_shard", write_meanwhile)
    monkeypatch.setattr(fanout, "HELPERS", 1)
    res = _results(many_shards, "光伏 OR 储能", {})
    writer.close()
    assert written
    ids = [h.id for h in res.hits]
    assert len(ids) == len(set(ids)) == min(10, res.total)


def _article(i):
    return Article(source="meanwhile", upstream_id=f"m{i}", title=f"光伏储能快讯{i}",
                   published=DAY0 + timedelta(days=200), media="证券时报",
                   body_html="<p>光伏</p>", digest="", content_hash=f"meanwhile{i}")


def test_a_query_fts5_ranks_in_every_shard_reads_alone(many_shards, monkeypatch,
                                                        readers_log):
    sequential, parallel = _both(many_shards, monkeypatch, '"光伏 走强" OR 银行', {})
    assert parallel == sequential and parallel.hits
    assert readers_log and not _helper_reads(readers_log)


def test_shards_read_fast_are_read_alone(many_shards, monkeypatch, readers_log):
    monkeypatch.setattr(fanout, "MIN_AHEAD", 60.0)
    sequential, parallel = _both(many_shards, monkeypatch, "银行 芯片 回购", {})
    assert parallel == sequential
    assert readers_log and not _helper_reads(readers_log)


def test_a_caller_inside_a_transaction_reads_alone(many_shards, monkeypatch, readers_log):
    monkeypatch.setattr(fanout, "HELPERS", 1)
    many_shards.conn.execute("BEGIN")
    try:
        new = many_shards.add("光伏未提交")    # visible only to this connection
    finally:
        hits = _results(many_shards, "光伏", {}, order="newest").hits
        many_shards.conn.execute("ROLLBACK")
    assert hits[0].id == new
    assert readers_log and not _helper_reads(readers_log)


def test_a_memory_database_reads_alone(monkeypatch, readers_log):
    monkeypatch.setattr(schema, "SHARD_SIZE", 2)
    monkeypatch.setattr(fanout, "HELPERS", 1)
    store = SQLiteStore.open(":memory:", TZ)
    try:
        archive = Archive(store)
        made = [archive.add(f"储能新闻{i}", published=DAY0 + timedelta(days=i)) for i in range(9)]
        assert readers.pool_for(store._conn) is None
        assert [h.id for h in _results(archive, "储能", {}, order="newest").hits] == made[::-1]
    finally:
        store.close()
    assert len(readers_log) == 5 and not _helper_reads(readers_log)


def test_helper_connections_are_kept_read_only_and_closed_with_the_last_store(
        many_shards, monkeypatch, tmp_path):
    opened = []
    connect = readers._connect

    def counting(database):
        opened.append(connect(database))
        return opened[-1]
    monkeypatch.setattr(readers, "_connect", counting)
    monkeypatch.setattr(fanout, "HELPERS", 1)
    other = SQLiteStore.open(tmp_path / "finews.db", TZ, readonly=True)   # the same file
    pool = readers.pool_for(many_shards.conn)
    assert pool is readers.pool_for(other._conn)
    for text, filters in QUERIES:
        _results(many_shards, text, filters)
    assert len(opened) == 1                    # one helper, opened once, lent again and again
    (conn,) = opened
    assert not conn.in_transaction
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        conn.execute("DELETE FROM articles")
    other.close()                              # another store is still open: kept
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 90
    many_shards.store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        conn.execute("SELECT 1")
    probe = sqlite3.connect(tmp_path / "finews.db")
    assert readers.pool_for(probe) is None
    probe.close()


def test_a_pool_lends_each_connection_to_one_thread_at_a_time(tmp_path):
    sqlite3.connect(tmp_path / "x.db").execute("CREATE TABLE t (x)")
    pool = readers.ReaderPool(str(tmp_path / "x.db"), size=2)
    first, second = pool.lend(), pool.lend()
    assert first is not None and second is not None and first is not second
    assert pool.lend() is None                 # both lent: the caller reads alone
    first.execute("BEGIN")
    first.execute("SELECT * FROM t").fetchall()
    pool.give_back(first)
    assert not first.in_transaction
    assert pool.lend() is first
    pool.close()
    pool.give_back(second)                     # lent when closed: closed on return
    with pytest.raises(sqlite3.ProgrammingError):
        second.execute("SELECT 1")
    assert pool.lend() is None


def test_concurrent_searches_each_get_the_sequential_results(many_shards, monkeypatch,
                                                             tmp_path):
    expected = {}
    monkeypatch.setattr(fanout, "HELPERS", 0)
    for text, filters in QUERIES:
        expected[text] = _results(many_shards, text, filters)
    monkeypatch.setattr(fanout, "HELPERS", 2)
    got, errors = [], []

    def client():
        # One store per request, as the web server opens them.
        with SQLiteStore.open(tmp_path / "finews.db", TZ, readonly=True) as store:
            try:
                for text, filters in QUERIES * 3:
                    got.append((text, search(store._conn, SearchQuery(text, **filters),
                                             tz=TZ, now=NOW, limit=10)))
            except Exception as exc:       # reported below, with the thread's others
                errors.append(exc)
    threads = [threading.Thread(target=client) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(got) == 6 * 3 * len(QUERIES)
    assert all(res == expected[text] for text, res in got)
