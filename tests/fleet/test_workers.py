"""Several fetch workers against one PostgreSQL store and hundreds of feeds.

Every served item must be stored exactly once, no feed polled twice within
its interval, and a killed worker's sources taken over once its leases run
out.
"""

from __future__ import annotations

import random
import time
from zoneinfo import ZoneInfo

import pytest

from finews.store import open_store
from finews.upstream.manyfeeds import ManyFeeds, fleet_config

FEEDS = 200
INTERVAL = 2          # seconds between two polls of one feed, at least
#: A new story on each feed this often (seconds): 25 a second in all.
EVERY = 8.0


def _stored(url: str) -> tuple[list[tuple[str, str]], int]:
    """(source, upstream id) of every stored story, and how many twins."""
    with open_store(url, ZoneInfo("UTC"), readonly=True) as store:
        keys = [(a.article.source, a.article.upstream_id) for a in store.iter_articles(1000)]
        twins = sum(1 for _ in store.iter_aliases(1000))
    return keys, twins


def _served(feeds: ManyFeeds) -> set[tuple[str, str]]:
    return {(f"many-{feed}", guid) for feed, guids in feeds.served.items() for guid in guids}


def _drain(feeds: ManyFeeds, url: str, timeout: float = 90) -> None:
    """No new stories, then wait until the workers polled every feed once more
    and stored all that was served."""
    feeds.freeze()
    frozen = time.monotonic()
    deadline = frozen + timeout
    while time.monotonic() < deadline:
        if any(not feeds.polls[k] or feeds.polls[k][-1] < frozen
               for k in range(feeds.feeds) if k not in feeds.failing):
            time.sleep(1)
            continue
        # Counting is cheap; reading every story is not (and this process
        # also serves the feeds).
        with open_store(url, ZoneInfo("UTC"), readonly=True) as store:
            count = store.count_articles()
        if count >= feeds.total_served() and set(_stored(url)[0]) >= _served(feeds):
            return
        time.sleep(1)


def _early_polls(feeds: ManyFeeds) -> list[tuple[int, float]]:
    """(feed, seconds) of every poll that came sooner than INTERVAL after the last."""
    early = []
    for feed, times in feeds.polls.items():
        early += [(feed, b - a) for a, b in zip(times, times[1:]) if b - a < INTERVAL - 0.05]
    return early


#: Feeds that answer 503 throughout: backed off, whichever worker asks.
FAILING = {0, 1, 2}


def _check_backed_off(feeds: ManyFeeds) -> None:
    """Each failing feed's n-th wait is at least interval·2ⁿ⁻¹ (ingest.backoff)."""
    for feed in FAILING:
        times = feeds.polls[feed]
        gaps = [b - a for a, b in zip(times, times[1:])]
        assert len(times) >= 2, f"failing feed {feed} was not tried again"
        assert all(gap >= INTERVAL * 2 ** n - 0.05 for n, gap in enumerate(gaps)), \
            f"feed {feed} was retried too soon: {gaps}"


def _check_exactly_once(feeds: ManyFeeds, url: str) -> None:
    keys, twins = _stored(url)
    served = _served(feeds)
    assert len(keys) == len(set(keys)), "a story was stored twice"
    assert set(keys) == served, (f"{len(served - set(keys))} served items not stored, "
                                 f"{len(set(keys) - served)} stored that were never served")
    assert twins == 0


@pytest.mark.parametrize("count", [1, 2, 4])
def test_fetch_workers_store_every_item_once(count, tmp_path, postgres_server, workers):
    url = postgres_server.new_database()
    with ManyFeeds(FEEDS, every=EVERY, shown=60, seed=count) as feeds:
        feeds.failing = set(FAILING)
        config = tmp_path / "finews.toml"
        config.write_text(fleet_config(feeds, store_url=url, interval=INTERVAL, lease=60),
                          encoding="utf-8")
        fleet = [workers(config, "fetch") for _ in range(count)]
        time.sleep(10)
        _drain(feeds, url)
        codes = [worker.stop() for worker in fleet]
        outputs = [worker.output() for worker in fleet]
    assert codes == [0] * count, outputs
    assert all("stopped cleanly" in out and "Traceback" not in out for out in outputs)
    # Each worker took its share of the sources.
    assert all("fetched" in out for out in outputs), outputs
    _check_exactly_once(feeds, url)
    assert _early_polls(feeds) == []
    _check_backed_off(feeds)
    with open_store(url, ZoneInfo("UTC"), readonly=True) as store:
        # A stopping worker hands its leases back.
        assert all(store.source_state(f"many-{k}").lease_owner is None for k in range(FEEDS))


def test_killed_workers_lose_nothing_and_their_sources_are_taken_over(
        tmp_path, postgres_server, workers):
    url = postgres_server.new_database()
    lease = 3.0
    rng = random.Random(13)
    with ManyFeeds(FEEDS, every=EVERY, shown=80, seed=99) as feeds:
        config = tmp_path / "finews.toml"
        config.write_text(fleet_config(feeds, store_url=url, interval=INTERVAL, lease=lease,
                                       lease_batch=8), encoding="utf-8")
        fleet = [workers(config, "fetch") for _ in range(3)]
        time.sleep(4)
        orphaned: list[tuple[float, set[str]]] = []
        for _ in range(4):
            victim = rng.choice(fleet)
            with open_store(url, ZoneInfo("UTC"), readonly=True) as store:
                held = {f"many-{k}" for k in range(FEEDS)
                        if (store.source_state(f"many-{k}").lease_owner or "").startswith(
                            f"{_host()} pid {victim.pid} ")}
            victim.kill()
            orphaned.append((time.monotonic(), held))
            fleet.remove(victim)
            fleet.append(workers(config, "fetch"))
            time.sleep(rng.uniform(2.0, 4.0))
        _drain(feeds, url)
        codes = [worker.stop() for worker in fleet]
    assert codes == [0] * len(fleet), [w.output()[-1500:] for w, c in zip(fleet, codes) if c]
    _check_exactly_once(feeds, url)
    # What a killed worker held was polled again by another one, but not
    # before its lease ran out (the kill came at most ``lease`` after the lease).
    assert any(held for _, held in orphaned), "no kill caught a worker holding a lease"
    for killed_at, held in orphaned:
        for name in held:
            feed = int(name.removeprefix("many-"))
            later = [t for t in feeds.polls[feed] if t > killed_at]
            assert later, f"{name}, leased by a killed worker, was never polled again"


def _host() -> str:
    import socket
    return socket.gethostname()
