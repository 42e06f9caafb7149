"""Clustering stories as they arrive: each new story joins the cluster of its
most similar earlier story, or starts one.

Stories are clustered one at a time in id order (the order the store gave
them ids), each compared only with stories clustered before it, so the
clusters depend on nothing but the stories and that order: clustering as
stories arrive, in batches of any size, or all at once (``finews
recluster``) gives the same clusters. The comparison set is bounded: the
stories sharing an LSH key (at most ``PER_KEY`` per key, the newest)
published within ``WINDOW`` of the story. A cluster is named by its first
story's id; its *lead* is its earliest published story. Clusters never
merge: a story that resembles two joins the more similar (then the older).
A story updated later keeps its cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from ..model import StoredArticle
from ..process.text import html_to_text
from ..store.base import ClusterCandidate, ClusterEntry, Store
from .fingerprint import MIN_CONTAINMENT, Matcher, band_keys, fingerprint
from .recent import RecentFingerprints
from .shown import PEERS_SHOWN

#: Re-publications come within hours; days at most.
WINDOW = timedelta(days=2)
#: Stories read per LSH key: a key shared by very many stories (boilerplate)
#: does not make a story compare with all of them.
PER_KEY = 8
#: Where the stories clustered so far end (the highest article id done).
WATERMARK_KEY = "cluster.last_id"
#: Stories clustered before their clusters are written, in one transaction.
BATCH = 200


@dataclass(slots=True)
class _Batch:
    """Stories clustered in this call but not yet written: the store writes
    them together (a transaction a story cost more than the clustering), and
    each later story of the batch sees them as if they were stored."""

    entries: list[ClusterEntry] = field(default_factory=list)
    by_key: dict[int, list[int]] = field(default_factory=dict)      # newest id last
    found: dict[int, ClusterCandidate] = field(default_factory=dict)
    times: dict[int, datetime] = field(default_factory=dict)
    members: dict[int, list[tuple[datetime, int]]] = field(default_factory=dict)

    def add(self, entry: ClusterEntry, packed: bytes) -> None:
        self.entries.append(entry)
        for key in entry.keys:
            self.by_key.setdefault(key, []).append(entry.article_id)
        self.found[entry.article_id] = ClusterCandidate(entry.article_id, entry.cluster_id,
                                                        packed)
        self.times[entry.article_id] = entry.published
        self.members.setdefault(entry.cluster_id, []).append(
            (entry.published, entry.article_id))


def _candidates(store: Store, batch: _Batch, keys: list[int], published: datetime,
                recent: RecentFingerprints | None = None) -> list[ClusterCandidate]:
    """The stories sharing a key: per key the PER_KEY highest ids, stored or
    in the batch (whose ids are all higher), published within WINDOW. The
    fingerprints of stored ones come from ``recent`` when it holds them."""
    stored = store.cluster_key_hits(keys, PER_KEY)
    ids: set[int] = set()
    pending: set[int] = set()
    by_key = batch.by_key
    for key in keys:
        mine = by_key.get(key)
        if mine:
            mine = mine[:-PER_KEY - 1:-1]     # the newest PER_KEY, newest first
            pending.update(mine)
            ids.update(stored.get(key, ())[:PER_KEY - len(mine)])
        else:
            ids.update(stored.get(key, ())[:PER_KEY])
    since, until = published - WINDOW, published + WINDOW
    found: list[ClusterCandidate] = []
    if recent is not None and ids:
        missing: set[int] = set()
        low, high = since.timestamp(), until.timestamp()
        get = recent.get
        for aid in ids:
            held = get(aid)
            if held is None:
                missing.add(aid)
            elif low <= held.published <= high:
                found.append(held.candidate)
        ids = missing
    if ids:
        found += store.cluster_fingerprints(sorted(ids), since=since, until=until)
    for aid in sorted(pending):
        if since <= batch.times[aid] <= until:
            found.append(batch.found[aid])
    return found


def _cluster_one(store: Store, batch: _Batch, stored: StoredArticle,
                 recent: RecentFingerprints | None = None) -> int:
    art = stored.article
    fp = fingerprint(art.title, html_to_text(art.body_html))
    keys = band_keys(fp)
    match = Matcher(fp)
    best: tuple[float, int] | None = None
    cands = [c for c in _candidates(store, batch, keys, art.published, recent)
             if c.article_id != stored.id]
    for cand, score in zip(cands, match.scores([c.fingerprint for c in cands])):
        if score >= MIN_CONTAINMENT and (best is None or (-score, cand.cluster_id)
                                         < (-best[0], best[1])):
            best = (score, cand.cluster_id)
    cluster_id = stored.id if best is None else best[1]
    touch: tuple[int, ...] = ()
    if best is not None:
        touch = _pages_changed(store, batch, cluster_id, stored)
    packed = fp.pack()
    batch.add(ClusterEntry(stored.id, cluster_id, art.published, tuple(keys), packed, touch),
              packed)
    return cluster_id


def _pages_changed(store: Store, batch: _Batch, cluster_id: int,
                   stored: StoredArticle) -> tuple[int, ...]:
    """The stories whose pages list the newcomer: every member and itself, when
    it is among the first PEERS_SHOWN + 1 (story pages show the earliest others)."""
    pending = batch.members.get(cluster_id, [])
    first = sorted([(h.published, h.id) for h in store.cluster_members(
        cluster_id, PEERS_SHOWN + 1)] + pending)[:PEERS_SHOWN + 1]
    key = (stored.article.published, stored.id)
    if len(first) <= PEERS_SHOWN or key < first[-1]:
        everyone = [h.id for h in store.cluster_members(cluster_id)] + [i for _, i in pending]
        return tuple(sorted(set(everyone) | {stored.id}))
    return ()


def cluster_story(store: Store, stored: StoredArticle) -> int:
    """Put one story into a cluster (written at once); the cluster's id."""
    batch = _Batch()
    cluster_id = _cluster_one(store, batch, stored)
    store.add_to_clusters(batch.entries)
    return cluster_id


