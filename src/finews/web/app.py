"""``create_app``: one route table for the static site, the JSON API and events.

Handlers parse, call, respond. Every API error has one shape,
``{"error": {"code": …, "message": …}}``; every response carries the
security headers (see :mod:`finews.web.headers`).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import AsyncIterator, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (FileResponse, HTMLResponse, JSONResponse, PlainTextResponse,
                                 RedirectResponse, Response)
from starlette.routing import Route

from ..config import Settings
from ..errors import FinewsError, QueryError, StoreError
from ..store.base import Store
from .api import latest_payload, parse_limit, status_payload
from .clusters import clusters_payload, stock_payload
from .events import event_stream
from .headers import SecurityHeaders
from .search import search_page, search_payload
from .static import SiteFiles, content_type, safe_relative

log = logging.getLogger(__name__)

StoreFactory = Callable[[], Store]


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class _Handlers:
    def __init__(self, settings: Settings, store_factory: StoreFactory,
                 events_interval: float) -> None:
        self.settings = settings
        self.store_factory = store_factory
        self.files = SiteFiles(Path(settings.site_dir))
        self.events_interval = events_interval

    async def _with_store(self, work: Callable[[Store], object]) -> object:
        def run() -> object:
            # One connection per request, opened and closed in the worker
            # thread that uses it, so no connection is shared across threads.
            store = self.store_factory()
            try:
                return work(store)
            finally:
                store.close()
        return await run_in_threadpool(run)

    async def _api(self, work: Callable[[Store], object]) -> Response:
        try:
            return JSONResponse(await self._with_store(work))
        except QueryError as exc:
            return error_response(400, exc.code, exc.message)
        except StoreError as exc:
            log.warning("store unavailable: %s", exc)
            return error_response(503, exc.code, "the store is not available right now")
        except FinewsError as exc:
            return error_response(500, exc.code, exc.message)

    async def latest(self, request: Request) -> Response:
        try:
            limit = parse_limit(request.query_params.multi_items())
        except QueryError as exc:
            return error_response(400, exc.code, exc.message)
        base = self.settings.site.base_url
        return await self._api(lambda store: latest_payload(store, limit, base))

    async def status(self, request: Request) -> Response:
        if request.query_params:
            return error_response(400, QueryError.code, "/api/status takes no parameters")
        names = [s.name for s in self.settings.sources]
        return await self._api(lambda store: status_payload(store, names))

    async def search_api(self, request: Request) -> Response:
        params = _single_params(request)
        if isinstance(params, Response):
            return params
        site = self.settings.site
        return await self._api(lambda store: search_payload(store, params, site))

    async def search_html(self, request: Request) -> Response:
        params = _single_params(request)
        if isinstance(params, Response):
            return params
        site = self.settings.site
        try:
            if params.get("q", "").strip():
                html = await self._with_store(lambda store: search_page(store, params, site))
            else:
                html = search_page(None, params, site)
        except StoreError:
            return PlainTextResponse("search is not available right now", status_code=503)
        return HTMLResponse(html, headers={"Cache-Control": "no-cache"})

    async def clusters(self, request: Request) -> Response:
        params = _single_params(request)
        if isinstance(params, Response):
            return params
        base = self.settings.site.base_url
        return await self._api(lambda store: clusters_payload(store, params, base))

    async def stock(self, request: Request) -> Response:
        params = _single_params(request)
        if isinstance(params, Response):
            return params
        stock_id = request.path_params["stock_id"]
        base = self.settings.site.base_url
        try:
            found = await self._with_store(
                lambda store: stock_payload(store, stock_id, params, base))
        except QueryError as exc:
            return error_response(400, exc.code, exc.message)
        except StoreError:
            return error_response(503, StoreError.code, "the store is not available right now")
        if found is None:
            return error_response(404, "not_found", f"no story names the stock {stock_id!r}")
        return JSONResponse(found)

    async def events(self, request: Request) -> Response:
        latest = Path(self.settings.site_dir) / "latest.json"
        return event_stream(request, latest, self.events_interval)

    async def site(self, request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(404, "not_found", f"no API endpoint {request.url.path}")
        rel = safe_relative(request.scope["path"], request.scope.get("raw_path") or b"")
        found = self.files.find(rel) if rel is not None else None
        if isinstance(found, str):
            return RedirectResponse(found, status_code=301)
        if found is None:
            return self.not_found()
        path, rel = found
        media = content_type(rel)
        cache = "public, max-age=300" if rel.startswith("static/") else "no-cache"
        return FileResponse(path, media_type=media, headers={"Cache-Control": cache})

    def not_found(self) -> Response:
        page = Path(self.settings.site_dir) / "404.html"
        if page.is_file():
            return FileResponse(page, status_code=404, media_type=content_type("404.html"),
                                headers={"Cache-Control": "no-cache"})
        return PlainTextResponse("Not Found", status_code=404)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        if request.url.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http")
            return error_response(status, code, str(getattr(exc, "detail", "error")))
        if status == 404:
            return self.not_found()
        return PlainTextResponse(str(getattr(exc, "detail", "error")), status_code=status,
                                 headers=getattr(exc, "headers", None))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        log.exception("unexpected error serving %s", request.url.path, exc_info=exc)
        if request.url.path.startswith("/api/"):
            return error_response(500, "internal", "unexpected server error")
        return PlainTextResponse("Internal Server Error", status_code=500)


def _single_params(request: Request) -> dict[str, str] | Response:
    """Query parameters as a dict; a repeated one is refused, not silently merged."""
    items = request.query_params.multi_items()
    names = [name for name, _ in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        return error_response(400, QueryError.code,
                              f"parameter {repeated[0]!r} is given more than once")
    return dict(items)


def create_app(settings: Settings, store_factory: StoreFactory, *,
               events_interval: float = 1.0) -> Starlette:
    """The finews web application for ``settings`` (site folder, sources)."""
    h = _Handlers(settings, store_factory, events_interval)
    routes = [
        Route("/api/latest", h.latest, methods=["GET", "HEAD"]),
        Route("/api/status", h.status, methods=["GET", "HEAD"]),
        Route("/api/events", h.events, methods=["GET"]),
        Route("/api/search", h.search_api, methods=["GET", "HEAD"]),
        Route("/api/clusters", h.clusters, methods=["GET", "HEAD"]),
        Route("/api/stocks/{stock_id}", h.stock, methods=["GET", "HEAD"]),
        Route("/search", h.search_html, methods=["GET", "HEAD"]),
        Route("/{path:path}", h.site, methods=["GET", "HEAD"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: h.http_error, Exception: h.server_error},
        lifespan=partial(_keep_store_open, store_factory),
    )


@asynccontextmanager
async def _keep_store_open(store_factory: StoreFactory, app: Starlette) -> AsyncIterator[None]:
    """One store held open while the server runs (never used for a request).

    Each request opens its own store; what a store keeps per database while
    any is open, such as search's warm read-only helper connections
    (``store.readers``), would otherwise be opened cold and closed again
    with every request.
    """
    # Opened and closed on this one thread: a connection must not change threads.
    try:
        keeper = store_factory()
    except FinewsError as exc:   # the requests will report it, one by one
        log.warning("could not open the store at start-up: %s", exc)
        keeper = None
    try:
        yield
    finally:
        if keeper is not None:
            keeper.close()
