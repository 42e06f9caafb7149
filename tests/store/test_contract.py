"""The store contract, on both backends (SQLite file, PostgreSQL database).

Identity, idempotence, twins, revisions, categories, paths, listings,
quarantine, source state and the change sequence: what every backend must
do alike, because the rules are one implementation (``store.rules``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from itertools import islice
from zoneinfo import ZoneInfo

import pytest

from finews.errors import StoreError
from finews.model import Article, QuarantineRecord, StockMention
from finews.store import open_store

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 China time


def make(uid: str, *, source: str = "s", media: str = "示例日报", title: str | None = None,
         body: str = "<p>正文</p>", published: datetime = T0, url: str | None = None,
         slug: str | None = None, stocks=()) -> Article:
    title = title or f"标题{uid}"
    return Article(source=source, upstream_id=uid, title=title, published=published,
                   media=media, body_html=body, digest="摘要", url=url,
                   tags=(f"{media}新闻",), stocks=tuple(stocks), category_slug=slug,
                   content_hash=f"{title}|{body}|{published.isoformat()}")



@pytest.fixture
def store(store_url):
    with open_store(store_url, TZ) as s:
        yield s

def test_insert_then_same_again_writes_nothing(store):
    first = store.upsert_articles([(make("1"), b"raw1"), (make("2"), b"raw2")])
    assert (first.new, first.updated, first.unchanged) == (2, 0, 0)
    _, seq = store.changes_since(0)
    again = store.upsert_articles([(make("1"), b"raw1"), (make("2"), b"raw2")])
    assert (again.new, again.updated, again.unchanged) == (0, 0, 2)
    assert again.article_ids == ()
    assert store.changes_since(0)[1] == seq
    assert store.count_articles() == 2


def test_changed_content_is_an_update_with_a_revision(store):
    store.upsert_articles([(make("1"), b"v1")])
    stored = store.article_by_key("s", "1")
    outcome = store.upsert_articles([(make("1", body="<p>更正后的正文</p>"), b"v2")])
    assert (outcome.new, outcome.updated) == (0, 1)
    after = store.article_by_key("s", "1")
    assert after.id == stored.id
    assert after.article.body_html == "<p>更正后的正文</p>"
    assert after.seq > stored.seq
    assert after.path == stored.path
    assert store.revision_count(stored.id) == 1
    assert store.raw_payload(stored.id) == b"v2"
    changes, _ = store.changes_since(stored.seq)
    assert [c.article_id for c in changes] == [stored.id]


def test_same_story_from_another_list_is_stored_once(store):
    url = "https://finance.eastmoney.com/a/202203010000000001.html"
    store.upsert_articles([(make("1", source="rolling", url=url), b"")])
    outcome = store.upsert_articles([(make("NW1", source="media", url=url,
                                           title="另一个标题"), b"")])
    assert (outcome.new, outcome.unchanged) == (0, 1)
    assert store.count_articles() == 1
    assert store.article_by_key("media", "NW1").article.upstream_id == "1"
    # and the same content without a URL is caught by its hash
    outcome = store.upsert_articles([(make("1", source="third"), b"")])
    assert outcome.unchanged == 1 and store.count_articles() == 1


def test_duplicates_within_one_batch(store):
    outcome = store.upsert_articles([(make("1"), b""), (make("1"), b"")])
    assert (outcome.new, outcome.unchanged) == (1, 1)


def test_failed_batch_leaves_nothing(store):
    bad = replace(make("2"), published=datetime(2022, 1, 1))  # naive: refused
    with pytest.raises(StoreError):
        store.upsert_articles([(make("1"), b""), (bad, b"")])
    assert store.count_articles() == 0


def test_category_slug_is_pinyin_unique_and_stable(store):
    heze = store.category_for("菏泽日报")
    assert heze.slug == "hezeribao" and heze.tag == "菏泽日报新闻"
    assert store.category_for("菏泽日报") == heze
    latin = store.category_for("TechWeb")
    twin = store.category_for("Techweb")
    assert latin.slug == "techweb" and twin.slug == "techweb-2"
    reopened = open_store(store.url, TZ)
    assert reopened.category_for("Techweb").slug == "techweb-2"


def test_imported_slug_is_kept_even_when_unsafe(store):
    cat = store.category_for("21世纪经济报道 21财经APP", slug="21shijijingjibaodao 21caijingAPP")
    assert cat.original_slug == "21shijijingjibaodao 21caijingAPP"
    assert cat.slug == "21shijijingjibaodao-21caijingapp"
    # a wrong-but-established reading stays the URL
    old = store.category_for("央行观察", slug="yangxingguancha")
    assert old.slug == "yangxingguancha"
    # new upstream stories of that media land in the same category
    assert store.category_for("央行观察") == old


def test_story_paths_are_unique_and_safe(store):
    store.upsert_articles([(make("../../x", source="a"), b""),
                           (make("../../x", source="b", body="<p>另一篇</p>"), b"")])
    paths = [a.path for a in store.iter_articles()]
    assert paths == ["shiliribao/2022/03/01/x.html", "shiliribao/2022/03/01/x-2.html"]


def test_listing_queries(store):
    stories = [make(str(i), published=T0 + timedelta(hours=i)) for i in range(30)]
    stories.append(make("other", media="菏泽日报", published=T0 + timedelta(days=2)))
    store.upsert_articles([(a, b"") for a in stories])
    cat = store.category_for("示例日报")
    assert store.category_count(cat.id) == 30
    assert [h.title for h in store.category_newest(cat.id, 3)] == ["标题29", "标题28", "标题27"]
    assert [h.title for h in islice(store.category_walk(cat.id, 10), 2)] == ["标题10", "标题11"]
    tenth = store.article_by_key("s", "10")
    assert store.category_rank(cat.id, tenth.article.published, tenth.id) == 10
    assert store.newest(1)[0].title == "标题other"
    # 09:30 China time + 15h crosses into 2 March
    days = dict(store.days())
    assert days[date(2022, 3, 1)] == 15 and days[date(2022, 3, 2)] == 15
    assert len(store.day_headlines(date(2022, 3, 3))) == 1


def test_iter_articles_streams_in_batches(store):
    store.upsert_articles([(make(str(i)), b"") for i in range(25)])
    seen = [a.article.upstream_id for a in store.iter_articles(batch=7)]
    assert sorted(seen, key=int) == [str(i) for i in range(25)]


def test_stock_mentions_round_trip(store):
    stocks = [StockMention("1", "600160", "巨化股份"), StockMention("116", "00700", "")]
    store.upsert_articles([(make("1", stocks=stocks), b"")])
    assert store.article_by_key("s", "1").article.stocks == tuple(stocks)


def test_quarantine_keeps_reason_and_payload(store):
    store.quarantine(QuarantineRecord("s", "时间为空", "item", "42", b"{\"id\": 42}"))
    store.quarantine(QuarantineRecord("s", "时间为空", "item", "42", b"{\"id\": 42}"))
    [entry] = store.list_quarantine()
    assert (entry.source, entry.upstream_id, entry.reason) == ("s", "42", "时间为空")
    assert store.quarantine_payload(entry.id) == b"{\"id\": 42}"
    assert store.count_quarantine() == 1
    store.quarantine(QuarantineRecord("s", "标题为空", "item", "42", b"{\"id\": 42}"))
    assert store.count_quarantine() == 2


def test_source_state_success_and_errors(store):
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert store.source_state("x").error_count == 0
    store.record_source_error("x", "fetch: boom", at=now, next_attempt=now + timedelta(60))
    store.record_source_error("x", "fetch: boom", at=now, next_attempt=now + timedelta(120))
    state = store.source_state("x")
    assert (state.error_count, state.last_error) == (2, "fetch: boom")
    store.record_source_success("x", at=now, next_attempt=now, etag='"e1"', served=3)
    state = store.source_state("x")
    assert (state.error_count, state.last_error, state.etag, state.served) == (
        0, None, '"e1"', 3)


def test_seen_item_hashes(store):
    store.mark_items_seen("s", {"1": "h1", "2": "h2"})
    store.mark_items_seen("s", {"2": "h2b"})
    assert store.seen_item_hashes("s", ["1", "2", "3"]) == {"1": "h1", "2": "h2b"}


def test_state_round_trip(store):
    assert store.get_state("publish.seq") is None
    store.set_state("publish.seq", "5")
    store.set_state("publish.seq", "6")
    assert store.get_state("publish.seq") == "6"


def test_a_publisher_misses_no_change_made_by_concurrent_writers(store_url):
    """Several writers at once: every change is seen by a reader that follows
    ``changes_since`` from the newest number it saw (no lower number may
    commit after a higher one)."""
    import threading

    writers, batches, size = 3, 12, 4
    seen: set[int] = set()
    done = threading.Event()
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            with open_store(store_url, TZ) as own:
                for b in range(batches):
                    own.upsert_articles([(make(f"w{w}b{b}n{n}", source=f"src{w}",
                                               title=f"写入{w}-{b}-{n}"), b"")
                                         for n in range(size)])
        except BaseException as exc:   # reported by the main thread
            errors.append(exc)

    def follow() -> None:
        watermark = 0
        with open_store(store_url, TZ) as reader:
            while True:
                finished = done.is_set()
                changes, top = reader.changes_since(watermark)
                seen.update(c.article_id for c in changes)
                assert all(c.seq > watermark for c in changes)
                watermark = top
                if finished:
                    return

    open_store(store_url, TZ).close()    # the schema first: then only the writes race
    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    follower = threading.Thread(target=follow)
    follower.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    follower.join()
    assert not errors, errors
    with open_store(store_url, TZ) as check:
        every = {s.id for s in check.iter_articles()}
        seqs = [s.seq for s in check.iter_articles()]
    assert len(every) == writers * batches * size
    assert seen == every
    assert len(set(seqs)) == len(seqs)


def test_changes_since_gives_each_change_once_in_order(store):
    store.upsert_articles([(make("1"), b""), (make("2"), b"")])
    changes, top = store.changes_since(0)
    assert [c.seq for c in changes] == sorted(c.seq for c in changes)
    assert top == changes[-1].seq
    store.upsert_articles([(make("1", body="<p>改</p>"), b"")])
    later, newer = store.changes_since(top)
    assert [c.article_id for c in later] == [store.article_by_key("s", "1").id]
    assert newer > top and later[0].seq == newer
    assert store.changes_since(newer) == ([], newer)


def test_a_partial_copy_from_another_source_is_a_twin(store):
    whole = make("1", source="a", title="同一条新闻", body="<p>完整正文</p>")
    store.upsert_articles([(whole, b"")])
    partial = replace(make("X9", source="b", title="同一条新闻", body="<p>摘要</p>"),
                      extra={"partial": "fulltext failed"})
    outcome = store.upsert_articles([(partial, b"")])
    assert (outcome.new, outcome.unchanged) == (0, 1)
    assert store.article_by_key("b", "X9").article.source == "a"


def test_the_same_bad_item_is_quarantined_once(store):
    record = QuarantineRecord(source="s", upstream_id="9", code="bad_time",
                              reason="no time", payload=b"{}")
    store.quarantine(record)
    store.quarantine(record)
    store.quarantine(replace(record, reason="another reason"))
    assert store.count_quarantine() == 2


def test_a_dropped_postgresql_connection_is_replaced(postgres_server):
    import psycopg
    store_url = postgres_server.new_database()
    with open_store(store_url, TZ) as store:
        store.upsert_articles([(make("1"), b"")])
        pid = store._conn.info.backend_pid
        with psycopg.connect(store_url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError):        # the statement that finds it gone
            store.count_articles()
        assert store.count_articles() == 1     # the next one reconnects
        store.upsert_articles([(make("2"), b"")])
        assert store.count_articles() == 2


def test_a_twin_keeps_its_own_lists_copy_and_address(store):
    rolling = replace(make("1", source="rolling", media="东财滚动新闻", slug="emnews"),
                      shape="rolling")
    media = replace(make("1", source="media", media="证券时报"), upstream_id="NW1",
                    shape="media", extra={"k": "v"})
    first = store.upsert_articles([(rolling, b"rolling payload")])
    story = store.article(first.article_ids[0])
    outcome = store.upsert_articles([(media, b"media payload")])
    # counted unchanged, but the story has a new address: a change to publish
    assert (outcome.new, outcome.updated, outcome.unchanged) == (0, 0, 1)
    assert outcome.article_ids == (story.id,)
    assert store.article(story.id).seq > story.seq
    [alias] = store.aliases([story.id])
    assert alias.article.shape == "media" and alias.article.media == "证券时报"
    assert alias.article.upstream_id == "NW1" and alias.article.extra == {"k": "v"}
    assert alias.payload == b"media payload"
    assert alias.path == "zhengquanshibao/2022/03/01/NW1.html"
    assert list(store.iter_aliases(batch=1)) == [alias]
    assert store.category_by_slug("zhengquanshibao") is None   # no empty category made
    # a story later claiming that address gets another one
    clash = make("NW1", source="other", media="证券时报", title="另一条")
    store.upsert_articles([(clash, b"")])
    assert store.article_by_key("other", "NW1").path == "zhengquanshibao/2022/03/01/NW1-2.html"


def test_a_changed_twin_updates_the_content_not_the_story_identity(store):
    rolling = replace(make("1", source="rolling", slug="emnews"), shape="rolling",
                      url="http://finance.example/a/1.html")
    store.upsert_articles([(rolling, b"rolling payload")])
    media = replace(make("1", source="media", media="证券时报"), upstream_id="NW1",
                    shape="media")
    store.upsert_articles([(media, b"media payload")])
    changed = replace(media, body_html="<p>更正后的正文</p>", content_hash="changed")
    outcome = store.upsert_articles([(changed, b"media payload 2")])
    assert outcome.updated == 1
    story = store.article_by_key("rolling", "1")
    assert story.article.body_html == "<p>更正后的正文</p>"
    assert (story.article.shape, story.article.url, story.article.source) == \
        ("rolling", "http://finance.example/a/1.html", "rolling")
    assert store.raw_payload(story.id) == b"rolling payload"
    [alias] = store.aliases([story.id])
    assert alias.payload == b"media payload 2" and alias.article.content_hash == "changed"


def test_an_unreachable_postgresql_is_one_clear_sentence(tmp_path):
    """A server that is not there: StoreError, classified for the CLI and the web."""
    from finews.store.failures import store_failure
    url = f"postgresql://finews@/finews?host={tmp_path}&connect_timeout=2"
    with pytest.raises(StoreError, match="cannot open the store") as caught:
        open_store(url, TZ)
    failure = store_failure(caught.value)
    assert failure is not None and failure.reason == "unreachable"
    assert "PostgreSQL server is running" in failure.sentence("x")
