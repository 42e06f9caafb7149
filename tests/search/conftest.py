"""A real SQLite store with the search table, and a helper to add stories."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from finews.model import Article, StockMention
from finews.store.sqlite import SQLiteStore

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2024, 6, 1, 12, tzinfo=timezone.utc).timestamp()


class Archive:
    def __init__(self, store: SQLiteStore) -> None:
        self.store = store
        self.conn = store._conn
        self._n = 0

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
def archive(tmp_path):
    store = SQLiteStore.open(tmp_path / "finews.db", TZ)
    yield Archive(store)
    store.close()
