"""Search benchmark: index build speed, query latency, recall@10.

Run: ``nice python -m benchmarks.search.bench --n 100000 [--db PATH] [--keep]``

Stores N generated stories (plus the planted needles of ``corpus``) in a fresh
SQLite store, rebuilds the search index with ``reindex`` (stories/s), times
incremental indexing inside a write transaction, then runs a fixed set of 60
queries of one to four words, without and with filters (median and p95 of
one page of 20 results with snippets), and the relevance set (recall@10).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

from finews.store.sqlite.fts_engine import search
from finews.store.sqlite.fts_index import index_article, reindex, remove_article
from finews.search.query import SearchQuery
from finews.store.sqlite import SQLiteStore
from finews.upstream import words

from .corpus import END, RELEVANCE, needle_positions, stories

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 1000


def queries(seed: int = 5) -> list[str]:
    """60 queries of one to four words, drawn from the generator's vocabulary."""
    r = random.Random(seed)
    pools = [words.SECTORS, words.ACTIONS, words.TOPICS, words.ORGS,
             [c[2] for c in words.COMPANIES], words.MOVES, words.PLACES]
    singles = ["央", "涨", "债", "银行", "减持", "600519", "pmi", "2.3%", "回购 OR 分红",
               '"人民币汇率"']
    out = list(singles)
    while len(out) < 60:
        n = r.randint(1, 4)
        out.append(" ".join(r.choice(r.choice(pools)) for _ in range(n)))
    return out


