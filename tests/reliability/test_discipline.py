"""Fetch discipline through the pipeline: back-off, Retry-After, conditional GET,
the private-address rule on redirects, and the state `finews status` and
``/api/status`` show.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from finews.cli import main
from finews.fetch import Fetcher, policy
from finews.ingest import MAX_BACKOFF, MAX_RETRY_AFTER, fetch_pass, fetch_source
from finews.store import open_store
from finews.upstream import Fault
from finews.upstream.__main__ import _toml
from finews.web.app import create_app

from .conftest import Forward, Sleeps, run_pass, settings_for

T0 = datetime(2024, 3, 13, 7, 0, tzinfo=timezone.utc)


def due_sources(settings, store, now):
    """What a fetch worker would lease at ``now`` (handed back at once)."""
    names = [src.name for src in settings.sources]
    store.register_sources(names)
    leased = store.lease_sources(names, worker="test", now=now,
                                 until=now + timedelta(minutes=5), limit=len(names))
    store.release_sources("test")
    return [src for src in settings.sources if src.name in leased]


def one_source(settings, store, now, sleeps=None):
    async def go():
        async with Fetcher(settings.fetch, sleep=sleeps or Sleeps()) as fetcher:
            return await fetch_source(settings.sources[0], settings, store, fetcher, now=now)
    return asyncio.run(go())


def test_backoff_grows_is_capped_and_the_source_recovers_by_itself(upstream, store_for,
                                                                  tmp_path):
    settings = settings_for(upstream, tmp_path, names=["t-fast"], interval=30,
                            fetch={"retries": 0})
    store = store_for(settings)
    upstream.set_fault("/em/fast", Fault(status=502))
    now, waits = T0, []
    for _ in range(45):  # far past the point where interval·2ⁿ would overflow
        assert [s.name for s in due_sources(settings, store, now)] == ["t-fast"]
        report = one_source(settings, store, now)
        assert report.error
        state = store.source_state("t-fast")
        waits.append((state.next_attempt - now).total_seconds())
        assert due_sources(settings, store, now) == []  # backed off: not due now
        now = state.next_attempt
    assert state.error_count == 45
    jitter = 1.1
    for n, wait in enumerate(waits[:6]):
        assert 30 * 2 ** n - 1 <= wait <= 30 * 2 ** n * jitter + 1
    assert all(b >= a * 0.9 for a, b in zip(waits, waits[1:]))
    cap = MAX_BACKOFF.total_seconds()
    assert max(waits) <= cap * jitter + 1 and waits[-1] >= cap - 1

    upstream.clear_faults()
    report = one_source(settings, store, now)
    assert report.error is None and report.new > 0
    state = store.source_state("t-fast")
    assert state.error_count == 0 and state.last_error is None
    assert state.next_attempt == now + timedelta(seconds=30)


@pytest.mark.parametrize("asked, least, most", [
    (120, 120, 120 * 1.1 + 1),                                 # honoured
    (10 ** 9, MAX_RETRY_AFTER.total_seconds(),                 # absurd: capped, not parked
     MAX_RETRY_AFTER.total_seconds() * 1.1 + 1),
    (int("9" * 40), MAX_RETRY_AFTER.total_seconds(),           # would overflow a timedelta
     MAX_RETRY_AFTER.total_seconds() * 1.1 + 1),
])
def test_long_retry_after_sets_the_next_attempt(upstream, store_for, tmp_path, asked, least,
                                               most):
    settings = settings_for(upstream, tmp_path, names=["t-rolling"], interval=10)
    store = store_for(settings)
    upstream.set_fault("/em/rolling", Fault(status=429, retry_after=asked))
    report = one_source(settings, store, T0)
    assert report.error
    wait = (store.source_state("t-rolling").next_attempt - T0).total_seconds()
    assert least - 1 <= wait <= most


def test_short_retry_after_is_waited_within_the_pass(upstream, store_for, tmp_path):
    settings = settings_for(upstream, tmp_path, names=["t-rolling"])
    store = store_for(settings)
    upstream.set_fault("/em/rolling", Fault(status=503, retry_after=3, times=1))
    sleeps = Sleeps()
    report = run_pass(settings, store, sleeps=sleeps)
    assert report.sources[0].error is None and report.sources[0].new > 0
    assert sleeps.delays == [3.0]


@pytest.mark.parametrize("no_etag", [False, True], ids=["etag", "last-modified"])
def test_conditional_get_through_the_pipeline(upstream, store_for, tmp_path, no_etag):
    settings = settings_for(upstream, tmp_path, names=["t-zhibo"])
    store = store_for(settings)
    if no_etag:
        upstream.set_fault("/sina/zhibo", Fault(no_etag=True))
    first = run_pass(settings, store).sources[0]
    assert first.new > 0
    second = run_pass(settings, store).sources[0]
    assert second.not_modified and second.served == 0
    _, headers = [r for r in upstream.requests if r[0].startswith("/sina/zhibo")][-1]
    sent = {k.lower() for k in headers}
    assert ("if-modified-since" if no_etag else "if-none-match") in sent
    before = len(upstream.stories("zhibo"))
    while len(upstream.stories("zhibo")) == before:  # the list changes: read in full again
        upstream.add_stories(1)
    third = run_pass(settings, store).sources[0]
    assert not third.not_modified and third.served == first.served + 1 and third.new == 1


@pytest.mark.parametrize("target", [
    "{local}/em/rolling?count=100", "http://localhost:{port}/em/rolling",
    "http://169.254.169.254/latest/meta-data/", "http://10.1.2.3/", "http://[::1]:{port}/",
    "http://2130706433:{port}/", "ftp://news.example.test/x",
])
def test_public_source_redirected_to_a_private_address_is_refused(
        upstream, store_for, tmp_path, monkeypatch, target):
    host = "news.example.test"
    real_resolve = policy._resolve
    monkeypatch.setattr(policy, "_resolve", lambda name, port: (
        ["93.184.216.34"] if name == host else real_resolve(name, port)))
    settings = settings_for(upstream, tmp_path, names=["t-rolling"], private=False)
    src = settings.sources[0]
    public = src.url.replace("127.0.0.1", host).split(":", 2)
    public_url = f"{public[0]}:{public[1]}/" + public[2].split("/", 1)[1]
    settings = replace(settings, sources=(replace(src, url=public_url),))
    store = store_for(settings)
    port = httpx.URL(upstream.url).port
    upstream.set_fault("/em/rolling", Fault(redirect=target.format(local=upstream.url,
                                                                   port=port)))
    transport = Forward(host, upstream.url)

    async def go():
        async with Fetcher(settings.fetch, transport=transport, sleep=Sleeps()) as fetcher:
            return await fetch_pass(settings, store, fetcher)
    report = asyncio.run(go())
    src_report = report.sources[0]
    assert src_report.error and "refused" in src_report.error, src_report.error
    state = store.source_state("t-rolling")
    assert state.error_count == 1 and "blocked_url" in state.last_error
    assert transport.seen == [public_url]  # the redirect target was never requested
    assert store.count_articles() == 0


def test_status_command_and_api_show_errors_and_next_attempt(upstream, tmp_path):
    sources = [s for s in upstream.source_settings("t") if s["name"] in ("t-rolling", "t-fast")]
    config = tmp_path / "finews.toml"
    config.write_text('data_dir = "data"\n[fetch]\nretries = 0\nbackoff_base = 0.01\n\n'
                      + _toml(sources), encoding="utf-8")
    upstream.set_fault("/em/fast", Fault(status=503))
    runner = CliRunner()
    fetched = runner.invoke(main, ["--config", str(config), "fetch"])
    # The pass finishes and stores the working source, but says a source failed.
    assert fetched.exit_code == 3, fetched.output
    assert "; 1 failed" in fetched.output and "t-rolling: 8 served, 8 new" in fetched.output
    status = runner.invoke(main, ["--config", str(config), "status"])
    assert status.exit_code == 0, status.output
    lines = {line.split(":")[0]: line for line in status.output.splitlines()}
    assert "1 errors in a row" in lines["t-fast"] and "503" in lines["t-fast"]
    assert "next attempt 20" in lines["t-fast"]
    assert "errors" not in lines["t-rolling"] and "new 8" in lines["t-rolling"]

    from finews.config import load
    settings = load(config, {})
    app = create_app(settings, lambda: open_store(settings.store,
                                                        settings.site.tz, readonly=True))
    with TestClient(app) as client:
        payload = client.get("/api/status").json()
    by_name = {s["name"]: s for s in payload["sources"]}
    fast, rolling = by_name["t-fast"], by_name["t-rolling"]
    assert fast["error_count"] == 1 and "503" in fast["last_error"]
    assert fast["next_attempt"] > fast["last_attempt"]
    assert rolling["error_count"] == 0 and rolling["last_error"] is None
    assert rolling["served"] == (rolling["new"] + rolling["updated"] + rolling["unchanged"]
                                 + rolling["quarantined"]) > 0
