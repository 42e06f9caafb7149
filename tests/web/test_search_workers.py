"""``serve.search_workers``: searches answered in worker processes, as in the server's threads."""

from __future__ import annotations

import os
import signal
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from starlette.testclient import TestClient

from finews.config import ServeSettings, Settings, SiteSettings
from finews.model import Article
from finews.store import open_store
from finews.web.app import create_app

T0 = datetime(2026, 3, 1, 2, tzinfo=timezone.utc)
QUERIES = [{"q": "银行"}, {"q": "央行", "media": "上海证券报"}, {"q": "银行", "order": "newest"},
           {"q": "减持 股东"}, {"q": "银行", "group": "cluster"}, {"q": "没有的词"}]


def story(uid: str, title: str, body: str, media: str = "证券时报", days: int = 0) -> Article:
    return Article(source="t", upstream_id=uid, title=title, published=T0 + timedelta(days=days),
                   media=media, body_html=f"<p>{body}</p>", content_hash=uid + title + body)


@pytest.fixture
def settings(tmp_path, store_url) -> Settings:
    settings = Settings(data_dir=tmp_path, store_url=store_url,
                        site=SiteSettings(base_url="http://127.0.0.1:8000/"))
    with open_store(settings.store, settings.site.tz) as store:
        store.upsert_articles([
            (story("1", "招商银行大股东减持", "公告称股东计划减持不超过1%。"), b""),
            (story("2", "央行开展逆回购", "央行今日开展逆回购操作。", media="上海证券报", days=1),
             b""),
            (story("3", "新能源车销量创新高", "多家银行上调新能源贷款额度。", days=2), b""),
        ] + [(story(f"x{n}", f"银行 第{n}条", f"银行 消息 {n}", days=n % 5), b"")
             for n in range(30)])
    return settings


def _client(settings: Settings, workers: int) -> TestClient:
    settings = replace(settings, serve=ServeSettings(search_workers=workers))
    return TestClient(create_app(settings, lambda: open_store(settings.store, settings.site.tz,
                                                              readonly=True)))


def test_workers_answer_exactly_as_the_servers_threads(settings) -> None:
    with _client(settings, 0) as threads:
        expected = [threads.get("/api/search", params=q).json() for q in QUERIES]
        page = threads.get("/search", params={"q": "银行"}).text
    with _client(settings, 2) as workers:
        app = workers.app
        assert [workers.get("/api/search", params=q).json() for q in QUERIES] == expected
        assert workers.get("/search", params={"q": "银行"}).text == page
        # the workers answered, not the server's threads
        pool = _pool(app)
        assert pool is not None and len(pool._pool._processes) == 2
    assert expected[0]["total"] == 32


def test_a_bad_query_is_a_400_from_a_worker(settings) -> None:
    with _client(settings, 1) as client:
        answer = client.get("/api/search", params={"q": ""})
        assert answer.status_code == 400
        assert answer.json()["error"]["code"] == "query"
        long = client.get("/api/search", params={"q": "银行", "page": "0"})
        assert long.status_code == 400


def test_a_killed_worker_is_replaced_and_the_search_answered(settings) -> None:
    with _client(settings, 1) as client:
        first = client.get("/api/search", params={"q": "银行"}).json()
        pool = _pool(client.app)
        (pid,) = list(pool._pool._processes)
        os.kill(pid, signal.SIGKILL)
        answer = client.get("/api/search", params={"q": "银行"})
        assert answer.status_code == 200
        assert answer.json() == first
        assert pid not in pool._pool._processes


def test_a_worker_whose_store_is_gone_answers_503(tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, site=SiteSettings(base_url="http://127.0.0.1:8000/"))
    with open_store(settings.store, settings.site.tz) as store:
        store.upsert_articles([(story("1", "招商银行", "银行"), b"")])
    with _client(settings, 1) as client:
        assert client.get("/api/search", params={"q": "银行"}).status_code == 200
        db = tmp_path / "finews.sqlite3"
        for path in tmp_path.glob("finews.sqlite3*"):
            path.write_bytes(b"not a database" * 100)
        answer = client.get("/api/search", params={"q": "招商"})
        assert answer.status_code == 503, answer.text
        body = answer.json()["error"]
        assert body["code"] == "store_damaged"
        assert str(db) not in body["message"] and "sqlite" not in body["message"].lower()


def test_search_workers_are_checked(tmp_path) -> None:
    from finews.config import load
    from finews.errors import ConfigError
    config = tmp_path / "finews.toml"
    config.write_text("[serve]\nsearch_workers = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="serve.search_workers"):
        load(config, {})
    config.write_text("[serve]\nsearch_workers = 2\n", encoding="utf-8")
    assert load(config, {}).serve.search_workers == 2


def _pool(app):
    """The app's search pool (what its lifespan started)."""
    for route in app.routes:
        handler = getattr(route.endpoint, "__self__", None)
        if handler is not None and hasattr(handler, "search_pool"):
            return handler.search_pool
    return None
