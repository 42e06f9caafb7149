"""The JSON API's handlers, the search page and the event stream.

Handlers parse, call, respond. Each request opens its own store in the
worker thread that uses it; a store that fails (locked, full, damaged,
missing) is a 503 with the one error shape, never a driver's exception.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from ..config import Settings
from ..errors import FinewsError, QueryError
from ..store.failures import is_store_error, store_failure
from ..metrics import Metrics
from ..store.base import Store
from .api import latest_payload, parse_limit, status_payload
from .clusters import clusters_payload, stock_payload
from .events import event_stream
from .responses import error_response, single_params, store_unavailable
from .search import search_page, search_payload
from .searchpool import SearchPool

StoreFactory = Callable[[], Store]


class _NotFound(Exception):
    """The thing a JSON endpoint was asked for does not exist."""


class StoreAccess:
    """Runs work on a store of its own in a worker thread."""

    def __init__(self, factory: StoreFactory) -> None:
        self.factory = factory

    def call(self, work: Callable[[Store], object]) -> object:
        # Opened and closed in the thread that uses it: a connection is
        # never shared across threads.
        store = self.factory()
        try:
            return work(store)
        finally:
            store.close()

    async def run(self, work: Callable[[Store], object]) -> object:
        return await run_in_threadpool(self.call, work)


class ApiEndpoints:
    def __init__(self, settings: Settings, stores: StoreAccess, metrics: Metrics,
                 events_interval: float) -> None:
        self.settings = settings
        self.stores = stores
        self.metrics = metrics
        self.events_interval = events_interval
        #: Set while the app runs with ``serve.search_workers`` (web.app's lifespan).
        self.search_pool: SearchPool | None = None

    async def _json(self, work: Callable[[Store], object]) -> Response:
        try:
            return JSONResponse(await self.stores.run(work))
        except QueryError as exc:
            return error_response(400, exc.code, exc.message)
        except Exception as exc:
            if is_store_error(exc):
                return store_unavailable(exc)
            if isinstance(exc, FinewsError):
                return error_response(500, exc.code, exc.message)
            raise

    def _search(self, store: Store, params: dict[str, str]) -> dict:
        with self.metrics.time_search():
            pool = self.search_pool
            if pool is not None:
                return pool.search(params)
            return search_payload(store, params, self.settings.site)

    async def latest(self, request: Request) -> Response:
        try:
            limit = parse_limit(request.query_params.multi_items())
        except QueryError as exc:
            return error_response(400, exc.code, exc.message)
        base = self.settings.site.base_url
        return await self._json(lambda store: latest_payload(store, limit, base))

    async def status(self, request: Request) -> Response:
        if request.query_params:
            return error_response(400, QueryError.code, "/api/status takes no parameters")
        names = [s.name for s in self.settings.sources]
        return await self._json(lambda store: status_payload(store, names))

    async def search_api(self, request: Request) -> Response:
        params = single_params(request)
        if isinstance(params, Response):
            return params
        return await self._json(lambda store: self._search(store, params))

    async def clusters(self, request: Request) -> Response:
        params = single_params(request)
        if isinstance(params, Response):
            return params
        base = self.settings.site.base_url
        return await self._json(lambda store: clusters_payload(store, params, base))

    async def stock(self, request: Request) -> Response:
        params = single_params(request)
        if isinstance(params, Response):
            return params
        stock_id = request.path_params["stock_id"]
        base = self.settings.site.base_url

        def work(store: Store) -> dict:
            found = stock_payload(store, stock_id, params, base)
            if found is None:
                raise _NotFound(f"no story names the stock {stock_id[:40]!r}")
            return found
        try:
            return await self._json(work)
        except _NotFound as exc:
            return error_response(404, "not_found", str(exc))

    async def search_html(self, request: Request) -> Response:
        params = single_params(request)
        if isinstance(params, Response):
            return params
        site = self.settings.site
        try:
            if params.get("q", "").strip():
                html = await self.stores.run(
                    lambda store: search_page(store, params, site, search=self._search))
            else:
                html = search_page(None, params, site)
        except Exception as exc:
            if not is_store_error(exc):
                raise
            failure = store_failure(exc)
            message = failure.public_message() if failure else \
                "the store is not available right now"
            return PlainTextResponse(f"search is not available right now ({message})",
                                     status_code=503)
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    async def events(self, request: Request) -> Response:
        latest = Path(self.settings.site_dir) / "latest.json"
        return event_stream(request, latest, self.events_interval)
