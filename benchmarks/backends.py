"""SQLite and PostgreSQL side by side: import, fetch, full and incremental build, search.

    python -m benchmarks --backends sqlite,postgresql --sizes 2000 --reps 1

Each backend gets the same corpus (``corpus.write_corpus``), the same
``finews import``, ``finews build --full``, freshness step (100 new
stories fetched from the local upstream and published incrementally), fetch
rate (1,000 stories from the local upstream into an empty store) and the
same 60 search queries (``search/bench.queries``), timed in this process
after one warm-up pass. PostgreSQL runs on a throw-away server
(``scripts/ensure-postgres.sh``, fsync off like any test cluster: its
figures are an upper bound for a durable server) unless ``--postgres-url``
names one; each measurement gets a fresh database.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Callable

from .corpus import write_corpus
from .measure import Run, stat
from .runner import Options, _fetch_rate, _fresh_finews, _reps
from .tools import finews_build, finews_import

_ROOT = Path(__file__).resolve().parent.parent
ENSURE = _ROOT / "scripts" / "ensure-postgres.sh"


class Databases:
    """Fresh PostgreSQL databases on one server, for one measurement each."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._n = 0

    def fresh(self) -> str:
        import psycopg
        from urllib.parse import urlsplit, urlunsplit
        self._n += 1
        name = f"finews_bench_{self._n}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        return urlunsplit(urlsplit(self.url)._replace(path="/" + name))


def start_server(work: Path) -> tuple[str, Callable[[], None]]:
    folder = Path(tempfile.mkdtemp(prefix="finews-bench-pg-"))
    done = subprocess.run(["bash", str(ENSURE), "start", str(folder)], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"PostgreSQL did not start: {done.stderr.strip()}")

    def stop() -> None:
        subprocess.run(["bash", str(ENSURE), "stop", str(folder)], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    return done.stdout.strip().splitlines()[-1], stop


def _search(url: str) -> dict:
    """Median and p95 (ms) of the 60 queries, after one warm-up pass."""
    from finews.search.query import SearchQuery
    from finews.store import open_store
    from zoneinfo import ZoneInfo
    from .search.bench import queries

    qs = queries()
    times: list[float] = []
    with open_store(url, ZoneInfo("Asia/Shanghai"), readonly=True) as store:
        for q in qs:
            store.search(SearchQuery(q))
        for q in qs:
            began = time.perf_counter()
            store.search(SearchQuery(q))
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    return {"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95) - 1],
            "queries": len(times)}


def bench_backend(backend: str, n: int, root: Path, opts: Options,
                  databases: Databases | None) -> dict:
    say = opts.say
    folder = opts.work / f"backend-{backend}" / str(n)
    log = opts.work / f"log-backend-{backend}-{n}.txt"

    def url() -> str:
        return "" if databases is None else databases.fresh()

    res: dict = {}
    say(f"N={n} {backend}: import")
    store_url = ""

    def do_import(_: int) -> Run:
        nonlocal store_url
        store_url = url()
        return finews_import(folder, root / "posts" / "_posts", log, store_url)
    res["import"] = _reps(opts, "import", do_import)
    say(f"N={n} {backend}: full build")
    res["full"] = _reps(opts, "full build", lambda _: finews_build(folder, log))
    say(f"N={n} {backend}: incremental build (freshness)")
    res["fresh"] = _reps(opts, "fresh", lambda rep: _fresh_finews(folder, n, rep, log,
                                                                  store_url))
    say(f"N={n} {backend}: search")
    res["search"] = _search(store_url or f"sqlite:///{folder / 'data' / 'finews.sqlite3'}")
    say(f"  search p50 {res['search']['p50']:.1f} ms, p95 {res['search']['p95']:.1f} ms")
    say(f"{backend}: fetch rate")
    fetch_dir = opts.work / f"backend-{backend}" / "fetch"
    res["fetch"] = _fetch_rate(fetch_dir, log, url())
    return res


def run_backends(opts: Options, backends: list[str], postgres_url: str = "") -> dict:
    results: dict = {"sizes": []}
    stop = None
    databases = None
    if "postgresql" in backends:
        if not postgres_url:
            postgres_url, stop = start_server(opts.work)
        databases = Databases(postgres_url)
    try:
        for n in opts.sizes:
            root = opts.work / str(n)
            if not (root / "posts" / "_posts").is_dir():
                opts.say(f"N={n}: writing the corpus")
                write_corpus(n, root)
            size = {"n": n}
            for backend in backends:
                size[backend] = bench_backend(backend, n, root, opts,
                                              databases if backend == "postgresql" else None)
            results["sizes"].append(size)
    finally:
        if stop is not None:
            stop()
    return results


def render(results: dict, backends: list[str], command: str) -> str:
    from .report import machine
    rows = ["## SQLite and PostgreSQL side by side", "",
            f"Command: `{command}`. Machine: {machine()}.", ""]
    for size in results["sizes"]:
        n = size["n"]
        rows += [f"### N = {n:,}", "",
                 "| measure | " + " | ".join(backends) + " |",
                 "|---|" + "---|" * len(backends)]

        def cell(backend: str, key: str) -> str:
            runs = [r if isinstance(r, Run) else Run(**r) for r in size[backend][key]]
            return stat([r.wall for r in runs]).text()
        rows.append("| import, stories/s | " + " | ".join(
            f"{n / stat([r.wall for r in size[b]['import']]).median:,.0f}"
            for b in backends) + " |")
        rows.append("| import wall s | " + " | ".join(cell(b, "import") for b in backends)
                    + " |")
        rows.append("| full build wall s | " + " | ".join(cell(b, "full") for b in backends)
                    + " |")
        rows.append("| 100 new stories: fetch → last page s | " + " | ".join(
            cell(b, "fresh") for b in backends) + " |")
        rows.append("| fetch, stories/s (1,000 from the local upstream) | " + " | ".join(
            f"{size[b]['fetch'].pages / size[b]['fetch'].wall:,.0f}"
            for b in backends) + " |")
        rows.append("| search p50 ms (60 queries, warm) | " + " | ".join(
            f"{size[b]['search']['p50']:.1f}" for b in backends) + " |")
        rows.append("| search p95 ms | " + " | ".join(
            f"{size[b]['search']['p95']:.1f}" for b in backends) + " |")
        rows.append("")
    return "\n".join(rows)
