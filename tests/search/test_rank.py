"""BM25 computed in Python for sparse shards must equal FTS5's own."""

from datetime import datetime, timedelta, timezone

import pytest

from finews.store.sqlite import fts_engine as engine, fts_schema as schema
from finews.store.sqlite.fts_engine import TITLE_WEIGHTS, search
from finews.search.query import SearchQuery, parse
from finews.store.sqlite.fts_query import match as fts_match
from finews.store.sqlite.fts_rank import _varints, bm25, fts_phrases, shard_rows, shard_stats
from finews.store.sqlite.fts_schema import shard_table

from .conftest import NOW, TZ


@pytest.fixture
def archive(sqlite_archive):
    """These tests read the SQLite backend's FTS5 shards directly."""
    return sqlite_archive


DAY0 = datetime(2024, 4, 1, 8, tzinfo=timezone.utc)

TEXTS = [
    ("光伏龙头业绩预增", "<p>光伏 光伏 组件价格回落，龙头企业扩产。</p>"),
    ("储能订单饱满", "<p>储能企业获得大单，光伏装机增长。</p>"),
    ("央行开展逆回购操作", "<p>央行今日开展逆回购，资金面平稳。光伏板块走强。</p>"),
    ("光伏光伏光伏", "<p>短讯。</p>"),
    ("新能源汽车销量", "<p>新能源汽车销量增长，储能需求上升，光伏出口增加。</p>"),
    ("银行板块震荡", "<p>银行股震荡，券商走弱。</p>"),
]


def fts5_scores(conn, table, match):
    weights = ", ".join(map(str, TITLE_WEIGHTS))
    return dict(conn.execute(f"SELECT rowid, bm25({table}, {weights}) FROM {table} "
                             f"WHERE {table} MATCH ?", (match,)))


@pytest.mark.parametrize("query", ["光伏", "光伏 储能", "光伏 -银行", "央 光伏",
                                   "光伏 OR 银行", "光伏 光伏"])
def test_python_bm25_equals_fts5_on_the_same_shard(archive, query):
    for title, body in TEXTS:
        archive.add(title, body)
    table = shard_table(0)
    match = fts_match(parse(query))
    phrases = fts_phrases(match)
    expected = fts5_scores(archive.conn, table, match)
    assert expected                                   # the query finds something
    stats = shard_stats(archive.conn, table, phrases)
    assert stats.rows == len(TEXTS) == shard_rows(archive.conn, table)
    got = bm25(archive.conn, table, list(expected), phrases, stats, TITLE_WEIGHTS)
    assert got.keys() == expected.keys()
    for story, score in expected.items():
        assert got[story] == pytest.approx(score, rel=1e-12)


def test_a_word_repeated_back_to_back_counts_each_time(archive):
    a = archive.add("光伏", "<p>光伏光伏光伏光伏</p>")
    archive.add("储能", "<p>储能</p>")
    archive.add("其他", "<p>其他</p>")
    table = shard_table(0)
    body = archive.conn.execute(f"SELECT body FROM {table} WHERE rowid = ?", (a,)).fetchone()[0]
    assert "光伏 光伏" in body                         # the case this guards
    stats = shard_stats(archive.conn, table, ["光伏"])
    got = bm25(archive.conn, table, [a], ["光伏"], stats, TITLE_WEIGHTS)
    assert got[a] == pytest.approx(fts5_scores(archive.conn, table, '"光伏"')[a], rel=1e-12)


def test_phrases_with_several_tokens_are_left_to_fts5():
    assert fts_phrases('"光伏" AND ("储能" OR "银行")') == ["光伏", "储能", "银行"]
    assert fts_phrases('"x""y"') == ['x"y']          # quotes undone
    assert fts_phrases('"光伏 组件" OR "储能"') is None


def test_varints():
    assert _varints(bytes([0x05, 0x81, 0x00, 0x7F])) == [5, 128, 127]


@pytest.fixture
def shards_of_three(monkeypatch):
    monkeypatch.setattr(schema, "SHARD_SIZE", 3)
    monkeypatch.setattr(engine, "STATS_MIN_ROWS", 3)


def test_sparse_shards_rank_like_fts5_with_the_reference_shards_counts(archive,
                                                                       shards_of_three,
                                                                       monkeypatch):
    made = [archive.add(title, body, published=DAY0 + timedelta(days=i))
            for i, (title, body) in enumerate(TEXTS)]      # shards 0 and 1, 3 stories each
    ranked_in_python = []

    def spy(conn, table, ids, *args):
        ranked_in_python.append(table)
        return bm25(conn, table, ids, *args)
    monkeypatch.setattr(engine, "rank_bm25", spy)
    hits = search(archive.conn, SearchQuery("光伏"), tz=TZ, now=NOW, limit=50).hits
    assert ranked_in_python == [shard_table(1), shard_table(0)]
    # Both shards have fewer than FEW matches, so both are ranked in Python
    # with the counts of the newest shard holding STATS_MIN_ROWS stories.
    stats = shard_stats(archive.conn, shard_table(1), ["光伏"])
    newest = fts5_scores(archive.conn, shard_table(1), '"光伏"')
    older_ids = list(fts5_scores(archive.conn, shard_table(0), '"光伏"'))
    older = bm25(archive.conn, shard_table(0), older_ids, ["光伏"], stats, TITLE_WEIGHTS)
    expected = {**newest, **older}
    assert set(older_ids) <= set(made[:3]) and set(newest) <= set(made[3:])
    assert {h.id for h in hits} == set(expected)
    assert [h.id for h in hits] == sorted(
        expected, key=lambda s: (engine._score(expected[s], _published(archive, s), NOW), s),
        reverse=True)


def _published(archive, story):
    return archive.conn.execute("SELECT published FROM articles WHERE id = ?",
                                (story,)).fetchone()[0]


def test_ranking_in_python_or_by_fts5_gives_the_same_order(archive, shards_of_three,
                                                           monkeypatch):
    for i, (title, body) in enumerate(TEXTS * 3):
        archive.add(title, body, published=DAY0 + timedelta(days=i))
    query = SearchQuery("光伏 OR 储能")
    python = [h.id for h in search(archive.conn, query, tz=TZ, now=NOW, limit=50).hits]
    monkeypatch.setattr(engine, "FEW", 0)              # FTS5 ranks every shard
    fts5 = [h.id for h in search(archive.conn, query, tz=TZ, now=NOW, limit=50).hits]
    # Each shard holds the same texts, so every shard's counts equal the
    # reference shard's and the two paths must agree exactly.
    assert python == fts5 and len(python) > 6


def test_word_counts_are_kept_until_the_shard_changes(archive):
    archive.add("光伏龙头", "<p>光伏</p>")
    table = shard_table(0)
    assert shard_stats(archive.conn, table, ["光伏"]).docs == {"光伏": 1}
    # The same count again without asking FTS5 (a statement would show in the trace).
    asked = []
    archive.conn.set_trace_callback(asked.append)
    assert shard_stats(archive.conn, table, ["光伏"]).docs == {"光伏": 1}
    archive.conn.set_trace_callback(None)
    assert not any("MATCH" in sql for sql in asked)
    archive.add("光伏组件", "<p>光伏</p>")                 # the shard changed
    assert shard_stats(archive.conn, table, ["光伏"]).docs == {"光伏": 2}
