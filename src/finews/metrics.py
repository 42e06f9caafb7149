"""Prometheus metrics: what finews did, and what its store holds.

Each running program has one :class:`Metrics` on a registry of its own (never
prometheus-client's process-wide default), so tests and several apps in one
process keep their counts apart. ``finews run`` hands the same object to its
fetch loop, its publisher and its web app, so ``/metrics`` shows what the
loops did since the program started. The store's figures (stories,
quarantine, file size, each source's state) are read from the store at each
scrape, so they are right under ``finews serve`` alone too, and whichever
process wrote them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from .store.failures import is_store_error

if TYPE_CHECKING:
    from .ingest import SourceReport
    from .publish.site import BuildReport
    from .store.base import Store

#: Seconds: from a quick conditional GET to a slow upstream with many full texts.
FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
BUILD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)
SEARCH_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
OUTCOMES = ("new", "updated", "unchanged", "quarantined")


@dataclass(frozen=True, slots=True)
class SourceFigures:
    name: str
    errors_in_a_row: int
    last_success: float | None    # Unix time


@dataclass(frozen=True, slots=True)
class StoreFigures:
    stories: int
    quarantined: int
    published_seq: int | None
    size_bytes: int | None        # None when the backend cannot say
    sources: tuple[SourceFigures, ...]


def store_figures(store: "Store", source_names: Sequence[str],
                  size_bytes: int | None) -> StoreFigures:
    """The store's figures, read through the Store protocol."""
    seq = store.get_state("publish.seq")
    sources = []
    for name in source_names:
        state = store.source_state(name)
        sources.append(SourceFigures(
            name, state.error_count,
            state.last_success.timestamp() if state.last_success else None))
    return StoreFigures(store.count_articles(), store.count_quarantine(),
                        int(seq) if seq and seq.isdigit() else None, size_bytes,
                        tuple(sources))


def sqlite_bytes(path: Path) -> int:
    """A SQLite store's size on disk: the database and its write-ahead log."""
    total = 0
    for suffix in ("", "-wal"):
        try:
            total += Path(f"{path}{suffix}").stat().st_size
        except OSError:
            pass
    return total


class _StoreCollector(Collector):
    """Gauges read from the store when scraped (never cached)."""

    def __init__(self, read: Callable[[], StoreFigures]) -> None:
        self._read = read

    def describe(self) -> list:
        return []     # figures come and go with the store: nothing to check up front

    def collect(self) -> Iterator[GaugeMetricFamily]:
        up = GaugeMetricFamily("finews_store_up",
                               "1 when the store could be read for this scrape, else 0")
        try:
            figures = self._read()
        except Exception as exc:
            if not is_store_error(exc):
                raise
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield GaugeMetricFamily("finews_stories", "Stories in the store",
                                value=figures.stories)
        yield GaugeMetricFamily("finews_quarantined_items",
                                "Items kept in quarantine with their reason",
                                value=figures.quarantined)
        if figures.published_seq is not None:
            yield GaugeMetricFamily("finews_published_seq",
                                    "The store's change sequence the site shows",
                                    value=figures.published_seq)
        if figures.size_bytes is not None:
            yield GaugeMetricFamily("finews_store_size_bytes",
                                    "The store's size on disk", value=figures.size_bytes)
        errors = GaugeMetricFamily("finews_source_errors_in_a_row",
                                   "Failed passes over a source since its last success",
                                   labels=["source"])
        success = GaugeMetricFamily("finews_source_last_success_timestamp_seconds",
                                    "When a source was last read without error",
                                    labels=["source"])
        for src in figures.sources:
            errors.add_metric([src.name], src.errors_in_a_row)
            if src.last_success is not None:
                success.add_metric([src.name], src.last_success)
        yield errors
        yield success


class Metrics:
    """The counters and histograms of one finews program, on ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.fetch_attempts = Counter(
            "finews_fetch_attempts", "Passes over a source (its list, retries and full texts)",
            ["source"], registry=r)
        self.fetch_errors = Counter(
            "finews_fetch_errors", "Failed passes over a source, by kind of error",
            ["source", "kind"], registry=r)
        self.fetch_items = Counter(
            "finews_fetch_items", "Items a source served, by what became of each",
            ["source", "outcome"], registry=r)
        self.fetch_seconds = Histogram(
            "finews_fetch_duration_seconds", "Time of one pass over a source",
            ["source"], buckets=FETCH_BUCKETS, registry=r)
        self.builds = Counter("finews_publish_builds", "Site builds, full or incremental",
                              ["kind"], registry=r)
        self.pages_written = Counter("finews_publish_pages_written",
                                     "Site files written (their bytes changed)", registry=r)
        self.pages_unchanged = Counter("finews_publish_pages_unchanged",
                                       "Site files rendered that were already on disk",
                                       registry=r)
        self.build_seconds = Histogram("finews_publish_build_duration_seconds",
                                       "Time of one site build", ["kind"],
                                       buckets=BUILD_BUCKETS, registry=r)
        self.search_seconds = Histogram("finews_search_duration_seconds",
                                        "Time to answer one search", buckets=SEARCH_BUCKETS,
                                        registry=r)
        self._store: _StoreCollector | None = None

    # --- recording ------------------------------------------------------------
    def record_fetch(self, report: "SourceReport") -> None:
        name = report.source
        self.fetch_attempts.labels(name).inc()
        self.fetch_seconds.labels(name).observe(report.elapsed)
        if report.error:
            self.fetch_errors.labels(name, report.error_kind or "error").inc()
        for outcome in OUTCOMES:
            self.fetch_items.labels(name, outcome).inc(getattr(report, outcome))

    def record_build(self, report: "BuildReport") -> None:
        kind = "full" if report.full else "incremental"
        self.builds.labels(kind).inc()
        self.pages_written.inc(report.written)
        self.pages_unchanged.inc(report.unchanged)
        self.build_seconds.labels(kind).observe(report.elapsed)

    def time_search(self) -> "_Timer":
        return _Timer(self.search_seconds)

    # --- the store's figures and the scrape ------------------------------------
    def watch_store(self, read: Callable[[], StoreFigures]) -> None:
        """Read the store's figures with ``read`` at every scrape."""
        if self._store is not None:
            self.registry.unregister(self._store)
        self._store = _StoreCollector(read)
        self.registry.register(self._store)

    def render(self) -> bytes:
        """The text exposition format (blocking: it may read the store)."""
        return generate_latest(self.registry)


class _Timer:
    def __init__(self, histogram: Histogram) -> None:
        self._histogram = histogram

    def __enter__(self) -> "_Timer":
        self._start = time.perf_counter()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._histogram.observe(time.perf_counter() - self._start)
