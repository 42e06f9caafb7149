"""Load benchmark: pages, ``/api/search`` and ``/api/latest`` while ``finews run``
fetches from the local upstream and publishes.

Run: ``nice python -m benchmarks.load --stories 10000 [--store-url URL]``

Fills a store with N generated stories (the search benchmark's corpus), builds
the site, starts ``finews run`` on 127.0.0.1 against the local upstream (new
stories every second, polled every 5 s, so fetching and publishing go on for
the whole measurement), then sends requests from a fixed number of clients,
each sending its next request when the last is answered, until the request
budget or the time limit is spent, whichever comes first. Reported per kind:
requests/s, p50/p95/p99/max latency and errors (a status other than 200, a
cut answer, a timeout). Everything binds 127.0.0.1; it stops by itself.

The store comes from ``--store-url`` (default: a SQLite file in the work
folder) through finews's own configuration, so the same run measures any
store backend finews can open.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from finews.config import load
from finews.upstream import UpstreamServer
from finews.upstream.__main__ import _toml

from .search.bench import queries
from .search.corpus import stories

KINDS = ("page", "search", "latest")
#: Of every ten requests: five pages, three searches, two /api/latest.
MIX = ("page", "search", "page", "latest", "page", "search", "page", "latest", "page",
       "search")
BATCH = 1000


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)     # seconds, answered requests
    errors: list[str] = field(default_factory=list)

    def row(self, kind: str, wall: float) -> dict:
        t = sorted(self.times)

        def pct(p: float) -> float | None:
            return t[min(len(t) - 1, math.ceil(len(t) * p) - 1)] * 1000 if t else None
        return {"kind": kind, "requests": len(t) + len(self.errors),
                "errors": len(self.errors), "rps": (len(t) + len(self.errors)) / wall,
                "p50": pct(0.50), "p95": pct(0.95), "p99": pct(0.99),
                "max": t[-1] * 1000 if t else None, "sample_errors": self.errors[:5]}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_config(work: Path, store_url: str | None, upstream: UpstreamServer,
                 port: int, search_workers: int = 0) -> Path:
    sources = [s for s in upstream.source_settings("load", interval=5)
               if s["name"] in ("load-rolling", "load-fast", "load-media", "load-rss")]
    # A fixed base URL: a reused site is not rebuilt whole for a new port.
    lines = ['data_dir = "data"', "", "[site]", 'base_url = "http://127.0.0.1:8000/"',
             "", "[serve]", 'host = "127.0.0.1"', f"port = {port}",
             f"search_workers = {search_workers}", ""]
    if store_url:
        lines += ["[store]", f"url = {json.dumps(store_url)}", ""]
    config = work / "finews.toml"
    config.write_text("\n".join(lines) + "\n" + _toml(sources), encoding="utf-8")
    return config


def fill(config: Path, n: int, say) -> int:
    """Store the corpus's first ``n`` stories (a reused store keeps what it has)."""
    from finews.building import build_once, store_for
    settings = load(config, {})
    with store_for(settings) as store:
        have = store.count_articles()
        if have < n:
            say(f"storing {n - have} stories…")
            start, batch = time.perf_counter(), []
            for i, (article, _) in enumerate(stories(n)):
                if i < have:
                    continue
                batch.append((article, b"{}"))
                if len(batch) == BATCH:
                    store.upsert_articles(batch)
                    batch = []
            if batch:
                store.upsert_articles(batch)
            say(f"  {n - have} stories in {time.perf_counter() - start:.1f} s")
        total = store.count_articles()
    say("building the site…")
    report = build_once(settings)
    say(f"  {report.written} files written in {report.elapsed:.1f} s")
    return total


