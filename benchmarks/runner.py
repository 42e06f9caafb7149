"""The benchmark run: corpus, ingest, full builds, freshness, for each size.

Results are plain dicts (``{"measure": {"tool": [Run, ...]}}`` per size),
saved as JSON beside the work folder and turned into BENCHMARKS.md by
``report``. Every contender builds from the same stories in the same run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Callable

from .corpus import END, stories, write_corpus, write_hugo_posts, write_posts
from .measure import CommandFailed, Run
from .tools import finews_build, finews_config, finews_import, hugo_build, jekyll_build

FRESH = 100


@dataclass
class Options:
    sizes: tuple[int, ...] = (10_000, 100_000)
    reps: int = 3
    work: Path = Path("bench-work")
    jekyll_limit: float = 900.0      # seconds a Jekyll build may be expected to take
    stock_jekyll_upto: int = 10_000  # largest N also built with unpatched Jekyll
    tools: dict = field(default_factory=dict)   # name -> version or None
    say: Callable[[str], None] = print


_HARNESS_ROOT = Path(__file__).resolve().parent.parent


def _reps(opts: Options, label: str, fn: Callable[[int], Run]) -> list[Run]:
    out = []
    for rep in range(opts.reps):
        # The previous measurement's pages (Hugo's or Jekyll's gigabytes
        # included) are still being written back to disk; flushed here, they
        # do not slow whichever tool happens to run next.
        os.sync()
        r = fn(rep)
        opts.say(f"  {label} #{rep + 1}: {r.wall:.2f} s wall, {r.cpu:.2f} s CPU, "
                 f"{r.rss_mb:.0f} MiB, {r.pages} pages")
        out.append(r)
    return out


def _fresh_finews(folder: Path, n: int, rep: int, log: Path, store_url: str = "") -> Run:
    """100 new stories from the local upstream into the published store."""
    from finews.upstream.server import UpstreamServer

    start = END + timedelta(days=1 + rep, hours=1)
    with UpstreamServer(seed=1000 + rep, stories=FRESH, start=start,
                        step=timedelta(seconds=30)) as up:
        config = finews_config(folder, up.source_settings(name_prefix=f"up{rep}"), store_url)
        began = time.perf_counter()
        # From the folder holding ``benchmarks``, whatever the caller's folder.
        proc = subprocess.run([sys.executable, "-m", "benchmarks.fresh", str(config.resolve())],
                              capture_output=True, text=True, check=False, cwd=_HARNESS_ROOT)
        wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise CommandFailed(proc.stderr[-2000:])
    with open(log, "a") as fh:
        fh.write(proc.stdout)
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    # wall here is the in-process time from fetch start to last page written.
    return Run(data["total"], data["fetch"], wall, data["new"])


def _fetch_rate(folder: Path, log: Path, store_url: str = "") -> Run:
    """Stories per second fetched (list + full text), processed and stored."""
    from finews.upstream.server import UpstreamServer

    with UpstreamServer(seed=77, stories=1000, start=END,
                        step=timedelta(seconds=20)) as up:
        sources = up.source_settings(name_prefix="rate")
        for s in sources:
            s["url"] = s["url"].replace("=100", "=1000")
        (folder / "data").exists() and subprocess.run(["rm", "-rf", str(folder / "data")])
        config = finews_config(folder, sources, store_url)
        # From the folder holding ``benchmarks``, whatever the caller's folder.
        proc = subprocess.run([sys.executable, "-m", "benchmarks.fresh", str(config.resolve())],
                              capture_output=True, text=True, check=False, cwd=_HARNESS_ROOT)
    if proc.returncode != 0:
        raise CommandFailed(proc.stderr[-2000:])
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return Run(data["fetch"], data["fetch"], 0.0, data["new"])


def bench_size(n: int, opts: Options) -> dict:
    say, root = opts.say, opts.work / str(n)
    log = opts.work / f"log-{n}.txt"
    res: dict = {"n": n}
    if not (root / "hugo" / "content").is_dir():
        say(f"N={n}: writing the corpus")
        t = time.perf_counter()
        write_corpus(n, root)
        res["corpus_seconds"] = time.perf_counter() - t
    fin = root / "finews"
    say(f"N={n}: finews import")
    res["import"] = {"finews": _reps(opts, "import", lambda _: finews_import(
        fin, root / "posts" / "_posts", log))}
    say(f"N={n}: full builds")
    full: dict[str, list[Run]] = {"finews": _reps(opts, "finews", lambda _: finews_build(
        fin, log))}
    if opts.tools.get("hugo"):
        full["hugo"] = _reps(opts, "hugo", lambda _: hugo_build(root / "hugo", log))
    if opts.tools.get("jekyll"):
        full.update(_jekyll_full(n, root, log, opts))
    res["full"] = full
    say(f"N={n}: freshness ({FRESH} new stories)")
    res["fresh"] = _freshness(n, root, fin, log, opts)
    return res


def _jekyll_full(n: int, root: Path, log: Path, opts: Options) -> dict:
    out: dict[str, list[Run]] = {}
    guess = opts.tools.get("_jekyll_per_story")
    if guess and guess * n > opts.jekyll_limit:
        opts.say(f"  jekyll skipped at N={n}: expected {guess * n:.0f} s "
                 f"> {opts.jekyll_limit:.0f} s")
        return out
    first = jekyll_build(root / "jekyll", log, fixed=True)
    opts.say(f"  jekyll+fix #1: {first.wall:.2f} s")
    opts.tools["_jekyll_per_story"] = first.wall / n * 1.2
    more = _reps(Options(**{**opts.__dict__, "reps": opts.reps - 1}), "jekyll+fix",
                 lambda _: jekyll_build(root / "jekyll", log, fixed=True))
    out["jekyll+fix"] = [first, *more]
    if n <= opts.stock_jekyll_upto:
        # Stock 4.3.1 is quadratic; once is enough to show it.
        stock = jekyll_build(root / "jekyll", log, fixed=False)
        opts.say(f"  jekyll 4.3.1 #1: {stock.wall:.2f} s")
        out["jekyll"] = [stock]
    return out


def _freshness(n: int, root: Path, fin: Path, log: Path, opts: Options) -> dict:
    # The corpus folders are reused by later runs: the posts added here go
    # again afterwards, or the next run would build N + 300 stories.
    corpus = [root / "hugo" / "content" / "posts", root / "jekyll" / "_posts"]
    before = {folder: set(folder.iterdir()) for folder in corpus if folder.is_dir()}
    try:
        return _fresh_runs(n, root, fin, log, opts)
    finally:
        for folder, kept in before.items():
            for path in set(folder.iterdir()) - kept:
                path.unlink()


def _fresh_runs(n: int, root: Path, fin: Path, log: Path, opts: Options) -> dict:
    out: dict[str, list[Run]] = {}
    out["finews"] = _reps(opts, "finews fresh",
                          lambda rep: _fresh_finews(fin, n, rep, log))
    if opts.tools.get("hugo"):
        def hugo_fresh(rep: int) -> Run:
            new = list(stories(FRESH, seed=500 + rep, end=END + timedelta(days=1 + rep),
                               span=timedelta(hours=1)))
            started = time.perf_counter()
            write_hugo_posts(new, root / "hugo")
            r = hugo_build(root / "hugo", log)
            return Run(time.perf_counter() - started, r.cpu, r.rss_mb, r.pages)
        out["hugo"] = _reps(opts, "hugo fresh", hugo_fresh)
    guess = opts.tools.get("_jekyll_per_story")
    if opts.tools.get("jekyll") and guess and guess * n <= opts.jekyll_limit:
        site = root / "jekyll"
        jekyll_build(site, log, fixed=True, incremental=True)   # the metadata to start from

        def jekyll_fresh(rep: int) -> Run:
            new = list(stories(FRESH, seed=700 + rep, end=END + timedelta(days=5 + rep),
                               span=timedelta(hours=1)))
            started = time.perf_counter()
            write_posts(new, site / "_posts")
            r = jekyll_build(site, log, fixed=True, incremental=True, clean=False)
            return Run(time.perf_counter() - started, r.cpu, r.rss_mb, r.pages)
        out["jekyll+fix --incremental"] = _reps(opts, "jekyll fresh", jekyll_fresh)
    return out


def run_all(opts: Options) -> dict:
    opts.work.mkdir(parents=True, exist_ok=True)
    results: dict = {"sizes": []}
    for n in opts.sizes:
        results["sizes"].append(bench_size(n, opts))
    fetch_dir = opts.work / "fetch"
    opts.say("fetch from the local upstream")
    results["fetch"] = [_fetch_rate(fetch_dir, opts.work / "log-fetch.txt")
                        for _ in range(opts.reps)]
    (opts.work / "results.json").write_text(json.dumps(results, default=_plain, indent=1))
    return results


def _plain(obj):
    if isinstance(obj, Run):
        return asdict(obj)
    raise TypeError(type(obj))
