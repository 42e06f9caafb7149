"""``finews run``: poll every source on its interval, store, publish, serve.

One asyncio loop holds three things: the web server, the poller and the
publisher. Fetching is I/O and runs on the loop; building pages is CPU work
and runs in a worker thread on its own store connection, so the server keeps
answering while pages are written. A stop request (Ctrl-C, SIGTERM) is
honoured between steps: a pass or a build in progress finishes first, so
nothing is left half done.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from .cluster import RecentFingerprints
from .building import build_once, describe_build, store_for
from .config import Settings
from .fetch import Fetcher
from .ingest import PassReport, due_sources, fetch_pass
from .metrics import Metrics

#: The loop looks for due sources this often (seconds) when nothing is due.
TICK = 1.0


@dataclass(slots=True)
class RunOptions:
    serve: bool = True
    #: Stop after this many passes (tests, benchmarks); None runs until stopped.
    max_passes: int | None = None


def _install_stop(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass


async def run(settings: Settings, *, options: RunOptions | None = None,
              stop: asyncio.Event | None = None,
              say: Callable[[str], None] = print, metrics: Metrics | None = None) -> None:
    """``metrics`` receives every pass and build; the web server serves them at
    ``/metrics`` (one registry for the loops and the server of this program)."""
    options = options or RunOptions()
    stop = stop or asyncio.Event()
    metrics = metrics if metrics is not None else Metrics()
    _install_stop(stop)
    server_task = None
    if options.serve:
        from .web.app import create_app
        from .web.serve import serve_async
        app = create_app(settings, lambda: store_for(settings, readonly=True),
                         metrics=metrics)
        # The site must exist before the first request.
        metrics.record_build(await asyncio.to_thread(build_once, settings))
        server_task = asyncio.create_task(serve_async(
            app, settings.serve.host, settings.serve.port, should_stop=stop))
        say(f"serving {settings.site_dir} at http://{settings.serve.host}:"
            f"{settings.serve.port}/")
    passes = 0
    store = store_for(settings)
    # What this loop clustered stays in memory from pass to pass.
    recent = RecentFingerprints()
    try:
        async with Fetcher(settings.fetch) as fetcher:
            while not stop.is_set():
                due = due_sources(settings, store, datetime.now(timezone.utc))
                if due:
                    report: PassReport = await fetch_pass(settings, store, fetcher,
                                                          sources=due,
                                                          progress=metrics.record_fetch,
                                                          recent=recent)
                    passes += 1
                    if report.changed_ids or report.total("quarantined") or any(
                            src.error for src in report.sources):
                        say(f"fetched {report.summary()}")
                    for src in report.sources:
                        if src.error:
                            say(f"  {src.source}: {src.error}")
                    if report.changed_ids:
                        built = await asyncio.to_thread(build_once, settings)
                        metrics.record_build(built)
                        say(f"published {len(report.changed_ids)} changed stories: "
                            f"{describe_build(built)}")
                    if options.max_passes is not None and passes >= options.max_passes:
                        break
                try:
                    await asyncio.wait_for(stop.wait(), timeout=TICK)
                except asyncio.TimeoutError:
                    pass
    finally:
        store.close()
        stop.set()
        if server_task is not None:
            await server_task
