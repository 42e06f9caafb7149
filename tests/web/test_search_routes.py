"""/api/search and /search on a real store; `finews search` and `reindex` as commands."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from starlette.testclient import TestClient

from finews.config import Settings, SiteSettings
from finews.store.open import sqlite_path
from finews.model import Article
from finews.store.sqlite import SQLiteStore
from finews.store import open_store
from finews.web.app import create_app

T0 = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)


def story(uid: str, title: str, body: str, media: str = "证券时报", days: int = 0) -> Article:
    return Article(source="t", upstream_id=uid, title=title, published=T0 + timedelta(days=days),
                   media=media, body_html=f"<p>{body}</p>", content_hash=uid + title + body)


@pytest.fixture
def site(tmp_path):
    settings = Settings(data_dir=tmp_path, site=SiteSettings(base_url="http://127.0.0.1:8000/"))
    with open_store(settings.store, settings.site.tz) as store:
        store.upsert_articles([
            (story("1", "招商银行大股东减持", "公告称股东计划减持不超过1%。"), b""),
            (story("2", "央行开展逆回购", "央行今日开展逆回购操作<script>x</script>。",
                   media="上海证券报", days=1), b""),
            (story("3", "新能源车销量创新高", "多家银行上调新能源贷款额度。", days=2), b""),
        ])
    app = create_app(settings, lambda: open_store(settings.store,
                                                        settings.site.tz, readonly=True))
    return settings, TestClient(app)


def test_api_search_finds_two_character_words(site):
    _, client = site
    answer = client.get("/api/search", params={"q": "银行"})
    assert answer.status_code == 200
    titles = [r["title"] for r in answer.json()["results"]]
    # a title match outranks a body match
    assert titles == ["招商银行大股东减持", "新能源车销量创新高"]
    assert answer.headers["content-security-policy"]


def test_api_search_filters_and_order(site):
    _, client = site
    only = client.get("/api/search", params={"q": "央行", "media": "上海证券报"}).json()
    assert [r["title"] for r in only["results"]] == ["央行开展逆回购"]
    none = client.get("/api/search", params={"q": "央行", "media": "证券时报"}).json()
    assert none["results"] == [] and none["total"] == 0
    newest = client.get("/api/search", params={"q": "银行", "order": "newest"}).json()
    assert [r["title"] for r in newest["results"]][0] == "新能源车销量创新高"
    dated = client.get("/api/search", params={"q": "银行", "from": "2026-03-03"}).json()
    assert [r["title"] for r in dated["results"]] == ["新能源车销量创新高"]


@pytest.mark.parametrize("params, word", [
    ({}, "'q'"),
    ({"q": "银行", "order": "best"}, "'order'"),
    ({"q": "银行", "from": "yesterday"}, "'from'"),
    ({"q": "银行", "size": "0"}, "'size'"),
    ({"q": "银行", "stock": "'; DROP TABLE"}, "'stock'"),
    ({"q": "银行", "evil": "1"}, "evil"),
])
def test_api_search_rejects_bad_parameters(site, params, word):
    _, client = site
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["code"] == "query" and word in error["message"]


@pytest.mark.parametrize("q", ['"', 'NEAR(a b', "a AND OR NOT", "*", "^x", 'title:x', "\x00"])
def test_hostile_queries_never_reach_the_engine_raw(site, q):
    _, client = site
    answer = client.get("/api/search", params={"q": q})
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert answer.json()["error"]["code"] == "query"


def test_repeated_parameter_is_refused(site):
    _, client = site
    answer = client.get("/api/search?q=a&q=b")
    assert answer.status_code == 400 and "more than once" in answer.json()["error"]["message"]


def test_results_page_is_escaped_and_highlighted(site):
    _, client = site
    page = client.get("/search", params={"q": "央行"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    tree = HTMLParser(page.text)
    assert not tree.css("main script")
    hits = tree.css("ul.hits li")
    assert len(hits) == 1 and hits[0].css_first("mark").text() == "央行"
    assert "<script>x" not in page.text
    empty = client.get("/search")
    assert empty.status_code == 200 and HTMLParser(empty.text).css_first("form.search-big")
    bad = client.get("/search", params={"q": "银行", "from": "nope"})
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text


def test_search_and_reindex_commands(site):
    settings, _ = site
    run = lambda *a: subprocess.run([sys.executable, "-m", "finews.cli", *a],
                                    cwd=settings.data_dir, capture_output=True, text=True,
                                    timeout=60, env={"FINEWS_DATA_DIR": str(settings.data_dir),
                                                     "PATH": "/usr/bin:/bin"})
    found = run("search", "减持")
    assert found.returncode == 0, found.stderr
    assert "1 stories match" in found.stdout and "招商银行大股东减持" in found.stdout
    bad = run("search", "银行", "--from", "soon")
    assert bad.returncode == 1 and "'from'" in bad.stderr
    with open_store(settings.store, settings.site.tz) as store:
        store._conn.execute("DELETE FROM articles_fts")
    assert "0 stories match" in run("search", "减持").stdout
    assert "indexed 3 stories" in run("reindex").stdout
    assert "1 stories match" in run("search", "减持").stdout


def test_a_running_server_keeps_the_search_helpers_connections_between_requests(site):
    from finews.store.sqlite import readers
    settings, client = site
    database = str(sqlite_path(settings.store).resolve())
    with client:   # the server's start-up and shutdown
        for _ in range(2):
            assert client.get("/api/search", params={"q": "银行"}).status_code == 200
        # Every request's own store is closed by now; the pool is still there.
        assert any(Path(db).resolve() == Path(database) for db in readers._pools)
    assert not any(Path(db).resolve() == Path(database) for db in readers._pools)


def test_a_server_whose_store_cannot_open_at_start_up_still_starts(tmp_path):
    settings = Settings(data_dir=tmp_path / "missing" / "deeper",
                        site=SiteSettings(base_url="http://127.0.0.1:8000/"))

    def broken():
        from finews.errors import StoreError
        raise StoreError("no store here")

    with TestClient(create_app(settings, broken)) as client:
        answer = client.get("/api/search", params={"q": "银行"})
        assert answer.status_code in (500, 503)
        assert "error" in answer.json()
