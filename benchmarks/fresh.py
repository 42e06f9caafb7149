"""One finews freshness step, timed inside the process that does it.

``python -m benchmarks.fresh CONFIG`` fetches every configured source once
and publishes what changed, the way ``finews run`` does on each tick, and
prints JSON: seconds from the start of the fetch to the last page renamed
into place, split into fetch and build. What a long-lived ``finews run``
has done once before any tick is left out of the clock: interpreter
start-up, opening the store, creating the HTTP client (``finews run`` keeps
one ``Fetcher`` for its whole life) and importing the modules loaded on
first use (the pinyin tables that name a new outlet's category, the HTTP
connection code httpx imports on its first request).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from finews.config import load
from finews.fetch import Fetcher
from finews.ingest import fetch_pass
from finews.publish.site import build_site
from finews.building import store_for


async def _tick(settings, store) -> tuple:
    async with Fetcher(settings.fetch) as fetcher:
        started, cpu = time.perf_counter(), time.process_time()
        report = await fetch_pass(settings, store, fetcher)
        return started, cpu, report, time.perf_counter()


def _first_use_imports() -> None:
    """Modules a running finews has loaded since its first tick: the pinyin
    tables that name a new outlet, and what httpx loads on its first request
    (httpcore's connection code and network backends, h11, anyio; ~0.1 s)."""
    import anyio._backends._asyncio  # noqa: F401
    import finews.process.slug  # noqa: F401
    import h11  # noqa: F401
    import httpcore._async.http11  # noqa: F401
    import httpcore._backends.anyio  # noqa: F401
    import httpcore._backends.auto  # noqa: F401
    import xml.sax.expatreader  # noqa: F401


def main(config: Path) -> dict:
    settings = load(config, {})
    _first_use_imports()
    with store_for(settings) as store:
        started, cpu, report, fetched = asyncio.run(_tick(settings, store))
        # The same fingerprint as `finews build`, or this build would be a full one.
        build = build_site(store, settings.site_dir, settings.site,
                           search_action=getattr(settings.site, "search_action", None))
        done, cpu = time.perf_counter(), time.process_time() - cpu
    new = sum(r.new for r in report.sources)
    errors = [r.error for r in report.sources if r.error]
    # cpu: this process's CPU seconds over the same span (the rest is waiting
    # on the upstream, the disk or the other process on the machine).
    return {"fetch": fetched - started, "build": build.elapsed, "total": done - started,
            "cpu": cpu,
            "new": new, "written": build.written, "errors": errors}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]))))