def targets(config: Path, seed: int) -> dict[str, list[str]]:
    """The request targets of each kind."""
    from finews.building import store_for
    settings = load(config, {})
    site = settings.site_dir
    with store_for(settings) as store:
        story_pages = ["/" + h.path for h in store.newest(2000)]
    category_pages = sorted("/category/" + p.name for p in (site / "category").glob("*.html"))
    pages = ["/", "/archive/", "/feed.xml", *category_pages[:40], *story_pages]
    r = random.Random(seed)
    media = [p.removesuffix(".html").rsplit("/", 1)[1] for p in category_pages[:20]]
    searches = []
    for i, q in enumerate(queries()):
        params = {"q": q}
        if i % 4 == 1 and media:
            params["media"] = r.choice(media)
        elif i % 4 == 2:
            params["order"] = "newest"
        searches.append("/api/search?" + httpx.QueryParams(params).__str__())
    latest = ["/api/latest", "/api/latest?limit=50", "/api/latest?limit=200"]
    return {"page": pages, "search": searches, "latest": latest}


def scrape(base: str) -> dict[str, float]:
    """Sums of the metrics that show the run's own work, by metric name."""
    out: dict[str, float] = {}
    text = httpx.get(base + "/metrics", timeout=30).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "finews_search_duration_seconds_bucket":
                out[f"search_le:{sample.labels['le']}"] = sample.value
                continue
            if sample.name.endswith("_bucket"):
                continue
            key = sample.name
            if sample.name == "finews_fetch_items_total":
                key += ":" + sample.labels.get("outcome", "")
            out[key] = out.get(key, 0.0) + sample.value
    return out


async def load_phase(base: str, plan: dict[str, list[str]], *, clients: int,
                     budget: int, seconds: float, seed: int) -> tuple[dict[str, Tally], float]:
    tallies = {kind: Tally() for kind in KINDS}
    sent = 0
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        nonlocal sent
        r = random.Random(seed + index)
        step = index
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base, timeout=10, limits=limits) as http:
            while sent < budget and time.monotonic() < deadline:
                sent += 1
                kind = MIX[step % len(MIX)]
                step += 1
                target = r.choice(plan[kind])
                start = time.perf_counter()
                try:
                    answer = await http.get(target)
                    elapsed = time.perf_counter() - start
                except httpx.HTTPError as exc:
                    tallies[kind].errors.append(f"{target}: {type(exc).__name__}: {exc}")
                    continue
                if answer.status_code != 200:
                    tallies[kind].errors.append(f"{target}: {answer.status_code}")
                else:
                    tallies[kind].times.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    return tallies, time.perf_counter() - started


def server_search(delta: dict[str, float]) -> dict[str, float | None]:
    """Upper bounds of the server's own search time (its histogram's buckets)
    below which half and 99 % of the load's searches were answered."""
    buckets = sorted((float(k.split(":", 1)[1]), v) for k, v in delta.items()
                     if k.startswith("search_le:"))
    total = buckets[-1][1] if buckets else 0
    out: dict[str, float | None] = {"count": total}
    for name, share in (("p50", 0.5), ("p99", 0.99)):
        out[name] = next((le * 1000 for le, count in buckets if total and count >= share * total),
                         None)
    return out


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown(result: dict) -> str:
    lines = [f"| requests | count | errors | requests/s | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|---|---|"]
    for row in result["rows"]:
        lines.append(f"| {row['kind']} | {row['requests']:,} | {row['errors']} | "
                     f"{row['rps']:.1f} | {_ms(row['p50'])} | {_ms(row['p95'])} | "
                     f"{_ms(row['p99'])} | {_ms(row['max'])} |")
    c = result["conditions"]
    lines += ["", f"{c['stories_before']:,} stories at the start, {c['stories_after']:,} at "
              f"the end; during the {c['wall']:.1f} s of load `finews {c['command']}` stored "
              f"{c['fetched_new']:.0f} new stories in {c['fetch_passes']:.0f} source passes "
              f"and published {c['builds']:.0f} builds ({c['pages_written']:.0f} files). "
              f"{c['clients']} clients, {c.get('search_workers', 0)} search workers; "
              f"load average {c['load_before']} before, "
              f"{c['load_after']} after; {c['cpus']} CPUs; store {c['store']}."]
    own = c["server_search"]
    if own["count"]:
        lines += ["", f"Inside the server (its `finews_search_duration_seconds` histogram) "
                  f"half of these {own['count']:.0f} searches took at most "
                  f"{_ms(own['p50'])} ms and 99 % at most {_ms(own['p99'])} ms; the rest of "
                  "a search's time above is waiting its turn in the server and the client."]
    return "\n".join(lines)


