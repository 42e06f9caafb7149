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
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from finews.search.engine import search
from finews.search.index import index_article, reindex
from finews.search.query import SearchQuery
from finews.search.schema import FTS_MIGRATION
from finews.store.sqlite import SQLiteStore
from finews.upstream import words

from .corpus import END, RELEVANCE, stories

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


def fill(store: SQLiteStore, n: int) -> tuple[float, dict[str, int]]:
    needles: dict[str, int] = {}
    batch, start = [], time.perf_counter()
    for article, key in stories(n):
        batch.append((article, b"{}", key))
        if len(batch) == BATCH:
            _flush(store, batch, needles)
            batch = []
    if batch:
        _flush(store, batch, needles)
    return n / (time.perf_counter() - start), needles


def _flush(store, batch, needles) -> None:
    outcome = store.upsert_articles([(a, raw) for a, raw, _ in batch])
    for (_, _, key), aid in zip(batch, outcome.article_ids):
        if key:
            needles[key] = aid


def incremental(store: SQLiteStore, count: int = 5000) -> float:
    conn = store._conn
    rows = conn.execute("SELECT id, title, digest, body_html FROM articles "
                        "ORDER BY id DESC LIMIT ?", (count,)).fetchall()
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for row in rows:
        index_article(conn, *row)
    conn.execute("COMMIT")
    return len(rows) / (time.perf_counter() - start)


def latency(conn, qs: list[str], fs: list[dict]) -> tuple[float, float, float]:
    times = []
    total_hits = 0
    for text, flt in zip(qs, fs):
        start = time.perf_counter()
        res = search(conn, SearchQuery(text, **flt), tz=TZ, limit=20)
        times.append((time.perf_counter() - start) * 1000)
        total_hits += len(res.hits)
    times.sort()
    return (statistics.median(times), times[int(len(times) * 0.95) - 1], max(times))


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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    path = args.db or Path(tempfile.mkdtemp(prefix="finews-search-")) / "bench.db"
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    store = SQLiteStore.open(path, TZ)
    store._conn.executescript(FTS_MIGRATION)
    store_rate, needles = fill(store, args.n)
    print(f"stored {args.n:,} stories at {store_rate:,.0f}/s", flush=True)
    start = time.perf_counter()
    done = reindex(store._conn)
    build = time.perf_counter() - start
    print(f"reindex: {done:,} stories in {build:.1f} s = {done / build:,.0f} stories/s",
          flush=True)
    print(f"incremental index_article: {incremental(store):,.0f} stories/s", flush=True)
    qs = queries()
    for text in qs[:10]:                      # warm the page cache
        search(store._conn, SearchQuery(text), tz=TZ)
    plain = latency(store._conn, qs, [{}] * len(qs))
    filtered = latency(store._conn, qs, filters(args.n))
    print(f"latency, {len(qs)} queries, no filter: median {plain[0]:.1f} ms, "
          f"p95 {plain[1]:.1f} ms, max {plain[2]:.1f} ms")
    print(f"latency, {len(qs)} queries, with filters: median {filtered[0]:.1f} ms, "
          f"p95 {filtered[1]:.1f} ms, max {filtered[2]:.1f} ms")
    score, misses = recall(store._conn, needles)
    print(f"recall@10 over {len(RELEVANCE)} queries: {score:.3f}")
    for miss in misses:
        print("  missed:", miss)
    size = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    fts = store._conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'articles_fts%'"
                              ).fetchone()[0] if _has_dbstat(store) else None
    print(f"database {size / 1e9:.2f} GB" + (f", search index {fts / 1e9:.2f} GB" if fts else ""))
    print("load average at the end (2 cores, shared): "
          + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    store.close()


def _has_dbstat(store) -> bool:
    try:
        store._conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:
        return False


if __name__ == "__main__":
    main()
