"""The fetcher: one GET, answered as a :class:`FetchResult` or a FetchError.

Everything a source needs to be polled politely lives here: timeouts, a size
cap, retries with back-off, conditional GET, redirects re-checked by the URL
policy, and a per-host concurrency limit. httpx is used only inside this
module; its exceptions become :class:`FetchError` here and nowhere else.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Awaitable, Callable, Mapping

import httpx

from ..config import FetchSettings
from ..errors import FetchError
from .headers import (backoff_delay, parse_content_type, parse_retry_after,
                      request_headers, without_credentials)
from .policy import check_url_async
from .result import FetchResult

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[object]]

MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
# The read timeout bounds each read, so a server dripping a byte at a time
# could hold a slot for ever; a whole request is also bounded, by the connect
# timeout plus this many read timeouts.
_READS_PER_REQUEST = 4


@dataclass(frozen=True, slots=True)
class _Answer:
    """One HTTP answer, before it becomes a FetchResult."""

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes


class Fetcher:
    """Fetches URLs for finews; one instance is shared by a whole run.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests);
    ``sleep`` and ``rng`` replace the back-off's waiting and randomness.
    """

    def __init__(self, settings: FetchSettings, *,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Sleep = asyncio.sleep,
                 rng: Callable[[], float] = random.random) -> None:
        self._settings = settings
        self._sleep = sleep
        self._rng = rng
        self._deadline = settings.connect_timeout + _READS_PER_REQUEST * settings.read_timeout
        timeout = httpx.Timeout(connect=settings.connect_timeout,
                                read=settings.read_timeout,
                                write=settings.read_timeout,
                                pool=self._deadline)
        # trust_env=False: a proxy from the environment would connect on our
        # behalf and make the address check meaningless.
        self._client = httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=False,
            trust_env=False,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip"})
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def get(self, url: str, *, headers: Mapping[str, str] | None = None,
                  etag: str | None = None, last_modified: str | None = None,
                  allow_private: bool = False) -> FetchResult:
        """GET ``url``, following redirects and retrying passing failures.

        Raises BlockedURLError when the policy refuses a URL (the first or a
        redirect hop), FetchError otherwise; ``FetchError.retryable`` says
        whether trying later may help and ``retry_after`` how long to wait.
        """
        allow = allow_private or self._settings.allow_private
        sent = request_headers(headers, etag, last_modified)
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self._follow(url, sent, allow)
            except FetchError as exc:
                delay = self._retry_delay(exc, attempt)
                log.info("retrying %s in %.2f s: %s", url, delay, exc)
                await self._sleep(delay)
                continue
            return _result(url, answer, etag, last_modified,
                           time.monotonic() - started, attempt)

    def _retry_delay(self, exc: FetchError, attempt: int) -> float:
        """Seconds to wait before the next attempt; raises when giving up."""
        s = self._settings
        if not exc.retryable:
            raise exc
        wait = exc.retry_after
        if wait is not None and wait > s.backoff_max:
            raise FetchError(
                f"{exc}; it asks to wait {wait:g} s, longer than fetch.backoff_max "
                f"({s.backoff_max:g} s), so finews gives up for now",
                url=exc.url, retryable=True, retry_after=wait, kind=exc.kind) from exc
        if attempt > s.retries:
            raise FetchError(f"{exc} (gave up after {attempt} attempts)",
                             url=exc.url, retryable=True, retry_after=wait,
                             kind=exc.kind) from exc
        if wait is not None:
            return wait
        return backoff_delay(attempt - 1, s.backoff_base, s.backoff_max, self._rng())

    async def _follow(self, url: str, headers: dict[str, str], allow: bool) -> _Answer:
        """One attempt: the request and its redirects, each hop checked first."""
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            await check_url_async(current, allow_private=allow)
            answer = await self._send(current, headers)
            location = answer.headers.get("location")
            if answer.status not in _REDIRECTS or not location:
                _raise_for_status(answer, current)
                return answer
            target = _redirect_target(current, location)
            if _origin(target) != _origin(current):
                headers = without_credentials(headers)
            current = target
        raise FetchError(f"{url} redirects more than {MAX_REDIRECTS} times; "
                         "check the source URL", url=url, retryable=False, kind="redirect")

    def _slot(self, host: str) -> asyncio.Semaphore:
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(self._settings.per_host)
        return slot

    async def _send(self, url: str, headers: dict[str, str]) -> _Answer:
        """One request; only a 2xx body is read (and capped)."""
        s = self._settings
        async with self._slot(httpx.URL(url).host):
            try:
                async with asyncio.timeout(self._deadline):
                    async with self._client.stream("GET", url, headers=headers) as resp:
                        ok = 200 <= resp.status_code < 300
                        body = await self._read_body(resp, url) if ok else b""
                        return _Answer(str(resp.url), resp.status_code,
                                       resp.reason_phrase, resp.headers, body)
            except httpx.ConnectTimeout as exc:
                raise _transport_error(url, f"could not connect within "
                                       f"{s.connect_timeout:g} s", exc, "timeout") from exc
            except httpx.TimeoutException as exc:
                raise _transport_error(url, f"sent nothing for {s.read_timeout:g} s",
                                       exc, "timeout") from exc
            except TimeoutError as exc:
                raise _transport_error(url, f"took longer than {self._deadline:g} s",
                                       exc, "timeout") from exc
            except httpx.DecodingError as exc:
                raise FetchError(f"{url} sent a body that cannot be decoded: {exc}",
                                 url=url, retryable=False, kind="decode") from exc
            except httpx.TransportError as exc:
                raise _transport_error(url, "failed", exc) from exc
            except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
                raise FetchError(f"{url} could not be fetched: {exc}",
                                 url=url, retryable=False) from exc

    async def _read_body(self, resp: httpx.Response, url: str) -> bytes:
        limit = self._settings.max_bytes
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise _too_big(url, limit, f"it announces {int(declared)} bytes")
        chunks: list[bytes] = []
        size = 0
        # Counted after gzip decoding, so a small compressed answer that
        # inflates past the limit is refused too.
        async for chunk in resp.aiter_bytes(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_big(url, limit, "it sent more")
            chunks.append(chunk)
        return b"".join(chunks)


def _transport_error(url: str, what: str, exc: Exception,
                     kind: str = "network") -> FetchError:
    detail = str(exc) or type(exc).__name__
    return FetchError(f"{url} {what} ({detail})", url=url, retryable=True, kind=kind)


def _too_big(url: str, limit: int, why: str) -> FetchError:
    return FetchError(f"{url} is refused: {why} and the limit is {limit} bytes "
                      "(fetch.max_bytes)", url=url, retryable=False, kind="too_large")


def _origin(url: str) -> tuple[str, bytes]:
    parsed = httpx.URL(url)
    return parsed.scheme, parsed.netloc


def _redirect_target(current: str, location: str) -> str:
    try:
        return str(httpx.URL(current).join(location))
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"{current} redirects to an invalid URL {location!r}",
                         url=current, retryable=False, kind="redirect") from exc


def _raise_for_status(answer: _Answer, url: str) -> None:
    status = answer.status
    if 200 <= status < 300 or status == 304:
        return
    what = f"{url} answered {status} {answer.reason}".rstrip()
    if status == 429 or status >= 500:
        wait = parse_retry_after(answer.headers.get("retry-after"),
                                 datetime.now(timezone.utc))
        raise FetchError(what, url=url, retryable=True, retry_after=wait, kind="status")
    raise FetchError(f"{what}; check the source URL and headers", url=url,
                     retryable=False, kind="status")


def _result(url: str, answer: _Answer, etag: str | None, last_modified: str | None,
            elapsed: float, attempts: int) -> FetchResult:
    headers = answer.headers
    content_type, charset = parse_content_type(headers.get("content-type"))
    not_modified = answer.status == 304
    return FetchResult(
        url=url, final_url=answer.url, status=answer.status, body=answer.body,
        charset=charset, content_type=content_type, not_modified=not_modified,
        # A 304 may omit the validators; the ones asked with still hold then.
        etag=headers.get("etag") or (etag if not_modified else None),
        last_modified=headers.get("last-modified") or (last_modified if not_modified
                                                       else None),
        retry_after=parse_retry_after(headers.get("retry-after"),
                                      datetime.now(timezone.utc)),
        elapsed=elapsed, attempts=attempts)
