"""Fetch workers sharing one PostgreSQL store: stories/s with 1, 2 and 4.

``python -m benchmarks.fleet`` starts a throw-away PostgreSQL server
(``scripts/ensure-postgres.sh``) unless ``--store-url`` names one, serves
``--feeds`` RSS feeds on 127.0.0.1 (``finews.upstream.manyfeeds``), each
with a backlog of ``--stories`` stories, and for each worker count starts
that many ``finews run --role fetch`` processes against a fresh database.
It times them from launch (start-up included, as a user would) until every
served story is stored, and reports stories/s and the scaling against one
worker. One SQLite worker, the only kind a SQLite store takes, is measured
the same way for comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from finews.store import open_store
from finews.upstream.manyfeeds import ManyFeeds, fleet_config

from .backends import Databases, start_server

_ROOT = Path(__file__).resolve().parent.parent


def _measure(url: str, workers: int, feeds: int, stories: int, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    open_store(url, ZoneInfo("UTC")).close()     # the schema, for the counting below
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")}
    env["PYTHONPATH"] = str(_ROOT / "src")
    with ManyFeeds(feeds, start=stories, every=0, shown=stories, seed=workers) as upstream:
        config = work / "finews.toml"
        config.write_text(fleet_config(upstream, store_url=url, interval=3600, lease=120),
                          encoding="utf-8")
        total = feeds * stories
        started = time.monotonic()
        procs = [subprocess.Popen([sys.executable, "-m", "finews.cli", "--config", str(config),
                                   "run", "--role", "fetch"], cwd=work, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
                 for _ in range(workers)]
        stored = 0
        try:
            while stored < total:
                time.sleep(0.25)
                if any(p.poll() is not None for p in procs):
                    raise SystemExit("a fetch worker exited early")
                with open_store(url, ZoneInfo("UTC"), readonly=True) as store:
                    stored = store.count_articles()
                if time.monotonic() - started > 900:
                    raise SystemExit(f"only {stored} of {total} stories stored in 15 minutes")
            elapsed = time.monotonic() - started
        finally:
            for proc in procs:
                proc.send_signal(signal.SIGINT)
            for proc in procs:
                try:
                    proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return {"workers": workers, "stories": total, "seconds": round(elapsed, 2),
            "stories_per_s": round(total / elapsed, 1)}


def render(results: dict, command: str) -> str:
    base = results["postgresql"][0]["stories_per_s"]
    lines = [f"`{command}` ({results['machine']}; {results['feeds']} feeds × "
             f"{results['per_feed']} stories, from launch until every story is stored)", "",
             "| store | fetch workers | seconds | stories/s | × one PostgreSQL worker |",
             "|---|---:|---:|---:|---:|"]
    for row in results["postgresql"]:
        lines.append(f"| PostgreSQL | {row['workers']} | {row['seconds']} | "
                     f"{row['stories_per_s']} | {row['stories_per_s'] / base:.2f} |")
    sq = results["sqlite"]
    lines.append(f"| SQLite | 1 | {sq['seconds']} | {sq['stories_per_s']} | "
                 f"{sq['stories_per_s'] / base:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fleet", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--stories", type=int, default=20, help="stories per feed")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to measure")
    parser.add_argument("--store-url", default=None,
                        help="a PostgreSQL server to make the databases on")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="finews-bench-fleet-"))
    stop = None
    if args.store_url:
        server = args.store_url
    else:
        server, stop = start_server(work)
    try:
        databases = Databases(server)
        results = {"machine": f"{os.cpu_count()} cores, {platform.python_implementation()} "
                              f"{platform.python_version()}",
                   "feeds": args.feeds, "per_feed": args.stories, "postgresql": []}
        for count in (int(n) for n in args.workers.split(",")):
            row = _measure(databases.fresh(), count, args.feeds, args.stories,
                           work / f"pg-{count}")
            print(json.dumps(row), file=sys.stderr, flush=True)
            results["postgresql"].append(row)
        results["sqlite"] = _measure(f"sqlite:///{work / 'sqlite' / 'finews.db'}", 1,
                                     args.feeds, args.stories, work / "sqlite")
    finally:
        if stop is not None:
            stop()
    command = "python -m benchmarks.fleet " + " ".join(argv if argv is not None else sys.argv[1:])
    print(render(results, command.strip()))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
