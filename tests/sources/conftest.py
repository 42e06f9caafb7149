"""A local news site, settings pointed at it, and one ingest pass."""

from __future__ import annotations

import asyncio
import threading

import pytest

from finews.config import Settings, from_mapping
from finews.fetch import Fetcher
from finews.ingest import PassReport, fetch_pass
from finews.store.sqlite import SQLiteStore

from reliability.conftest import store_for  # noqa: F401 - a fixture, shared

from .site import Site

#: Short enough that an endless page is cut off soon (after connect + 4 reads),
#: long enough for a busy machine to answer the well-behaved pages in time.
FAST_FETCH = {"connect_timeout": 1.0, "read_timeout": 1.0, "max_bytes": 256 * 1024,
              "retries": 1, "backoff_base": 0.01, "backoff_max": 1.0, "per_host": 4}


@pytest.fixture
def site():
    server = Site()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def settings_with(tmp_path, sources: list[dict], **fetch) -> Settings:
    return from_mapping({"data_dir": "data", "fetch": {**FAST_FETCH, **fetch},
                         "sources": sources}, base=tmp_path)


async def _no_wait(delay: float) -> None:
    return None


def one_pass(settings: Settings, store: SQLiteStore, transport=None) -> PassReport:
    async def go() -> PassReport:
        async with Fetcher(settings.fetch, sleep=_no_wait, transport=transport) as fetcher:
            return await fetch_pass(settings, store, fetcher)
    return asyncio.run(go())
