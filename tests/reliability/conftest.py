"""Shared parts of the reliability tests: a local upstream, settings, one pass.

Everything is real: the upstream is an HTTP server on 127.0.0.1, the store a
SQLite file in tmp_path, the fetcher the one finews runs with — only with
small timeouts and back-off, and a ``sleep`` that records instead of waiting.
"""

from __future__ import annotations

import asyncio
import os
from datetime import datetime
from pathlib import Path
from typing import Iterable

import httpx
import pytest

from finews.config import Settings, from_mapping
from finews.fetch import Fetcher
from finews.ingest import PassReport, fetch_pass
from finews.store.sqlite import SQLiteStore
from finews.upstream import UpstreamServer
from finews.upstream.generator import CHINA

#: A fixed clock for the upstream, so its stories are the same on every run.
START = datetime(2024, 3, 13, 15, 0, tzinfo=CHINA)
#: Long versions of the slow tests run with FINEWS_SLOW=1 (see RELIABILITY.md).
SLOW = os.environ.get("FINEWS_SLOW", "") not in ("", "0")

FAST_FETCH = {"connect_timeout": 0.5, "read_timeout": 0.4, "max_bytes": 512 * 1024,
              "retries": 1, "backoff_base": 0.01, "backoff_max": 5.0, "per_host": 4}


class Sleeps:
    """An injected ``sleep`` that records the delays and does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Forward(httpx.AsyncBaseTransport):
    """Sends requests for a public-looking host to a local server (DNS is patched
    to give the host a public address, so the private-address rule applies)."""

    def __init__(self, host: str, local: str) -> None:
        self._host, self._local = host, httpx.URL(local)
        self._inner = httpx.AsyncHTTPTransport()
        self.seen: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        if request.url.host == self._host:
            request.url = request.url.copy_with(host=self._local.host,
                                                port=self._local.port)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def settings_for(upstream: UpstreamServer, tmp_path: Path, *,
                 names: Iterable[str] | None = None, interval: int = 60,
                 fetch: dict | None = None, private: bool = True) -> Settings:
    """Settings for finews pointed at ``upstream`` (only the sources ``names``)."""
    sources = upstream.source_settings(name_prefix="t", interval=interval)
    if names is not None:
        wanted = set(names)
        sources = [s for s in sources if s["name"] in wanted]
    for source in sources:
        source["allow_private"] = private
    return from_mapping({
        "data_dir": "data",
        "site": {"base_url": "http://127.0.0.1:8000/"},
        "fetch": {**FAST_FETCH, **(fetch or {})},
        "sources": sources,
    }, base=tmp_path)


def run_pass(settings: Settings, store: SQLiteStore, *, sleeps: Sleeps | None = None,
             sources=None) -> PassReport:
    async def go() -> PassReport:
        async with Fetcher(settings.fetch, sleep=sleeps or Sleeps()) as fetcher:
            return await fetch_pass(settings, store, fetcher, sources=sources)
    return asyncio.run(go())


def stored_keys(store: SQLiteStore) -> list[tuple[str, str]]:
    """Every (source, upstream id) the store knows, articles and aliases."""
    conn = store._conn  # the tests read the tables directly to count duplicates
    rows = conn.execute("SELECT source, upstream_id FROM articles UNION ALL "
                        "SELECT source, upstream_id FROM aliases").fetchall()
    return [tuple(r) for r in rows]


@pytest.fixture
def upstream():
    with UpstreamServer(seed=11, stories=30, start=START) as server:
        yield server


@pytest.fixture
def store_for(tmp_path):
    opened: list[SQLiteStore] = []

    def open_store(settings: Settings) -> SQLiteStore:
        store = SQLiteStore.open(settings.store_path, settings.site.tz)
        opened.append(store)
        return store
    yield open_store
    for store in opened:
        store.close()
