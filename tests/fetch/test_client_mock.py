"""The fetcher on httpx.MockTransport: what a local server cannot show.

Hosts here are public IP literals, so the URL policy needs no DNS and the
redirect checks run exactly as they would in production.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Callable

import httpx
import pytest

from finews.errors import BlockedURLError, FetchError
from finews.fetch import Fetcher, FetchResult

from .conftest import TEST_SETTINGS, Sleeps

PUBLIC = "http://93.184.216.34"
OTHER_PUBLIC = "https://203.0.114.7"  # outside the 203.0.113/24 documentation range

Handler = Callable[[httpx.Request], httpx.Response]


def run(handler: Handler, url: str, sleeps: Sleeps | None = None, *,
        settings=TEST_SETTINGS, rng=lambda: 1.0, **kwargs) -> FetchResult:
    async def go() -> FetchResult:
        transport = httpx.MockTransport(handler)
        async with Fetcher(settings, transport=transport, sleep=sleeps or Sleeps(),
                           rng=rng) as fetcher:
            return await fetcher.get(url, **kwargs)
    return asyncio.run(go())


def redirect_to(target: str, seen: list[str]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if str(request.url).startswith(PUBLIC):
            return httpx.Response(302, headers={"Location": target})
        return httpx.Response(200, text="reached")
    return handler


@pytest.mark.parametrize("target", [
    "http://10.0.0.1/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8080/",
    "http://[::1]/",
    "http://[::ffff:192.168.1.1]/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://localhost/",
    "http://printer.localhost/",
    "file:///etc/passwd",
    "ftp://93.184.216.35/",
    "http://user:secret@93.184.216.35/",
])
def test_redirect_to_a_refused_url_is_blocked(target: str) -> None:
    seen: list[str] = []
    with pytest.raises(BlockedURLError) as info:
        run(redirect_to(target, seen), PUBLIC + "/news")
    assert not info.value.retryable
    assert seen == [PUBLIC + "/news"]  # the refused hop was never requested


@pytest.mark.parametrize("target", ["http://10.0.0.1/admin", "http://[::1]/"])
def test_redirect_to_private_address_is_followed_when_allowed(target: str) -> None:
    seen: list[str] = []
    result = run(redirect_to(target, seen), PUBLIC + "/news", allow_private=True)
    assert result.body == b"reached" and result.final_url == target
    assert seen == [PUBLIC + "/news", target]


def test_redirect_to_another_public_host_is_followed() -> None:
    seen: list[str] = []
    result = run(redirect_to(OTHER_PUBLIC + "/story", seen), PUBLIC + "/news")
    assert result.final_url == OTHER_PUBLIC + "/story"
    assert result.url == PUBLIC + "/news"


def test_credentials_do_not_follow_a_redirect_to_another_origin() -> None:
    sent: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers)
        if request.url.host == "93.184.216.34":
            return httpx.Response(302, headers={"Location": OTHER_PUBLIC + "/"})
        return httpx.Response(200)
    run(handler, PUBLIC + "/", headers={"Authorization": "Bearer x", "Cookie": "a=1",
                                        "Referer": "https://example.org/"})
    assert sent[0]["authorization"] == "Bearer x" and sent[0]["cookie"] == "a=1"
    assert "authorization" not in sent[1] and "cookie" not in sent[1]
    assert sent[1]["referer"] == "https://example.org/"


def test_redirect_to_an_out_of_range_port_is_blocked() -> None:
    with pytest.raises(BlockedURLError) as info:
        run(redirect_to("http://93.184.216.34:99999/", []), PUBLIC + "/")
    assert "port 99999" in str(info.value)


def test_unparsable_location_is_a_fetch_error() -> None:
    # httpx reads the Location header itself and calls a bad one a protocol
    # error, which the fetcher treats like any other passing network fault.
    with pytest.raises(FetchError) as info:
        run(redirect_to("http://[::1", []), PUBLIC + "/")
    assert "location header" in str(info.value).lower()


def test_3xx_without_location_is_not_retried() -> None:
    with pytest.raises(FetchError) as info:
        run(lambda request: httpx.Response(300), PUBLIC + "/")
    assert not info.value.retryable and "300" in str(info.value)


@pytest.mark.parametrize("rng, expected", [
    (1.0, [1.0, 2.0, 4.0, 5.0, 5.0]),   # doubling, then capped at backoff_max
    (0.5, [0.5, 1.0, 2.0, 2.5, 2.5]),   # full jitter scales the whole delay
    (0.0, [0.0, 0.0, 0.0, 0.0, 0.0]),
])
def test_backoff_sequence(rng: float, expected: list[float]) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, retries=5, backoff_base=1.0,
                                   backoff_max=5.0)
    sleeps = Sleeps()
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(502)
    with pytest.raises(FetchError) as info:
        run(handler, PUBLIC + "/", sleeps, settings=settings, rng=lambda: rng)
    assert sleeps.delays == expected
    assert len(calls) == 6 and "gave up after 6 attempts" in str(info.value)


def test_retry_after_as_http_date() -> None:
    sleeps = Sleeps()
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=120),
                           usegmt=True)
    with pytest.raises(FetchError) as info:
        run(lambda request: httpx.Response(429, headers={"Retry-After": when}),
            PUBLIC + "/", sleeps)
    # 120 s is past backoff_max (5 s): give up at once and tell the scheduler.
    assert sleeps.delays == []
    assert 100 < info.value.retry_after <= 120


def test_malformed_retry_after_falls_back_to_backoff() -> None:
    sleeps = Sleeps()
    with pytest.raises(FetchError) as info:
        run(lambda request: httpx.Response(503, headers={"Retry-After": "soon"}),
            PUBLIC + "/", sleeps)
    assert sleeps.delays == [0.1, 0.2] and info.value.retry_after is None


@pytest.mark.parametrize("exc, retryable", [
    (httpx.ConnectError("refused"), True),
    (httpx.ConnectTimeout("slow"), True),
    (httpx.ReadTimeout("slow"), True),
    (httpx.WriteTimeout("slow"), True),
    (httpx.PoolTimeout("busy"), True),
    (httpx.ReadError("reset"), True),
    (httpx.WriteError("reset"), True),
    (httpx.RemoteProtocolError("garbage"), True),
    (httpx.LocalProtocolError("bad"), True),
    (httpx.ProxyError("proxy"), True),
    (httpx.DecodingError("bad gzip"), False),
    (httpx.UnsupportedProtocol("gopher"), True),
    (httpx.TooManyRedirects("loop"), False),
    (httpx.InvalidURL("bad"), False),
    (httpx.StreamClosed(), False),
])
def test_httpx_exceptions_never_leak(exc: Exception, retryable: bool) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc
    sleeps = Sleeps()
    with pytest.raises(FetchError) as info:
        run(handler, PUBLIC + "/", sleeps)
    assert info.value.retryable is retryable
    assert info.value.url == PUBLIC + "/"
    cause = info.value
    while cause.__cause__ is not None:
        cause = cause.__cause__
    assert cause is exc
    assert len(sleeps.delays) == (TEST_SETTINGS.retries if retryable else 0)


def test_gzip_that_cannot_be_decoded_is_not_retried() -> None:
    handler = lambda request: httpx.Response(  # noqa: E731
        200, content=b"not gzip at all", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError) as info:
        run(handler, PUBLIC + "/")
    assert not info.value.retryable and "decoded" in str(info.value)


def _concurrency(urls: list[str], per_host: int) -> int:
    """The most requests in flight at once while fetching ``urls`` together."""
    active = 0
    most = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, most
        active += 1
        most = max(most, active)
        # Hold the request long enough for every other task to get as far as
        # the limit lets it (address checks run in threads, so a few event-loop
        # turns are not always enough).
        await asyncio.sleep(0.05)
        active -= 1
        return httpx.Response(200)

    async def go() -> None:
        settings = dataclasses.replace(TEST_SETTINGS, per_host=per_host)
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as f:
            await asyncio.gather(*(f.get(url) for url in urls))
    asyncio.run(go())
    return most


@pytest.mark.parametrize("per_host, hosts, expected", [
    (2, 1, 2),
    (1, 1, 1),
    (6, 1, 6),   # the test can see concurrency at all
    (1, 3, 3),   # the limit is per host, not global
])
def test_per_host_concurrency_limit(per_host: int, hosts: int, expected: int) -> None:
    urls = [f"http://93.184.216.{30 + i % hosts}/{i}" for i in range(6)]
    assert _concurrency(urls, per_host) == expected
