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

from datetime import timedelta
from typing import Callable, Iterable, Sequence, TypeVar

from ..model import Headline, StoredArticle
from ..process.text import html_to_text
from ..store.base import Store
from .fingerprint import Fingerprint, band_keys, fingerprint, similarity, MIN_CONTAINMENT

#: Re-publications come within hours; days at most.
WINDOW = timedelta(days=2)
#: Stories read per LSH key: a key shared by very many stories (boilerplate)
#: does not make a story compare with all of them.
PER_KEY = 8
#: A story page lists at most this many other stories of its cluster.
PEERS_SHOWN = 10
#: Where the stories clustered so far end (the highest article id done).
WATERMARK_KEY = "cluster.last_id"


def cluster_story(store: Store, stored: StoredArticle) -> int:
    """Put one story into a cluster; the cluster's id."""
    art = stored.article
    fp = fingerprint(art.title, html_to_text(art.body_html))
    keys = band_keys(fp)
    best: tuple[float, int] | None = None
    for cand in store.cluster_candidates(keys, since=art.published - WINDOW,
                                         until=art.published + WINDOW, per_key=PER_KEY):
        if cand.article_id == stored.id:
            continue
        score = similarity(fp, Fingerprint.unpack(cand.fingerprint))
        if score >= MIN_CONTAINMENT and (best is None or (-score, cand.cluster_id)
                                         < (-best[0], best[1])):
            best = (score, cand.cluster_id)
    cluster_id = stored.id if best is None else best[1]
    touch: Sequence[int] = ()
    if best is not None:
        touch = _pages_changed(store, cluster_id, stored)
    store.add_to_cluster(stored.id, cluster_id, published=art.published, keys=keys,
                         fingerprint=fp.pack(), touch=touch)
    return cluster_id


def _pages_changed(store: Store, cluster_id: int, stored: StoredArticle) -> list[int]:
    """The members whose pages list the newcomer: every member, when it is
    among the first PEERS_SHOWN + 1 (story pages show the earliest others)."""
    first = store.cluster_members(cluster_id, PEERS_SHOWN + 1)
    key = (stored.article.published, stored.id)
    if len(first) <= PEERS_SHOWN or key < (first[-1].published, first[-1].id):
        return [h.id for h in store.cluster_members(cluster_id)]
    return []


def cluster_new(store: Store, *, limit: int | None = None,
                progress: Callable[[int], None] | None = None) -> int:
    """Cluster the stories stored since the last call (at most ``limit``);
    how many were clustered."""
    raw = store.get_state(WATERMARK_KEY)
    last = int(raw) if raw and raw.isdigit() else 0
    done = 0
    try:
        for stored in store.iter_articles(200, after=last):
            cluster_story(store, stored)
            last, done = stored.id, done + 1
            if progress and done % 1000 == 0:
                progress(done)
            if limit is not None and done >= limit:
                break
    finally:
        if done:
            store.set_state(WATERMARK_KEY, str(last))
    return done


T = TypeVar("T", bound=Headline)


def collapse(heads: Iterable[T], clusters: dict[int, int], limit: int) -> list[T]:
    """``heads`` with each cluster shown once (where it first comes), at most ``limit``."""
    shown: set[int] = set()
    out: list[T] = []
    for head in heads:
        cluster = clusters.get(head.id)
        if cluster is not None:
            if cluster in shown:
                continue
            shown.add(cluster)
        out.append(head)
        if len(out) >= limit:
            break
    return out
