"""``finews run``: poll every source on its interval, store, publish, serve.

A process takes one role or all of them (``--role``):

* **fetch**: claims due sources through the store (``Store.lease_sources``),
  polls them and stores what they serve. Any number of fetch workers may
  share a PostgreSQL store, each source polled by one of them at a time; a
  SQLite store takes one (``store.coordination.hold_fetcher``).
* **publish**: follows the store's change sequence and writes the site;
  one publisher per store (``hold_publisher``), woken by any worker's
  commit (``listen_changes``).
* **serve**: the web server over the site folder and the store.
* **all** (the default): the three in one process, as on one machine.

One asyncio loop holds them. Fetching is I/O and runs on the loop; building
pages is CPU work and runs in a worker thread on its own store connection,
so the server keeps answering while pages are written. A stop request
(Ctrl-C, SIGTERM) is honoured between steps: a pass or a build in progress
finishes first, so nothing is left half done, and a stopping fetch worker
hands its leases back at once.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from .building import build_once, describe_build, store_for
from .config import Settings
from .errors import ConfigError, RoleBusyError
from .metrics import Metrics

#: The loop looks for due sources (and unpublished changes) this often
#: (seconds) when nothing woke it sooner.
TICK = 1.0
ROLES = ("all", "fetch", "publish", "serve")


@dataclass(slots=True)
class RunOptions:
    role: str = "all"
    #: ``all`` without the web server (``--no-serve``).
    serve: bool = True
    #: A publisher that finds the role taken waits for it instead of exiting.
    standby: bool = False
    #: Stop after this many passes (tests, benchmarks); None runs until stopped.
    max_passes: int | None = None


def worker_name() -> str:
    """Who this process is, for leases and for a refused process's sentence."""
    return f"{socket.gethostname()} pid {os.getpid()} #{secrets.token_hex(3)}"


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
    if options.role not in ROLES:
        raise ConfigError(f"--role must be one of {', '.join(ROLES)}, not {options.role!r}")
    stop = stop or asyncio.Event()
    metrics = metrics if metrics is not None else Metrics()
    _install_stop(stop)
    role = options.role
    me = worker_name()
    fetching = role in ("all", "fetch")
    publishing = role in ("all", "publish")
    serving = role == "serve" or (role == "all" and options.serve)
    if fetching and not [s for s in settings.sources if s.enabled]:
        raise ConfigError("no sources are configured: add [[sources]] to finews.toml")
    # Roles are taken before anything starts, so a refused process says why
    # and exits without having fetched, written or listened to anything.
    from .store.coordination import hold_fetcher
    fetch_hold = hold_fetcher(settings.store, me) if fetching else None
    try:
        publisher = (await _Publisher.start(settings, me, options.standby, stop, say, metrics)
                     if publishing else None)
        if publishing and publisher is None:      # stopped while on standby
            return
        tasks = []
        try:
            if serving:
                tasks.append(asyncio.create_task(_serve(settings, metrics, stop, say)))
            if publisher is not None:
                tasks.append(asyncio.create_task(publisher.follow()))
            if fetching:
                tasks.append(asyncio.create_task(_fetch(
                    settings, me, options, stop, say, metrics,
                    publisher.wake if publisher is not None else None)))
            # The first role to end (a stop, max_passes, an error) ends them all.
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            stop.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    raise result
        finally:
            stop.set()
            for task in tasks:
                task.cancel()
            if publisher is not None:
                publisher.close()
    finally:
        if fetch_hold is not None:
            fetch_hold.release()


async def _serve(settings: Settings, metrics: Metrics, stop: asyncio.Event,
                 say: Callable[[str], None]) -> None:
    from .web.app import create_app
    from .web.serve import serve_async
    app = create_app(settings, lambda: store_for(settings, readonly=True), metrics=metrics)
    say(f"serving {settings.site_dir} at http://{settings.serve.host}:"
        f"{settings.serve.port}/")
    await serve_async(app, settings.serve.host, settings.serve.port, should_stop=stop)


