"""/metrics: what a real `finews run` did, the store's figures under `finews
serve` alone, and one registry per app."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from finews.ingest import SourceReport
from finews.metrics import Metrics
from finews.upstream import Fault, UpstreamServer
from finews.upstream.__main__ import _toml
from finews.web import create_app

from .conftest import Site
from .live import finews_serve


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted labels): value} of an exposition."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(found: dict, name: str, **labels: str) -> float | None:
    return found.get((name, tuple(sorted(labels.items()))))


def test_metrics_of_a_real_run_with_a_failing_source(tmp_path: Path) -> None:
    with UpstreamServer(port=0, seed=11, stories=25) as upstream:
        sources = [s for s in upstream.source_settings("t", interval=600)
                   if s["name"] in ("t-rolling", "t-fast")]
        config = tmp_path / "finews.toml"
        config.write_text('data_dir = "data"\n[fetch]\nretries = 0\n\n' + _toml(sources),
                          encoding="utf-8")
        upstream.set_fault("/em/fast", Fault(status=503))
        with finews_serve(config, command="run") as base:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:   # until the first pass is published
                status = httpx.get(base + "/api/status").json()
                built = samples(httpx.get(base + "/metrics").text)
                if status["published_seq"] and value(
                        built, "finews_publish_builds_total", kind="incremental"):
                    break
                time.sleep(0.2)
            else:
                raise AssertionError(f"no pass was published: {status}")
            hits = httpx.get(base + "/api/search", params={"q": "公司"}).json()
            answer = httpx.get(base + "/metrics")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "text/plain")
    found = samples(answer.text)
    rolling = len(upstream.stories("rolling"))
    assert rolling > 0
    assert value(found, "finews_fetch_attempts_total", source="t-rolling") == 1
    assert value(found, "finews_fetch_attempts_total", source="t-fast") == 1
    assert value(found, "finews_fetch_errors_total", source="t-fast", kind="status") == 1
    assert value(found, "finews_fetch_errors_total", source="t-rolling", kind="status") is None
    assert value(found, "finews_fetch_items_total", source="t-rolling",
                 outcome="new") == rolling
    assert value(found, "finews_fetch_items_total", source="t-fast", outcome="new") == 0
    for outcome in ("updated", "unchanged", "quarantined"):
        assert value(found, "finews_fetch_items_total", source="t-rolling",
                     outcome=outcome) == 0
    assert value(found, "finews_fetch_duration_seconds_count", source="t-rolling") == 1
    assert value(found, "finews_fetch_duration_seconds_sum", source="t-rolling") > 0
    # the store's figures, read at the scrape
    assert value(found, "finews_store_up") == 1
    assert value(found, "finews_stories") == rolling == status["articles"]
    assert value(found, "finews_store_size_bytes") > 0
    assert value(found, "finews_source_errors_in_a_row", source="t-fast") == 1
    assert value(found, "finews_source_errors_in_a_row", source="t-rolling") == 0
    assert value(found, "finews_source_last_success_timestamp_seconds",
                 source="t-rolling") > time.time() - 120
    # the builds: the first (empty) one and the one after the fetch
    builds = sum(value(found, "finews_publish_builds_total", kind=k) or 0
                 for k in ("full", "incremental"))
    assert builds == 2
    assert value(found, "finews_publish_pages_written_total") >= rolling
    assert value(found, "finews_published_seq") == status["published_seq"]
    # the one search asked
    assert hits["total"] > 0
    assert value(found, "finews_search_duration_seconds_count") == 1


def test_serve_alone_reports_the_store(site: Site, tmp_path: Path) -> None:
    config = tmp_path / "finews.toml"
    config.write_text('data_dir = "."\n[site]\nbase_url = "http://news.example/"\n'
                      '[[sources]]\nname = "demo"\nurl = "http://demo.example/list"\n'
                      '[[sources]]\nname = "quiet"\nurl = "http://quiet.example/list"\n',
                      encoding="utf-8")
    with finews_serve(config) as base:
        found = samples(httpx.get(base + "/metrics").text)
    assert value(found, "finews_store_up") == 1
    assert value(found, "finews_stories") == 6
    assert value(found, "finews_quarantined_items") == 0
    assert value(found, "finews_source_errors_in_a_row", source="demo") == 1
    assert value(found, "finews_source_errors_in_a_row", source="quiet") == 0
    assert value(found, "finews_store_size_bytes") >= site.db.stat().st_size
    assert not any(name.startswith("finews_fetch_attempts") for name, _ in found)


def test_each_app_counts_on_its_own_registry(site: Site) -> None:
    first, second = Metrics(), Metrics()
    apps = [create_app(site.settings, site.store, metrics=m) for m in (first, second)]
    create_app(site.settings, site.store)   # a third, with metrics of its own
    first.record_fetch(SourceReport("demo", served=3, new=2, unchanged=1, elapsed=0.5))
    scraped = []
    for app in apps:
        with TestClient(app) as client:
            scraped.append(samples(client.get("/metrics").text))
    assert value(scraped[0], "finews_fetch_items_total", source="demo", outcome="new") == 2
    assert value(scraped[1], "finews_fetch_items_total", source="demo", outcome="new") is None
    assert not [m for m in REGISTRY.collect() if m.name.startswith("finews_")]
