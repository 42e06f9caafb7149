"""The published site's files, the 404 page, and errors outside the API."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

from ..store.failures import is_store_error
from .files import OpenedFileResponse, open_file
from .responses import error_response, store_unavailable
from .static import SiteFiles, content_type, safe_relative

log = logging.getLogger(__name__)


class SiteEndpoints:
    def __init__(self, site_dir: Path) -> None:
        self.site_dir = Path(site_dir)
        self.files = SiteFiles(self.site_dir)

    async def page(self, request: Request) -> Response:
        if request.url.path.startswith("/api/"):
            return error_response(404, "not_found", f"no API endpoint {request.url.path}")
        rel = safe_relative(request.scope["path"], request.scope.get("raw_path") or b"")
        found = self.files.find(rel) if rel is not None else None
        if isinstance(found, str):
            return RedirectResponse(found, status_code=301)
        if found is None:
            return await self.not_found()
        path, rel = found
        # Opened once: the length and the bytes sent are of one version of
        # the file, even if the publisher renames a new one over it meanwhile.
        opened = await run_in_threadpool(open_file, path)
        if opened is None:       # removed since it was found
            return await self.not_found()
        cache = "public, max-age=300" if rel.startswith("static/") else "no-cache"
        return OpenedFileResponse(opened, media_type=content_type(rel),
                                  headers={"Cache-Control": cache})

    async def not_found(self) -> Response:
        opened = await run_in_threadpool(open_file, self.site_dir / "404.html")
        if opened is not None:
            return OpenedFileResponse(opened, status_code=404,
                                      media_type=content_type("404.html"),
                                      headers={"Cache-Control": "no-cache"})
        return PlainTextResponse("Not Found", status_code=404)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        if request.url.path.startswith("/api/"):
            code = {404: "not_found", 405: "method_not_allowed"}.get(status, "http")
            return error_response(status, code, str(getattr(exc, "detail", "error")))
        if status == 404:
            return await self.not_found()
        return PlainTextResponse(str(getattr(exc, "detail", "error")), status_code=status,
                                 headers=getattr(exc, "headers", None))

    async def server_error(self, request: Request, exc: Exception) -> Response:
        api = request.url.path.startswith("/api/")
        if is_store_error(exc):     # whichever handler let it through
            if api:
                return store_unavailable(exc)
            return PlainTextResponse("the store is not available right now", status_code=503)
        log.exception("unexpected error serving %s", request.url.path, exc_info=exc)
        if api:
            return error_response(500, "internal", "unexpected server error")
        return PlainTextResponse("Internal Server Error", status_code=500)
