"""``create_app``: one route table for the static site, the JSON API, events
and metrics.

Every API error has one shape, ``{"error": {"code": …, "message": …}}``;
every response carries the security headers (see :mod:`finews.web.headers`).
The OpenAPI document at ``/api/openapi.json`` is made from the same table.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import AsyncIterator, Callable

from prometheus_client import CONTENT_TYPE_LATEST
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..config import Settings
from ..errors import ConfigError, FinewsError, StoreError
from ..store.failures import driver_errors
from ..metrics import Metrics, store_figures
from . import apidoc
from .endpoints import ApiEndpoints, StoreAccess, StoreFactory
from .searchpool import SearchPool
from .headers import SecurityHeaders
from .openapi import Operation, document, undocumented
from .responses import store_unavailable
from .site import SiteEndpoints

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Endpoint:
    path: str
    handler: Callable
    methods: tuple[str, ...]
    doc: Operation | None      # every API route has one (see openapi.undocumented)


def _store_size(settings: Settings) -> Callable[[], int | None]:
    from ..store.open import size_bytes
    try:
        size_bytes(settings.store)
    except ConfigError:        # an unsupported URL: the requests will say so
        return lambda: None
    return lambda: size_bytes(settings.store)


def endpoints(settings: Settings, api: ApiEndpoints, metrics: Metrics,
              site: SiteEndpoints) -> list[Endpoint]:
    """The route table, most specific first; the site's files come last."""
    table: list[Endpoint] = []

    async def openapi(request: Request) -> Response:
        return JSONResponse(document([(e.path, e.doc) for e in table if e.doc],
                                     title=f"{settings.site.title} · finews API",
                                     version=__version__))

    async def scrape(request: Request) -> Response:
        return Response(await run_in_threadpool(metrics.render),
                        media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-cache"})

    get = ("GET", "HEAD")
    table += [
        Endpoint("/api/latest", api.latest, get, apidoc.LATEST),
        Endpoint("/api/status", api.status, get, apidoc.STATUS),
        Endpoint("/api/events", api.events, ("GET",), apidoc.EVENTS),
        Endpoint("/api/search", api.search_api, get, apidoc.SEARCH),
        Endpoint("/api/clusters", api.clusters, get, apidoc.CLUSTERS),
        Endpoint("/api/stocks/{stock_id}", api.stock, get, apidoc.STOCK),
        Endpoint("/api/openapi.json", openapi, get, apidoc.OPENAPI),
        Endpoint("/metrics", scrape, get, apidoc.METRICS),
        Endpoint("/search", api.search_html, get, None),
        Endpoint("/{path:path}", site.page, get, None),
    ]
    return table


def create_app(settings: Settings, store_factory: StoreFactory, *,
               events_interval: float = 1.0, metrics: Metrics | None = None) -> Starlette:
    """The finews web application for ``settings`` (site folder, sources).

    ``metrics`` is where the fetch and publish loops of the same program
    record (``finews run``); without it the app has metrics of its own.
    """
    metrics = metrics if metrics is not None else Metrics()
    stores = StoreAccess(store_factory)
    names = [s.name for s in settings.sources]
    size = _store_size(settings)
    metrics.watch_store(lambda: stores.call(lambda store: store_figures(store, names, size())))
    site = SiteEndpoints(settings.site_dir)
    api = ApiEndpoints(settings, stores, metrics, events_interval)
    table = endpoints(settings, api, metrics, site)
    missing = undocumented((e.path, e.doc) for e in table)
    if missing:
        raise RuntimeError(f"API routes without an OpenAPI operation: {missing}")

    async def store_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return store_unavailable(exc)
        return await site.server_error(request, exc)

    handlers: dict = {HTTPException: site.http_error, StoreError: store_error,
                      Exception: site.server_error}
    handlers.update({kind: store_error for kind in driver_errors(load=True)})
    app = Starlette(
        routes=[Route(e.path, e.handler, methods=list(e.methods)) for e in table],
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers=handlers,
        lifespan=partial(_lifespan, store_factory, api, settings),
    )
    app.state.metrics = metrics
    return app


@asynccontextmanager
async def _lifespan(store_factory: StoreFactory, api: ApiEndpoints, settings: Settings,
                    app: Starlette) -> AsyncIterator[None]:
    """While the server runs: one store held open, and the search workers
    (``serve.search_workers``) up."""
    workers = settings.serve.search_workers
    api.search_pool = SearchPool(settings, workers) if workers else None
    try:
        async with _keep_store_open(store_factory):
            yield
    finally:
        pool, api.search_pool = api.search_pool, None
        if pool is not None:
            await run_in_threadpool(pool.close)


@asynccontextmanager
async def _keep_store_open(store_factory: StoreFactory) -> AsyncIterator[None]:
    """One store held open while the server runs (never used for a request).

    Each request opens its own store; what a store keeps per database while
    any is open, such as search's warm read-only helper connections
    (``store.sqlite.readers``; on PostgreSQL the read-only connection pool),
    would otherwise be opened cold and closed again with every request.
    """
    # Opened and closed on this one thread: a connection must not change threads.
    try:
        keeper = store_factory()
    except (FinewsError, *driver_errors()) as exc:   # the requests will report it, one by one
        log.warning("could not open the store at start-up: %s", exc)
        keeper = None
    try:
        yield
    finally:
        if keeper is not None:
            keeper.close()