class _Publisher:
    """The publish role: builds whenever the store has unpublished changes."""

    def __init__(self, settings: Settings, hold, stop: asyncio.Event,
                 say: Callable[[str], None], metrics: Metrics) -> None:
        from .store.coordination import listen_changes
        self._settings = settings
        self._hold = hold
        self._stop = stop
        self._say = say
        self._metrics = metrics
        self._listener = listen_changes(settings.store)
        self._woken = asyncio.Event()

    @classmethod
    async def start(cls, settings: Settings, me: str, standby: bool, stop: asyncio.Event,
                    say: Callable[[str], None], metrics: Metrics) -> "_Publisher | None":
        from .store.coordination import hold_publisher
        holder = f"{me} into {settings.site_dir.resolve()}"
        told = False
        while True:
            try:
                hold = hold_publisher(settings.store, holder)
                break
            except RoleBusyError as exc:
                if not standby:
                    raise
                if not told:
                    say(f"standing by: {exc}")
                    told = True
            try:
                await asyncio.wait_for(stop.wait(), timeout=TICK)
                return None
            except asyncio.TimeoutError:
                pass
        if told:
            say("taking over publishing")
        publisher = cls(settings, hold, stop, say, metrics)
        # The site must exist before the first request.
        try:
            await publisher._build(first=True)
        except BaseException:
            publisher.close()
            raise
        say(f"publishing into {settings.site_dir}")
        return publisher

    def wake(self) -> None:
        """Called by this process's own fetcher after it stored changes."""
        self._woken.set()

    async def follow(self) -> None:
        from .publish.site import unpublished
        listening: asyncio.Task | None = None
        with store_for(self._settings, readonly=True) as store:
            while not self._stop.is_set():
                if listening is None or listening.done():
                    # One wait at a time on the listener's connection; it
                    # ends by itself within a tick.
                    listening = asyncio.create_task(
                        asyncio.to_thread(self._listener.wait, TICK))
                woken = asyncio.create_task(self._woken.wait())
                stopping = asyncio.create_task(self._stop.wait())
                await asyncio.wait({listening, woken, stopping},
                                   return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
                stopping.cancel()
                if self._stop.is_set():
                    break
                self._woken.clear()
                if await asyncio.to_thread(unpublished, store):
                    await self._build()
            if listening is not None:
                await asyncio.gather(listening, return_exceptions=True)

    async def _build(self, first: bool = False) -> None:
        await asyncio.to_thread(self._hold.check)
        built = await asyncio.to_thread(build_once, self._settings)
        self._metrics.record_build(built)
        if built.stories or not first:
            self._say(f"published {built.stories} changed stories: {describe_build(built)}")

    def close(self) -> None:
        self._listener.close()
        self._hold.release()


async def _fetch(settings: Settings, me: str, options: RunOptions, stop: asyncio.Event,
                 say: Callable[[str], None], metrics: Metrics,
                 changed: Callable[[], None] | None) -> None:
    """Lease due sources a few at a time, poll them, hand the leases back.

    A pass is every lease taken until none is due; ``max_passes`` counts them.
    A store that fails (a PostgreSQL restart, a full disk) stops nothing: the
    worker says so, waits and tries again, and what it held is polled by
    the others once its leases run out.
    """
    from .cluster import RecentFingerprints
    from .errors import StoreError
    from .fetch import Fetcher
    sources = {src.name: src for src in settings.sources if src.enabled}
    passes = 0
    # What this loop clustered stays in memory from pass to pass.
    recent = RecentFingerprints()
    store = store_for(settings)
    try:
        store.register_sources(list(sources))
        async with Fetcher(settings.fetch) as fetcher:
            fetched = False
            failing = False
            while not stop.is_set():
                try:
                    polled = await _fetch_leased(settings, store, fetcher, me, sources, say,
                                                 metrics, changed, recent)
                    if failing:
                        say("the store answers again")
                        failing = False
                except StoreError as exc:
                    if not failing:
                        say(f"cannot use the store, trying again: {exc}")
                        failing = True
                    await _pause(stop, TICK * 5)
                    continue
                if polled:
                    fetched = True
                    continue
                if fetched:
                    fetched = False
                    passes += 1
                    if options.max_passes is not None and passes >= options.max_passes:
                        if changed is not None:
                            # This process publishes too: the last changes
                            # reach the site before it stops.
                            await _settle(settings, stop)
                        break
                await _pause(stop, TICK)
    finally:
        try:
            store.release_sources(me)
        except StoreError:
            pass              # the leases run out by themselves
        finally:
            store.close()


async def _fetch_leased(settings: Settings, store, fetcher, me: str, sources: dict,
                        say: Callable[[str], None], metrics: Metrics,
                        changed: Callable[[], None] | None, recent) -> bool:
    """Lease a batch of due sources and poll each; whether any was due."""
    from .ingest import PassReport, fetch_pass
    lease = timedelta(seconds=settings.fetch.lease)
    now = datetime.now(timezone.utc)
    names = store.lease_sources(list(sources), worker=me, now=now, until=now + lease,
                                limit=settings.fetch.lease_batch)
    if not names:
        return False
    # In the configuration's order, as `finews fetch` polls them: which of
    # two lists serving one story keeps it does not depend on the worker.
    order = {name: n for n, name in enumerate(sources)}
    names.sort(key=order.__getitem__)
    report = PassReport()
    for name in names:
        # The lease is renewed as each source's turn comes, so it need only
        # outlast one source's pass; one that ran out meanwhile (a long
        # pause of this process) belongs to another worker now.
        if not store.renew_lease(name, worker=me,
                                 until=datetime.now(timezone.utc) + lease):
            continue
        one = await fetch_pass(settings, store, fetcher, sources=[sources[name]],
                               progress=metrics.record_fetch, recent=recent)
        report.sources += one.sources
    if report.changed_ids or report.total("quarantined") or any(
            src.error for src in report.sources):
        say(f"fetched {report.summary()}")
    for src in report.sources:
        if src.error:
            say(f"  {src.source}: {src.error}")
    if report.changed_ids and changed is not None:
        changed()
    return True


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), timeout=seconds)
    except asyncio.TimeoutError:
        pass


async def _settle(settings: Settings, stop: asyncio.Event) -> None:
    """Wait (a little) until everything stored is published, for ``max_passes``."""
    from .publish.site import unpublished
    with store_for(settings, readonly=True) as store:
        for _ in range(int(30 / 0.05)):
            if stop.is_set() or not await asyncio.to_thread(unpublished, store):
                return
            await asyncio.sleep(0.05)
