"""A built site on a real store (each backend in turn), and the settings pointing at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from finews.config import Settings, SiteSettings, SourceSettings
from finews.model import Article
from finews.publish import build_site
from finews.store import open_store
from finews.store.open import sqlite_path

TZ = ZoneInfo("Asia/Shanghai")
BASE = datetime(2022, 3, 1, 1, 30, tzinfo=timezone.utc)
SECRET = "TOP-SECRET-CONTENT"


def article(n: int, media: str = "示例日报") -> Article:
    return Article(source="demo", upstream_id=f"NW{n}", title=f"新闻 {n} & <b>",
                   published=BASE + timedelta(hours=n), media=media,
                   body_html=f"<p>正文 {n}</p>", url=f"https://news.example/{n}",
                   content_hash=f"h{n}")


@dataclass
class Site:
    settings: Settings
    url: str

    def store(self):
        return open_store(self.url, TZ)

    @property
    def db(self) -> Path:
        """The SQLite file (``site`` only)."""
        return sqlite_path(self.url)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """The site on a SQLite file where the default configuration looks for it."""
    return _built(tmp_path, f"sqlite:///{tmp_path / 'finews.sqlite3'}")


@pytest.fixture
def any_site(tmp_path: Path, store_url: str) -> Site:
    """The site on each backend in turn (``tests/conftest.py``)."""
    return _built(tmp_path, store_url)


def _built(tmp_path: Path, store_url: str) -> Site:
    (tmp_path / "secret.txt").write_text(SECRET)
    settings = Settings(
        data_dir=tmp_path, store_url=store_url, output_dir=tmp_path / "site",
        site=SiteSettings(base_url="http://news.example/", page_size=5),
        sources=(SourceSettings(name="demo", url="http://demo.example/list"),
                 SourceSettings(name="quiet", url="http://quiet.example/list")))
    store = open_store(store_url, TZ)
    store.upsert_articles([(article(n, ("示例日报", "其他晚报")[n % 2]), b"{}")
                           for n in range(6)])
    build_site(store, settings.site_dir, settings.site)
    store.record_source_error("demo", "upstream answered 502", at=BASE,
                              next_attempt=BASE + timedelta(minutes=5))
    store.close()
    (settings.site_dir / "secret-inside.txt").write_text("inside")
    return Site(settings, store_url)
