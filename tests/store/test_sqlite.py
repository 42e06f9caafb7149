"""What only the SQLite store does: its file, WAL mode, schema version, stored blobs.

The behaviour both backends share is in ``test_contract.py``.
"""

from __future__ import annotations

import sqlite3
import zlib

import pytest

from finews.errors import StoreError
from finews.store.sqlite.migrations import MIGRATIONS
from finews.store.sqlite import SQLiteStore

from .test_contract import TZ, make  # noqa: F401 - the same stories as the contract


@pytest.fixture
def store(tmp_path):
    with SQLiteStore.open(tmp_path / "finews.sqlite3", TZ) as s:
        yield s


def test_open_creates_schema_in_wal_mode(tmp_path):
    path = tmp_path / "db" / "finews.sqlite3"
    SQLiteStore.open(path, TZ).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "finews.sqlite3"
    SQLiteStore.open(path, TZ).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this finews"):
        SQLiteStore.open(path, TZ)


def test_raw_payload_is_kept_compressed(store, tmp_path):
    payload = "原始内容".encode() * 1000
    store.upsert_articles([(make("1"), payload)])
    aid = store.article_by_key("s", "1").id
    assert store.raw_payload(aid) == payload
    blob = sqlite3.connect(tmp_path / "finews.sqlite3").execute(
        "SELECT data FROM raw_payloads").fetchone()[0]
    assert len(blob) < len(payload) / 10
    assert zlib.decompress(blob) == payload


def test_a_payload_packed_by_a_worker_is_stored_as_it_is(store, tmp_path):
    from finews.model import PackedPayload
    first, second = "原始内容".encode() * 500, "更正".encode() * 500
    store.upsert_articles([(make("1"), PackedPayload.pack(first))])
    aid = store.article_by_key("s", "1").id
    assert store.raw_payload(aid) == first          # not packed twice
    store.upsert_articles([(make("1", body="<p>更正后的正文</p>"), PackedPayload.pack(second))])
    assert store.raw_payload(aid) == second         # an update too
    blob = sqlite3.connect(tmp_path / "finews.sqlite3").execute(
        "SELECT data FROM raw_payloads").fetchone()[0]
    assert blob == PackedPayload.pack(second)

