"""A real store (on each backend: ``tests/conftest.py``) and a factory of articles for it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator
from zoneinfo import ZoneInfo

import pytest

from finews.model import Article, StockMention
from finews.store import open_store
from finews.store.sqlite import SQLiteStore

TZ = ZoneInfo("Asia/Shanghai")
BASE = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)   # 09:30 in China


def article(n: int, media: str = "示例日报", *, hours: float | None = None,
            title: str | None = None, body: str | None = None, slug: str | None = None,
            **extra) -> Article:
    fields = dict(
        source="test", upstream_id=f"NW{n:05d}",
        title=title if title is not None else f"新闻 {n}",
        published=BASE + timedelta(hours=n if hours is None else hours),
        media=media, body_html=body if body is not None else f"<p>正文 {n}</p>",
        digest=f"摘要 {n}", url=f"https://news.example/{n}.html",
        tags=(f"{media}新闻",), stocks=(StockMention("1", "600160", "巨化股份"),),
        category_slug=slug, content_hash=f"hash-{n}-{title}-{body}",
    )
    fields.update(extra)
    return Article(**fields)


def add(store: SQLiteStore, *articles: Article) -> None:
    outcome = store.upsert_articles([(a, b"{}") for a in articles])
    assert outcome.new + outcome.updated == len(articles)


@pytest.fixture
def store(store_url: str) -> Iterator:
    st = open_store(store_url, TZ)
    yield st
    st.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SQLiteStore]:
    st = SQLiteStore.open(tmp_path / "finews.sqlite3", TZ)
    yield st
    st.close()
