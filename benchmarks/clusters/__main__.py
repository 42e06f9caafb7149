"""``python -m benchmarks.clusters``: clustering quality and cost per story.

    python -m benchmarks.clusters                       # sizes 10,000 100,000 1,000,000
    python -m benchmarks.clusters --sizes 10000 --quick # a quick look

1. Precision and recall on the labelled pairs (``pairs.py``): the seed the
   thresholds were tuned on (3) and two held out (11, 29); false positives
   by kind of hard negative. MinHash/LSH (what finews uses) beside SimHash
   on the same shingles, at each SimHash distance.
2. A stream: the demo upstream's stories with re-publications (seed 11, a
   third of them copies): how many unrelated pairs of originals would be
   called near-duplicates, and how many copies find their original.
3. Cost per story: ``cluster_new`` over 500 new stories (reading them,
   plain text, segmentation, MinHash, the LSH look-ups, the write) in a
   store whose cluster tables already hold N clustered stories. The N
   are fingerprints of 20,000 generated stories repeated with later times,
   so LSH keys are shared the way a large archive shares them. Cold: a
   process that remembers nothing (``finews fetch`` run by cron); warm:
   500 more by a process that clustered the newest stories itself and kept
   their fingerprints (``RecentFingerprints``, full, as ``finews run`` is
   after running ~17 days at this corpus's rate of a story every 30 s).
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import sqlite3
import statistics
import tempfile
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from finews.cluster import RecentFingerprints, cluster_new
from finews.cluster import assign as A
from finews.cluster import fingerprint as F
from finews.cluster.assign import WATERMARK_KEY
from finews.model import RawItem
from finews.process import ProcessOptions, process_item
from finews.process.text import html_to_text
from finews.store.base import ClusterEntry
from finews.store.sqlite import SQLiteStore
from finews.upstream.generator import StoryGenerator
from finews.upstream.server import UpstreamServer

from .pairs import START, labelled_pairs

_WORD = re.compile(r"\w")


# -- 1. labelled pairs -----------------------------------------------------------

def _simhash(words: list[str]) -> int:
    weights = [0] * 64
    for a, b in zip(words, words[1:]):
        h = zlib.crc32(f"{a} {b}".encode()) | (zlib.crc32(f"{b} {a}#".encode()) << 32)
        for bit in range(64):
            weights[bit] += 1 if h >> bit & 1 else -1
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def quality(seed: int, originals: int) -> dict:
    pairs = labelled_pairs(seed=seed, originals=originals)
    tp = fp = fn = 0
    false_kinds: Counter = Counter()
    sim = []
    for pair in pairs:
        a = F.fingerprint(pair.a.title, pair.a.body)
        b = F.fingerprint(pair.b.title, pair.b.body)
        found = bool(set(F.band_keys(a)) & set(F.band_keys(b))) and F.near_duplicates(a, b)
        tp += found and pair.same
        fp += found and not pair.same
        fn += pair.same and not found
        if found and not pair.same:
            false_kinds[pair.kind] += 1
        distance = bin(_simhash(F.tokens(pair.a.title, pair.a.body))
                       ^ _simhash(F.tokens(pair.b.title, pair.b.body))).count("1")
        sim.append((distance, pair.same))
    simhash = {}
    for k in (3, 6, 10, 14, 18):
        stp = sum(1 for d, same in sim if d <= k and same)
        sfp = sum(1 for d, same in sim if d <= k and not same)
        positives = sum(1 for _, same in sim if same)
        simhash[k] = (stp / max(1, stp + sfp), stp / positives)
    return {"pairs": len(pairs), "positives": tp + fn, "precision": tp / max(1, tp + fp),
            "recall": tp / max(1, tp + fn), "fp": fp, "fn": fn,
            "false_kinds": dict(false_kinds), "simhash": simhash}


# -- 2. a stream ---------------------------------------------------------------------

def stream(stories: int = 400) -> dict:
    up = UpstreamServer(seed=11, stories=stories, republish=0.3)
    served = up.stories()[::-1]
    fps = {s.info_code: F.fingerprint(s.title, html_to_text(s.body_html)) for s in served}
    originals = [s for s in served if s.seq < 10_000_000]
    false = sum(1 for a, b in itertools.combinations(originals, 2)
                if F.near_duplicates(fps[a.info_code], fps[b.info_code]))
    copies = [s for s in served if s.seq >= 10_000_000]
    found = 0
    for copy in copies:
        fp = fps[copy.info_code]
        found += any(F.near_duplicates(fp, fps[o.info_code]) for o in originals
                     if o.stocks == copy.stocks and o.published <= copy.published)
    pairs = len(originals) * (len(originals) - 1) // 2
    return {"originals": len(originals), "copies": len(copies), "false_pairs": false,
            "pairs": pairs, "copies_found": found}


# -- 3. cost per story ----------------------------------------------------------------

def _article(story, tz):
    raw = RawItem(source="bench", upstream_id=story.info_code, title=story.title,
                  body_html=story.body_html, published=story.showtime, media=story.media,
                  stocks=story.stock_ids, payload=b"{}")
    return process_item(raw, options=ProcessOptions(tz=tz))


def _seed_fingerprints(count: int) -> list[tuple[bytes, list[int]]]:
    gen = StoryGenerator(99)
    out = []
    for i in range(count):
        story = gen.make(START + timedelta(minutes=i))
        fp = F.fingerprint(story.title, html_to_text(story.body_html))
        out.append((fp.pack(), F.band_keys(fp)))
    return out


def cost(size: int, work: Path, seeds: list[tuple[bytes, list[int]]],
         measured: int = 500) -> dict:
    """Seconds per story of ``cluster_new`` with ``size`` stories already
    clustered: ``measured`` new stories by a process that remembers nothing
    (cold), then ``measured`` more by one that clustered the newest stories
    itself (warm)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo("Asia/Shanghai")
    db = work / f"clusters-{size}.sqlite3"
    store = SQLiteStore.open(db, tz)
    gen = StoryGenerator(7)
    new = [_article(gen.make(START + timedelta(seconds=30 * i)), tz) for i in range(2 * measured)]
    # The measured stories are stored first (ids 1…2 × measured); the clustered
    # archive is filled in after them, with higher ids but earlier times.
    store.upsert_articles([(a, b"{}") for a in new])
    store.close()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    # Keys are random: with SQLite's default 2 MB cache, filling 16 million
    # of them is a page read per insert.
    conn.execute("PRAGMA cache_size = -1000000")
    base = int(START.timestamp())
    # One story every ~30 s back from START: the last two days hold ~5,800
    # stories whatever the size, the way an archive's newest days do.
    first = 2 * measured + 1
    start = time.monotonic()
    for lo in range(0, size, 50_000):
        rows, keys = [], []
        for i in range(lo, min(size, lo + 50_000)):
            packed, band = seeds[i % len(seeds)]
            aid = first + i
            rows.append((aid, aid, base - (size - i) * 30, packed))
            keys.extend((k, aid) for k in band)
        conn.executemany("INSERT INTO story_clusters VALUES (?, ?, ?, ?)", rows)
        conn.executemany("INSERT OR IGNORE INTO cluster_keys VALUES (?, ?)", sorted(keys))
        conn.commit()
    fill = time.monotonic() - start
    conn.close()
    # What a process that clustered the archive's newest stories itself holds
    # once it has run long enough to fill its memory (CAPACITY stories).
    recent = RecentFingerprints()
    recent.remember(
        ClusterEntry(first + i, first + i, datetime.fromtimestamp(base - (size - i) * 30, tz),
                     tuple(seeds[i % len(seeds)][1]), seeds[i % len(seeds)][0])
        for i in range(max(0, size - recent.capacity), size))
    store = SQLiteStore.open(db, tz)
    store.set_state(WATERMARK_KEY, "0")
    read = store.cluster_fingerprints
    counts = {"read": 0, "compared": 0}

    def counted(*args, **kwargs):
        found = read(*args, **kwargs)
        counts["read"] += len(found)
        return found
    store.cluster_fingerprints = counted   # counts the candidates read from the store
    candidates = A._candidates

    def compared(*args, **kwargs):
        found = candidates(*args, **kwargs)
        counts["compared"] += len(found)
        return found
    A._candidates = compared               # counts the candidates each story is compared with
    out = {"size": size, "fill_s": fill}
    try:
        for name, memory in (("cold", None), ("warm", recent)):
            counts.update(read=0, compared=0)
            times, cpu = [], []
            for _ in range(measured // 100):
                began, began_cpu = time.perf_counter(), time.process_time()
                done = cluster_new(store, limit=100, recent=memory)
                times.append((time.perf_counter() - began) / done)
                cpu.append((time.process_time() - began_cpu) / done)
            out[name] = {"per_story_ms": statistics.median(times) * 1e3,
                         "cpu_ms": statistics.median(cpu) * 1e3, "worst_ms": max(times) * 1e3,
                         "compared": counts["compared"] / measured,
                         "read": counts["read"] / measured}
    finally:
        A._candidates = candidates
    store.close()
    out["db_mib"] = db.stat().st_size / 2**20
    db.unlink()
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.clusters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--quick", action="store_true", help="smaller labelled sets")
    parser.add_argument("--cost-only", action="store_true", help="only the cost per story")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    originals = 200 if args.quick else 600
    if args.cost_only:
        return _costs(args)
    print("## Labelled pairs (MinHash/LSH as finews runs it; SimHash on the same shingles)")
    for seed, role in ((3, "tuned on"), (11, "held out"), (29, "held out")):
        q = quality(seed, originals)
        print(f"seed {seed} ({role}): {q['pairs']} pairs, {q['positives']} re-publications: "
              f"precision {q['precision']:.3f}, recall {q['recall']:.3f} "
              f"(false positives {q['fp']} {q['false_kinds']}, missed {q['fn']})")
        print("  SimHash, distance ≤ k: " + ", ".join(
            f"k={k}: P {p:.3f} R {r:.3f}" for k, (p, r) in q["simhash"].items()))
    s = stream(200 if args.quick else 400)
    print(f"## Stream: {s['originals']} originals, {s['copies']} copies: "
          f"{s['false_pairs']} of {s['pairs']} unrelated pairs called near-duplicates; "
          f"{s['copies_found']} of {s['copies']} copies match their original")
    return _costs(args)


def _costs(args) -> int:
    print("## Cost per story (cluster_new, 500 new stories cold then 500 warm, "
          "median of 5 × 100)")
    work = args.work or Path(tempfile.mkdtemp(prefix="finews-clusters-"))
    work.mkdir(parents=True, exist_ok=True)
    seeds = _seed_fingerprints(2000 if args.quick else 20_000)
    try:
        for size in (int(x) for x in args.sizes.split(",")):
            c = cost(size, work, seeds)
            load = os.getloadavg()
            print(f"N = {size:>9,}: store {c['db_mib']:.0f} MiB, filled in {c['fill_s']:.0f} s, "
                  f"load average {load[0]:.1f} (5 min {load[1]:.1f})")
            for name in ("cold", "warm"):
                m = c[name]
                print(f"  {name}: {m['per_story_ms']:.3f} ms a story wall, "
                      f"{m['cpu_ms']:.3f} ms CPU (worst batch {m['worst_ms']:.3f} ms wall), "
                      f"{m['compared']:.1f} candidates compared a story, "
                      f"{m['read']:.1f} read from the store")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