def cluster_new(store: Store, *, limit: int | None = None,
                progress: Callable[[int], None] | None = None,
                recent: RecentFingerprints | None = None, wait: bool = True) -> int:
    """Cluster the stories stored since the last call (at most ``limit``), in
    id order, writing each ``BATCH`` at once; how many were clustered.

    One process clusters at a time; with ``wait`` false, one that finds
    another clustering leaves its stories to it and returns 0 at once.

    ``recent``, kept by a process from one call to the next, spares reading
    back the fingerprints it wrote itself; the clusters are the same without it."""
    with store.clustering_turn(wait=wait) as mine:
        return _cluster_new(store, limit, progress, recent) if mine else 0


def _cluster_new(store: Store, limit: int | None, progress: Callable[[int], None] | None,
                 recent: RecentFingerprints | None) -> int:
    raw = store.get_state(WATERMARK_KEY)
    last = int(raw) if raw and raw.isdigit() else 0
    done = 0
    batch = _Batch()

    def flush() -> None:
        nonlocal batch
        if batch.entries:
            added = store.add_to_clusters(batch.entries)
            # Fewer added: another process clustered some of them first, and
            # the store keeps its entries; they are read from there.
            if recent is not None and added == len(batch.entries):
                recent.remember(batch.entries)
            store.set_state(WATERMARK_KEY, str(batch.entries[-1].article_id))
            batch = _Batch()

    for stored in store.iter_articles(BATCH, after=last):
        _cluster_one(store, batch, stored, recent)
        done += 1
        if len(batch.entries) >= BATCH:
            flush()
        if progress and done % 1000 == 0:
            progress(done)
        if limit is not None and done >= limit:
            break
    flush()
    return done

