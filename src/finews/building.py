"""Opening the configured store and publishing the site once.

What ``finews build`` and ``finews serve`` need, kept apart from
:mod:`.runner` so that these commands do not import the fetching and
clustering machinery (httpx, feedparser, NumPy) that only ``finews run``
uses: a user times the whole command, start-up included.
"""

from __future__ import annotations

from typing import Callable

from .config import Settings
from .store import open_store
from .store.base import Store


def store_for(settings: Settings, *, readonly: bool = False) -> Store:
    """The store ``settings`` names (``store.url``), opened."""
    return open_store(settings.store, settings.site.tz, readonly=readonly)


def describe_build(report) -> str:
    kind = "full build" if report.full else "incremental build"
    return (f"{kind}: {report.written} pages written, {report.unchanged} unchanged, "
            f"{report.elapsed:.2f} s")


def build_once(settings: Settings, *, full: bool = False,
               progress: Callable[..., None] | None = None):
    """One publish step on its own store connection (safe in a worker thread)."""
    from .publish.site import build_site
    with store_for(settings) as store:
        return build_site(store, settings.site_dir, settings.site, full=full,
                          progress=progress, search_action=settings.site.search_action)


def build_as_publisher(settings: Settings, *, full: bool = False,
                       progress: Callable[..., None] | None = None):
    """:func:`build_once` holding the store's publisher role for the build,
    so it never writes beside a running publisher (RoleBusyError names it)."""
    import os
    import socket
    from .store.coordination import hold_publisher
    hold = hold_publisher(settings.store, f"finews build on {socket.gethostname()} pid "
                          f"{os.getpid()} into {settings.site_dir.resolve()}")
    try:
        return build_once(settings, full=full, progress=progress)
    finally:
        hold.release()
