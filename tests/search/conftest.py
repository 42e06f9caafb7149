"""A real store with its search index, and a helper to add stories.

``archive`` runs a test on both backends (SQLite, PostgreSQL: see
``tests/conftest.py``); ``sqlite_archive`` is for tests of the SQLite
backend's FTS5 internals.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from finews.model import Article, StockMention
from finews.store import open_store
from finews.store.sqlite import SQLiteStore

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 1, 12, tzinfo=timezone.utc).timestamp()


class Archive:
    def __init__(self, store) -> None:
        self.store = store
        # The SQLite backend's own connection, for tests of its FTS5 internals.
        self.conn = store._conn if isinstance(store, SQLiteStore) else None
        self._n = 0

    def search(self, query, *, tz=None, now=NOW, **kw):
        """The store's search (``tz`` is the store's own)."""
        return self.store.search(query, now=now, **kw)

    def add(self, title: str, body: str = "<p>正文</p>", *, media: str = "证券时报",
            published: datetime | None = None, stocks: tuple[tuple[str, str, str], ...] = (),
            digest: str = "") -> int:
        self._n += 1
        article = Article(
            source="test", upstream_id=f"u{self._n}", title=title,
            published=published or datetime(2024, 5, 1, 8, tzinfo=timezone.utc),
            media=media, body_html=body, digest=digest,
            stocks=tuple(StockMention(*s) for s in stocks),
            content_hash=hashlib.sha256(f"{self._n}{title}{body}".encode()).hexdigest())
        outcome = self.store.upsert_articles([(article, b"{}")])
        (article_id,) = outcome.article_ids  # the store indexes it in the same write
        return article_id


@pytest.fixture
def archive(store_url):
    store = open_store(store_url, TZ)
    yield Archive(store)
    store.close()


@pytest.fixture
def sqlite_archive(tmp_path):
    store = SQLiteStore.open(tmp_path / "finews.db", TZ)
    yield Archive(store)
    store.close()
