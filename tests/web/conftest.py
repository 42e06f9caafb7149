"""A built site on a real SQLite store, and the settings pointing at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from finews.config import Settings, SiteSettings, SourceSettings
from finews.model import Article
from finews.publish import build_site
from finews.store.sqlite import SQLiteStore

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
    db: Path

    def store(self) -> SQLiteStore:
        return SQLiteStore.open(self.db, TZ)


@pytest.fixture
def site(tmp_path: Path) -> Site:
    (tmp_path / "secret.txt").write_text(SECRET)
    db = tmp_path / "finews.sqlite3"
    settings = Settings(
        data_dir=tmp_path, store_url=f"sqlite:///{db}", output_dir=tmp_path / "site",
        site=SiteSettings(base_url="http://news.example/", page_size=5),
        sources=(SourceSettings(name="demo", url="http://demo.example/list"),
                 SourceSettings(name="quiet", url="http://quiet.example/list")))
    store = SQLiteStore.open(db, TZ)
    store.upsert_articles([(article(n, ("示例日报", "其他晚报")[n % 2]), b"{}")
                           for n in range(6)])
    build_site(store, settings.site_dir, settings.site)
    store.record_source_error("demo", "upstream answered 502", at=BASE,
                              next_attempt=BASE + timedelta(minutes=5))
    store.close()
    (settings.site_dir / "secret-inside.txt").write_text("inside")
    return Site(settings, db)