def run_finews(config: Path, log: Path, command: str = "run") -> subprocess.Popen:
    """``finews run`` (or ``serve``) of the finews package this benchmark imported."""
    import finews
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")}
    root = str(Path(finews.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.Popen([sys.executable, "-m", "finews", "-c", str(config), command],
                            stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)


def wait_for(base: str, proc: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("finews run ended before it answered")
        try:
            if httpx.get(base + "/api/latest?limit=1", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"finews run did not answer within {timeout:g} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stories", type=int, default=10_000, help="stories in the store")
    parser.add_argument("--store-url", default=None,
                        help="the store (default: sqlite:///WORK/data/finews.sqlite3)")
    parser.add_argument("--work", type=Path, default=Path("bench-work/load"),
                        help="where the store and the site go (reused if present)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=20_000, help="request budget")
    parser.add_argument("--seconds", type=float, default=120.0, help="time limit of the load")
    parser.add_argument("--warmup", type=float, default=10.0,
                        help="seconds of fetching and publishing before the load starts")
    parser.add_argument("--serve-only", action="store_true",
                        help="measure `finews serve` alone (no fetching or publishing), "
                             "for comparison")
    parser.add_argument("--search-workers", type=int, default=0,
                        help="serve.search_workers: processes answering searches (0: the "
                             "server's threads)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    say = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with UpstreamServer(port=0, seed=args.seed, stories=200, rate=1.0, per_tick=1) as upstream:
        config = write_config(work, args.store_url, upstream, port, args.search_workers)
        before = fill(config, args.stories, say)
        plan = targets(config, args.seed)
        command = "serve" if args.serve_only else "run"
        say(f"starting finews {command} on {base}…")
        proc = run_finews(config, work / f"{command}.log", command)
        try:
            wait_for(base, proc)
            time.sleep(args.warmup)
            first = scrape(base)
            load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
            say(f"load: {args.clients} clients, at most {args.requests} requests "
                f"or {args.seconds:g} s…")
            tallies, wall = asyncio.run(load_phase(
                base, plan, clients=args.clients, budget=args.requests,
                seconds=args.seconds, seed=args.seed))
            load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
            last = scrape(base)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
    delta = {k: last.get(k, 0.0) - first.get(k, 0.0) for k in last}
    everything = Tally([t for x in tallies.values() for t in x.times],
                       [e for x in tallies.values() for e in x.errors])
    result = {
        "rows": [tallies[k].row(k, wall) for k in KINDS] + [everything.row("all", wall)],
        "conditions": {
            "stories_before": before, "stories_after": int(last.get("finews_stories", 0)),
            "wall": wall, "clients": args.clients,
            "fetched_new": delta.get("finews_fetch_items_total:new", 0),
            "fetch_passes": delta.get("finews_fetch_attempts_total", 0),
            "builds": delta.get("finews_publish_builds_total", 0),
            "pages_written": delta.get("finews_publish_pages_written_total", 0),
            "load_before": load_before, "load_after": load_after,
            "cpus": os.cpu_count(), "store": args.store_url or "SQLite (default)",
            "search_workers": args.search_workers,
            "command": command,
            "server_search": server_search(delta),
        },
    }
    print(markdown(result))
    for row in result["rows"]:
        for sample in row["sample_errors"]:
            say(f"  error ({row['kind']}): {sample}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0 if everything.errors == [] else 1


if __name__ == "__main__":
    sys.exit(main())
