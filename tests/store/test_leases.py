"""Source leases, on both backends: what fetch workers share sources with."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from finews.store import open_store

TZ = ZoneInfo("UTC")
NOW = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
NAMES = [f"src-{n:02d}" for n in range(20)]


def _store(url):
    store = open_store(url, TZ)
    store.register_sources(NAMES)
    return store


def test_two_workers_never_lease_the_same_source(store_url):
    with _store(store_url) as store:
        a = store.lease_sources(NAMES, worker="a", now=NOW, until=NOW + timedelta(minutes=5),
                                limit=8)
        b = store.lease_sources(NAMES, worker="b", now=NOW, until=NOW + timedelta(minutes=5),
                                limit=8)
        c = store.lease_sources(NAMES, worker="c", now=NOW, until=NOW + timedelta(minutes=5),
                                limit=8)
        assert (len(a), len(b), len(c)) == (8, 8, 4)
        assert set(a) | set(b) | set(c) == set(NAMES)
        assert not (set(a) & set(b) or set(b) & set(c) or set(a) & set(c))
        assert store.lease_sources(NAMES, worker="d", now=NOW,
                                   until=NOW + timedelta(minutes=5), limit=8) == []
        assert store.source_state(a[0]).lease_owner == "a"


def test_concurrent_workers_on_their_own_connections_split_the_sources(store_url):
    _store(store_url).close()
    got: dict[str, list[str]] = {}

    def lease(worker: str) -> None:
        with open_store(store_url, TZ) as mine:
            taken = []
            while True:
                batch = mine.lease_sources(NAMES, worker=worker, now=NOW,
                                           until=NOW + timedelta(minutes=5), limit=1)
                if not batch:
                    break
                taken += batch
            got[worker] = taken

    threads = [threading.Thread(target=lease, args=(f"w{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    leased = [name for taken in got.values() for name in taken]
    assert sorted(leased) == sorted(NAMES)      # each once, none lost


def test_a_lease_that_ran_out_is_taken_over_and_the_old_owner_cannot_renew(store_url):
    with _store(store_url) as store:
        first = store.lease_sources(NAMES[:1], worker="dead", now=NOW,
                                    until=NOW + timedelta(seconds=30), limit=1)
        assert first == NAMES[:1]
        assert store.lease_sources(NAMES[:1], worker="other", now=NOW + timedelta(seconds=29),
                                   until=NOW + timedelta(minutes=5), limit=1) == []
        assert store.lease_sources(NAMES[:1], worker="other", now=NOW + timedelta(seconds=30),
                                   until=NOW + timedelta(minutes=5), limit=1) == NAMES[:1]
        assert not store.renew_lease(NAMES[0], worker="dead", until=NOW + timedelta(hours=1))
        assert store.renew_lease(NAMES[0], worker="other", until=NOW + timedelta(hours=1))
        assert store.source_state(NAMES[0]).lease_until == NOW + timedelta(hours=1)


def test_recording_a_poll_ends_the_lease_and_the_next_attempt_is_kept(store_url):
    with _store(store_url) as store:
        ok, failing = NAMES[0], NAMES[1]
        leased = store.lease_sources([ok, failing], worker="a", now=NOW,
                                     until=NOW + timedelta(minutes=5), limit=2)
        assert sorted(leased) == [ok, failing]
        # Recorded a little after a whole second: the next attempt rounds up,
        # never coming before the interval is over.
        at = NOW + timedelta(seconds=1.5)
        store.record_source_success(ok, at=at, next_attempt=at + timedelta(seconds=60))
        store.record_source_error(failing, "fetch: 503", at=at,
                                  next_attempt=at + timedelta(seconds=600))
        for name in (ok, failing):
            assert store.source_state(name).lease_owner is None
        assert store.source_state(ok).next_attempt == NOW + timedelta(seconds=62)
        # Not due again before its next attempt, whoever asks; backed off longer.
        for seconds, due in ((61, set()), (62, {ok}), (601, {ok}), (602, {ok, failing})):
            later = NOW + timedelta(seconds=seconds)
            assert set(store.lease_sources([ok, failing], worker="b", now=later,
                                           until=later + timedelta(minutes=5),
                                           limit=2)) == due
            store.release_sources("b")


def test_a_stopping_worker_hands_back_what_it_held(store_url):
    with _store(store_url) as store:
        held = store.lease_sources(NAMES, worker="a", now=NOW,
                                   until=NOW + timedelta(minutes=5), limit=5)
        assert store.release_sources("a") == 5
        assert sorted(store.lease_sources(NAMES, worker="b", now=NOW,
                                          until=NOW + timedelta(minutes=5), limit=5)) \
            == sorted(held)


def test_sources_due_together_are_leased_in_the_configuration_order(store_url):
    with open_store(store_url, TZ) as store:
        configured = NAMES[::-1]          # not the names' own order
        store.register_sources(configured)
        first = store.lease_sources(NAMES, worker="a", now=NOW,
                                    until=NOW + timedelta(minutes=5), limit=5)
        assert set(first) == set(configured[:5])


def test_one_process_clusters_at_a_time(store_url, backend):
    with open_store(store_url, TZ) as one, open_store(store_url, TZ) as other:
        with one.clustering_turn(wait=False) as mine:
            assert mine
            with other.clustering_turn(wait=False) as theirs:
                # SQLite has one fetch worker: its turn is never taken.
                assert theirs == (backend == "sqlite")
        with other.clustering_turn(wait=False) as theirs:
            assert theirs                # handed back when the first was done
