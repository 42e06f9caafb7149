"""``finews run --role``: the publisher's lock, SQLite's one fetch worker, and
news written by one process reaching the pages and events another serves."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request


from finews.upstream.manyfeeds import ManyFeeds, fleet_config

from .conftest import SOURCE_ROOT


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _config(tmp_path, feeds: ManyFeeds, store_url: str, port: int = 8000):
    config = tmp_path / "finews.toml"
    config.write_text(fleet_config(feeds, store_url=store_url, interval=1, lease=30,
                                   port=port), encoding="utf-8")
    return config


def _finews(config, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")}
    return subprocess.run([sys.executable, "-m", "finews.cli", "--config", str(config), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**env, "PYTHONPATH": SOURCE_ROOT})


def test_a_second_fetch_worker_on_sqlite_is_refused_naming_postgresql(tmp_path, workers):
    with ManyFeeds(5, every=1.0) as feeds:
        config = _config(tmp_path, feeds, f"sqlite:///{tmp_path / 'finews.db'}")
        first = workers(config, "fetch")
        first.wait_for("fetched")
        second = _finews(config, "run", "--role", "fetch")
        # An "all" process fetches too.
        third = _finews(config, "run", "--no-serve")
        assert first.stop() == 0
    for refused in (second, third):
        assert refused.returncode == 1
        message = refused.stderr.strip()
        assert len(message.splitlines()) == 1 and "Traceback" not in message
        assert "PostgreSQL" in message and f"pid {first.pid} " in message
    # Once the first is gone, another may start.
    with ManyFeeds(5, every=1.0) as feeds:
        config = _config(tmp_path, feeds, f"sqlite:///{tmp_path / 'finews.db'}")
        again = workers(config, "fetch")
        again.wait_for("fetched")
        assert again.stop() == 0


def test_one_publisher_per_store_and_a_standby_takes_over(tmp_path, store_url, workers):
    with ManyFeeds(3, every=1.0) as feeds:
        config = _config(tmp_path, feeds, store_url)
        first = workers(config, "publish")
        first.wait_for("publishing into")
        second = _finews(config, "run", "--role", "publish")
        assert second.returncode == 1, second.stderr
        assert f"pid {first.pid} " in second.stderr and "--standby" in second.stderr
        assert "Traceback" not in second.stderr
        # A one-off build would write the same folder: refused the same way.
        build = _finews(config, "build")
        assert build.returncode == 1 and f"pid {first.pid} " in build.stderr
        standby = workers(config, "publish", "--standby")
        standby.wait_for("standing by")
        assert "taking over" not in standby.output()
        assert first.stop() == 0
        standby.wait_for("taking over publishing")
        standby.wait_for("publishing into")
        assert standby.stop() == 0


def _next_seq(events, after: int, timeout: float) -> int:
    """The first ``seq`` event above ``after`` on the event stream."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = events.readline().decode()
        if line.startswith("data:"):
            seq = json.loads(line[5:])["seq"]
            if seq > after:
                return seq
    raise AssertionError(f"no event past seq {after} within {timeout} s")


def test_stories_a_fetch_worker_stores_reach_another_process_pages_and_events(
        tmp_path, store_url, workers):
    port = _free_port()
    with ManyFeeds(3, every=1.0, start=1) as feeds:
        config = _config(tmp_path, feeds, store_url, port=port)
        # Three processes, as on three machines sharing the store (and the
        # server sharing the publisher's folder).
        publisher = workers(config, "publish")
        publisher.wait_for("publishing into")
        server = workers(config, "serve")
        server.wait_for("serving")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                events = urllib.request.urlopen(f"{base}/api/events", timeout=30)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        with events:
            first = _next_seq(events, -1, 10)
            fetcher = workers(config, "fetch")
            seq = _next_seq(events, first, 30)
            with urllib.request.urlopen(f"{base}/api/latest", timeout=10) as answer:
                latest = json.loads(answer.read())
        assert latest["seq"] >= seq
        mine = [s for s in latest["stories"] if "号源第" in s["title"]]
        assert mine, latest
        with urllib.request.urlopen(f"{base}/{mine[-1]['path']}", timeout=10) as page:
            assert mine[-1]["title"] in page.read().decode()
        for worker in (fetcher, publisher, server):
            assert worker.stop() == 0, worker.output()


def test_status_shows_which_worker_polls_a_source(tmp_path):
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo
    from finews.store import open_store
    url = f"sqlite:///{tmp_path / 'finews.db'}"
    with ManyFeeds(2) as feeds:
        config = _config(tmp_path, feeds, url)
        now = datetime.now(timezone.utc)
        with open_store(url, ZoneInfo("UTC")) as store:
            store.register_sources(["many-0", "many-1"])
            assert store.lease_sources(["many-0"], worker="host-b pid 7", now=now,
                                       until=now + timedelta(minutes=5), limit=1)
        status = _finews(config, "status")
    lines = {line.split(":")[0]: line for line in status.stdout.splitlines()}
    assert "being polled by host-b pid 7" in lines["many-0"]
    assert "being polled" not in lines["many-1"]
