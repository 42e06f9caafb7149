import pytest

from finews.store.sqlite.fts_engine import search
from finews.store.sqlite.fts_index import index_article, reindex, remove_article
from finews.search.query import SearchQuery

from .conftest import NOW, TZ


@pytest.fixture
def archive(sqlite_archive):
    """These tests read the SQLite backend's FTS5 shards directly."""
    return sqlite_archive



def found(archive, text):
    return [h.id for h in search(archive.conn, SearchQuery(text), tz=TZ, now=NOW).hits]


def test_reindex_rebuilds_from_articles_with_progress(archive):
    a = archive.add("光伏板块走强", "<p>光伏龙头上涨。</p>")
    b = archive.add("储能订单饱满", "<p>储能企业扩产。</p>", digest="储能企业获得大单")
    archive.conn.execute("DELETE FROM articles_fts")
    assert found(archive, "光伏") == []
    calls = []
    assert reindex(archive.conn, lambda done, total: calls.append((done, total)), batch=1) == 2
    assert calls == [(1, 2), (2, 2)]
    assert found(archive, "光伏") == [a]
    assert found(archive, "大单") == [b]          # a digest the body lacks is indexed
    assert not archive.conn.in_transaction


@pytest.mark.parametrize("workers", [1, 2])
def test_reindex_twice_does_not_duplicate(archive, workers):
    a = archive.add("光伏板块走强")
    reindex(archive.conn, workers=workers)
    reindex(archive.conn, workers=workers)
    assert archive.conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 1
    assert found(archive, "光伏") == [a]


def test_index_article_replaces_old_text(archive):
    a = archive.add("光伏板块走强")
    index_article(archive.conn, a, "储能板块走强", "", "<p>新正文</p>")
    assert found(archive, "光伏") == [] and found(archive, "储能") == [a]
    assert archive.conn.execute("SELECT COUNT(*) FROM articles_fts").fetchone()[0] == 1


def test_remove_article(archive):
    a = archive.add("光伏板块走强")
    b = archive.add("光伏企业扩产")
    remove_article(archive.conn, a)
    assert found(archive, "光伏") == [b]
    assert archive.conn.execute("SELECT id FROM search_docs").fetchall() == [(b,)]


def test_search_docs_follow_the_article(archive):
    a = archive.add("光伏板块走强", media="中国证券报")
    row = archive.conn.execute("SELECT published, category_id FROM articles WHERE id = ?",
                               (a,)).fetchone()
    assert archive.conn.execute("SELECT published, category_id FROM search_docs "
                                "WHERE id = ?", (a,)).fetchone() == row
    archive.conn.execute("DELETE FROM search_docs")
    reindex(archive.conn, workers=1)
    assert archive.conn.execute("SELECT published, category_id FROM search_docs "
                                "WHERE id = ?", (a,)).fetchone() == row


def test_index_rolls_back_with_the_callers_transaction(archive):
    a = archive.add("光伏板块走强")
    archive.conn.execute("BEGIN IMMEDIATE")
    index_article(archive.conn, a, "储能", "", "")
    archive.conn.execute("ROLLBACK")
    assert found(archive, "光伏") == [a] and found(archive, "储能") == []


def test_markup_is_not_indexed(archive):
    archive.add("标题", '<p class="keytip">正文<script>secretword()</script></p>')
    assert found(archive, "keytip") == [] and found(archive, "secretword") == []


def _segments(conn) -> int:
    # Rows of FTS5's data table: one structure record, averages, and the
    # leaves of every segment written.
    return conn.execute("SELECT COUNT(*) FROM articles_fts_data").fetchone()[0]


def test_indexing_a_batch_writes_one_segment_not_one_per_story(archive):
    from datetime import datetime, timezone
    from finews.model import Article
    before = _segments(archive.conn)
    articles = [Article(source="test", upstream_id=f"batch{i}", title=f"光伏新闻第{i}条",
                        published=datetime(2024, 5, 1, 8, i, tzinfo=timezone.utc),
                        media="证券时报", body_html="<p>光伏组件价格企稳。</p>", digest="",
                        content_hash=f"h{i}") for i in range(40)]
    archive.store.upsert_articles([(a, b"{}") for a in articles])
    # A statement savepoint between stories would flush FTS5's pending terms
    # into a new segment for each story (ten rows here even after FTS5's
    # automatic merging); written once, the 40 stories fit in one leaf.
    assert _segments(archive.conn) - before <= 3


def _article(n, title, body, digest=""):
    import hashlib
    from datetime import datetime, timezone

    from finews.model import Article
    return Article(source="test", upstream_id=f"e{n}", title=title, media="证券时报",
                   published=datetime(2024, 5, 1, 8, tzinfo=timezone.utc), body_html=body,
                   digest=digest, content_hash=hashlib.sha256(f"e{n}{title}".encode()).hexdigest())


def test_store_inserts_an_entry_made_ahead_for_the_same_text(archive):
    from dataclasses import replace

    from finews.search.indextext import make_entry
    article = _article(1, "光伏板块走强", "<p>龙头上涨</p>")
    entry = make_entry(article.title, article.digest, article.body_html)
    assert "光伏" in entry.title.split() and "龙头" in entry.body.split()
    # An entry saying something else, keyed to this text: the store must use it
    # as it is rather than segmenting again, so its odd word becomes findable.
    planted = replace(entry, body=entry.body + " zzmarker")
    (aid,) = archive.store.upsert_articles([(article, b"{}")],
                                           index_entries=[planted]).article_ids
    assert found(archive, "zzmarker") == [aid]


def test_store_ignores_an_entry_made_from_other_text(archive):
    from finews.search.indextext import make_entry
    article = _article(2, "储能订单饱满", "<p>企业扩产</p>")
    stale = make_entry("光伏板块走强", "", "<p>龙头上涨</p>")
    (aid,) = archive.store.upsert_articles([(article, b"{}")],
                                           index_entries=[stale]).article_ids
    assert found(archive, "储能") == [aid] and found(archive, "光伏") == []


def test_index_entries_must_pair_with_the_batch(archive):
    with pytest.raises(ValueError):
        archive.store.upsert_articles([(_article(3, "储能", "<p>x</p>"), b"{}")],
                                      index_entries=[])
