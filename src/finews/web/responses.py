"""The answers every part of the web app shares: the one JSON error shape,
store failures as 503, and query parameters that may not repeat."""

from __future__ import annotations

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import QueryError, StoreError
from ..store.failures import store_failure

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status,
                        headers=headers)


def store_unavailable(exc: BaseException) -> JSONResponse:
    """A 503 saying what is wrong with the store (no path, no driver text)."""
    failure = store_failure(exc)
    log.warning("store unavailable: %s", exc)
    if failure is None:
        return error_response(503, StoreError.code, "the store is not available right now")
    headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else None
    return error_response(503, failure.code, failure.public_message(), headers)


def single_params(request: Request) -> dict[str, str] | Response:
    """Query parameters as a dict; a repeated one is refused, not silently merged."""
    items = request.query_params.multi_items()
    names = [name for name, _ in items]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        return error_response(400, QueryError.code,
                              f"parameter {repeated[0]!r} is given more than once")
    return dict(items)