def filters(n: int, seed: int = 9) -> list[dict]:
    r = random.Random(seed)
    days = max(1, n * 2 // 1440)           # the corpus spans two minutes per story
    out = []
    for i in range(60):
        kind = i % 4
        start = END.date() - timedelta(days=r.randrange(days))
        if kind == 0:
            out.append({"media": r.choice(words.MEDIA)})
        elif kind == 1:
            out.append({"stock": r.choice(words.COMPANIES)[1]})
        elif kind == 2:
            out.append({"date_from": start - timedelta(days=30), "date_to": start})
        else:
            out.append({"media": r.choice(words.MEDIA), "date_from": start - timedelta(days=90)})
    return out


def fill(store: SQLiteStore, n: int, start_at: int = 0) -> tuple[float, dict[str, int]]:
    """Store stories ``start_at``..``n`` (the store indexes each as it goes)."""
    needles: dict[str, int] = {}
    batch, start = [], time.perf_counter()
    for i, (article, key) in enumerate(stories(n)):
        if i < start_at:
            continue
        batch.append((article, b"{}", key))
        if len(batch) == BATCH:
            _flush(store, batch, needles)
            batch = []
    if batch:
        _flush(store, batch, needles)
    return (n - start_at) / (time.perf_counter() - start), needles


def _not_indexing():
    """Store without indexing, to set up a large archive faster: ``reindex`` follows."""
    return mock.patch("finews.store.sqlite.index_article")


def _flush(store, batch, needles) -> None:
    outcome = store.upsert_articles([(a, raw) for a, raw, _ in batch])
    for (_, _, key), aid in zip(batch, outcome.article_ids):
        if key:
            needles[key] = aid


def incremental(store: SQLiteStore, count: int = 5000) -> dict[str, tuple[float, float]]:
    """Stories/s (wall, CPU) of ``index_article`` inside one write transaction.

    ``new``: stories not in the index yet, as when the store adds a story;
    ``update``: stories indexed already, whose old entry FTS5 must first take
    out (it re-reads and re-tokenizes the stored text to do so).
    """
    conn = store._conn
    # Oldest first, as the store adds stories: FTS5 flushes its pending terms
    # whenever a row id is lower than the one written before.
    rows = conn.execute("SELECT id, title, digest, body_html FROM articles "
                        "ORDER BY id DESC LIMIT ?", (count,)).fetchall()[::-1]
    out = {}
    for kind in ("update", "new"):
        conn.execute("BEGIN IMMEDIATE")
        if kind == "new":
            for row in rows:
                remove_article(conn, row[0])
        start, start_cpu = time.perf_counter(), time.process_time()
        for row in rows:
            index_article(conn, *row)
        conn.execute("COMMIT")
        out[kind] = (len(rows) / (time.perf_counter() - start),
                     len(rows) / (time.process_time() - start_cpu))
    return out


def _percentiles(times: list[float]) -> tuple[float, float, float]:
    times = sorted(times)
    return statistics.median(times), times[math.ceil(len(times) * 0.95) - 1], times[-1]


def latency(conn, qs: list[str], fs: list[dict], passes: int = 1) -> tuple[tuple, tuple]:
    """(median, p95, max) of one page of 20 results, in wall and in CPU milliseconds,
    over ``passes`` runs of the whole set."""
    wall, cpu = [], []
    for text, flt in list(zip(qs, fs)) * passes:
        start, start_cpu = time.perf_counter(), time.process_time()
        search(conn, SearchQuery(text, **flt), tz=TZ, limit=20)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return _percentiles(wall), _percentiles(cpu)


def recall(conn, needles: dict[str, int]) -> tuple[float, list[str]]:
    found = wanted = 0
    misses = []
    for text, flt, keys in RELEVANCE:
        top = {h.id for h in search(conn, SearchQuery(text, **flt), tz=TZ, limit=10).hits}
        for key in keys:
            wanted += 1
            if needles[key] in top:
                found += 1
            else:
                misses.append(f"{text} → {key}")
    return found / wanted, misses


def stored_needles(store: SQLiteStore, n: int) -> dict[str, int]:
    """The needles' article ids in a database filled earlier by :func:`fill`."""
    out = {}
    for pos, needle in needle_positions(n).items():
        row = store._conn.execute("SELECT id FROM articles WHERE source = 'bench' "
                                  "AND upstream_id = ?", (f"b{pos}",)).fetchone()
        out[needle.key] = row[0]
    return out


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return "load " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def _show(name: str, qs: list[str], result: tuple) -> None:
    (wm, wp, wx), (cm, cp, cx) = result
    print(f"latency, {len(qs)} queries, {name}: wall median {wm:.1f} ms, p95 {wp:.1f} ms, "
          f"max {wx:.1f} ms | CPU median {cm:.1f} ms, p95 {cp:.1f} ms, max {cx:.1f} ms "
          f"({_load()})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true",
                        help="keep the database of an earlier run with the same --n, "
                             "storing the stories it lacks (without indexing them)")
    parser.add_argument("--skip", default="",
                        help="comma-separated steps to leave out: reindex,incremental")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    path = args.db or Path(tempfile.mkdtemp(prefix="finews-search-")) / "bench.db"
    reuse = args.reuse and path.exists()
    if not reuse:
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
    store = SQLiteStore.open(path, TZ)
    print(f"start ({_load()})", flush=True)
    if reuse:
        have = store.count_articles()
        print(f"reusing {have:,} stored stories", flush=True)
        if have < args.n:
            with _not_indexing():
                rate, _ = fill(store, args.n, have)
            print(f"stored stories {have:,}–{args.n:,} at {rate:,.0f}/s without indexing "
                  f"(the reindex below indexes them; {_load()})", flush=True)
        needles = stored_needles(store, args.n)
    else:
        store_rate, needles = fill(store, args.n)
        print(f"stored {args.n:,} stories at {store_rate:,.0f}/s, indexed in the same "
              f"transaction ({_load()})", flush=True)
    if "reindex" not in skip:
        start, start_cpu, start_children = time.perf_counter(), time.process_time(), _children()
        done = reindex(store._conn)
        build = time.perf_counter() - start
        main_cpu, workers_cpu = time.process_time() - start_cpu, _children() - start_children
        print(f"reindex: {done:,} stories in {build:.1f} s = {done / build:,.0f} stories/s wall; "
              f"CPU: writer {main_cpu:.1f} s + segmenting workers {workers_cpu:.1f} s "
              f"= {done / (main_cpu + workers_cpu):,.0f} stories per CPU-second ({_load()})",
              flush=True)
    if "incremental" not in skip:
        for kind, (wall, cpu) in incremental(store).items():
            print(f"index_article in the store's transaction, {kind} stories: {wall:,.0f} "
                  f"stories/s wall, {cpu:,.0f} per CPU-second ({_load()})", flush=True)
    qs = queries()
    plain, filtered = [{}] * len(qs), filters(args.n)
    # First pass: each query's first run, as soon as the store is open: the
    # connections' own page caches (and the helpers' connections) start empty.
    _show("no filter, first pass", qs, latency(store._conn, qs, plain))
    _show("with filters, first pass", qs, latency(store._conn, qs, filtered))
    # Steady state, as on a server that has been answering searches: the
    # same sets again, three times each.
    _show("no filter, steady", qs, latency(store._conn, qs, plain, passes=3))
    _show("with filters, steady", qs, latency(store._conn, qs, filtered, passes=3))
    score, misses = recall(store._conn, needles)
    print(f"recall@10 over {len(RELEVANCE)} queries: {score:.3f}")
    for miss in misses:
        print("  missed:", miss)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    fts = store._conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'"
                              ).fetchone()[0] if _has_dbstat(store) else None
    print(f"database {size / 1e9:.2f} GB" + (f", search index {fts / 1e9:.2f} GB" if fts else ""))
    print(f"at the end: {_load()} (2 cores, shared)")
    store.close()


def _has_dbstat(store) -> bool:
    try:
        store._conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
