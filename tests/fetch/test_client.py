"""The fetcher against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from urllib.parse import quote

import httpx
import pytest

from finews.errors import BlockedURLError, FetchError
from finews.fetch import Fetcher, FetchResult

from .conftest import ETAG, LAST_MODIFIED, TEST_SETTINGS, LocalServer, Sleeps


def fetch(url: str, sleeps: Sleeps | None = None, *, settings=TEST_SETTINGS,
          rng=lambda: 0.5, allow_private: bool = True, **kwargs) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings, sleep=sleeps or Sleeps(), rng=rng) as fetcher:
            return await fetcher.get(url, allow_private=allow_private, **kwargs)
    return asyncio.run(go())


def fetch_error(url: str, sleeps: Sleeps | None = None, **kwargs) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, sleeps, **kwargs)
    return info.value


def causes(exc: BaseException) -> list[type]:
    found = []
    while exc.__cause__ is not None:
        exc = exc.__cause__
        found.append(type(exc))
    return found


def test_ok_answers_every_question(server: LocalServer) -> None:
    result = fetch(server.url("/ok"))
    assert (result.status, result.body, result.attempts) == (200, b"hello finews", 1)
    assert result.url == result.final_url == server.url("/ok")
    assert (result.content_type, result.charset) == ("text/plain", "utf-8")
    assert not result.not_modified and result.ok
    assert (result.etag, result.last_modified, result.retry_after) == (None, None, None)
    sent = server.headers_of("/ok")[0]
    assert sent["user-agent"] == "finews-test/1"
    assert sent["accept-encoding"] == "gzip"


def test_caller_headers_are_merged_over_the_defaults(server: LocalServer) -> None:
    result = fetch(server.url("/echo"), headers={
        "Referer": "https://kuaixun.eastmoney.com/", "user-agent": "Mozilla/5.0"})
    sent = {k.lower(): v for k, v in json.loads(result.body).items()}
    assert sent["referer"] == "https://kuaixun.eastmoney.com/"
    assert sent["user-agent"] == "Mozilla/5.0"
    assert sent["accept-encoding"] == "gzip"


def test_charset_comes_from_content_type(server: LocalServer) -> None:
    result = fetch(server.url("/charset"))
    assert (result.content_type, result.charset) == ("application/json", "gbk")
    assert json.loads(result.body.decode(result.charset)) == {"title": "沪指收涨"}


@pytest.mark.parametrize("settings_allow", [False, True])
def test_local_server_needs_allow_private(server: LocalServer, settings_allow: bool) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, allow_private=settings_allow)
    if settings_allow:
        assert fetch(server.url("/ok"), settings=settings, allow_private=False).ok
    else:
        exc = fetch_error(server.url("/ok"), settings=settings, allow_private=False)
        assert isinstance(exc, BlockedURLError) and not exc.retryable
        assert "127.0.0.1" in str(exc)
        assert sum(server.hits.values()) == 0  # refused before any request


def test_slow_answer_times_out_and_is_retried(server: LocalServer, sleeps: Sleeps) -> None:
    settings = dataclasses.replace(TEST_SETTINGS, retries=1)
    exc = fetch_error(server.url("/slow?delay=2"), sleeps, settings=settings)
    assert exc.retryable and "sent nothing for 0.3 s" in str(exc)
    assert "gave up after 2 attempts" in str(exc)
    assert httpx.ReadTimeout in causes(exc)
    assert server.hits["/slow"] == 2 and len(sleeps.delays) == 1


def test_dripping_answer_hits_the_whole_request_deadline(server: LocalServer) -> None:
    # A byte every 0.02 s never trips the 0.3 s read timeout; the request as
    # a whole is cut at connect + 4 reads = 1.4 s.
    settings = dataclasses.replace(TEST_SETTINGS, retries=0)
    exc = fetch_error(server.url("/drip?every=0.02"), settings=settings)
    assert exc.retryable and "took longer than 1.4 s" in str(exc)
    assert any(issubclass(c, TimeoutError) for c in causes(exc))


def test_reset_connection_is_a_retryable_fetch_error(server: LocalServer,
                                                     sleeps: Sleeps) -> None:
    exc = fetch_error(server.url("/reset"), sleeps)
    assert type(exc) is FetchError and exc.retryable
    assert any(issubclass(c, httpx.TransportError) for c in causes(exc))
    assert server.hits["/reset"] == 1 + TEST_SETTINGS.retries
    assert sleeps.delays == [0.05, 0.1]  # base 0.1 * 2**n * rng 0.5


def test_503_then_200_recovers(server: LocalServer, sleeps: Sleeps) -> None:
    result = fetch(server.url("/flaky?fail=2&code=503"), sleeps)
    assert (result.status, result.body, result.attempts) == (200, b"recovered", 3)
    assert sleeps.delays == [0.05, 0.1]


def test_429_retry_after_is_honoured(server: LocalServer, sleeps: Sleeps) -> None:
    exc = fetch_error(server.url("/status?code=429&retry_after=2"), sleeps)
    assert exc.retryable and exc.retry_after == 2.0
    assert "429" in str(exc) and "gave up after 3 attempts" in str(exc)
    assert sleeps.delays == [2.0, 2.0]
    assert server.hits["/status"] == 3


def test_retry_after_beyond_backoff_max_gives_up_at_once(server: LocalServer,
                                                         sleeps: Sleeps) -> None:
    exc = fetch_error(server.url("/status?code=503&retry_after=600"), sleeps)
    assert exc.retryable and exc.retry_after == 600.0
    assert "fetch.backoff_max" in str(exc)
    assert sleeps.delays == [] and server.hits["/status"] == 1


@pytest.mark.parametrize("code", [400, 401, 403, 404, 410])
def test_client_errors_are_not_retried(server: LocalServer, sleeps: Sleeps,
                                       code: int) -> None:
    url = server.url(f"/status?code={code}")
    exc = fetch_error(url, sleeps)
    assert not exc.retryable and str(code) in str(exc) and url in str(exc)
    assert exc.url == url
    assert server.hits["/status"] == 1 and sleeps.delays == []


@pytest.mark.parametrize("path", ["/endless", "/announce", "/gzip?size=300000"])
def test_answers_past_max_bytes_are_refused(server: LocalServer, sleeps: Sleeps,
                                            path: str) -> None:
    exc = fetch_error(server.url(path), sleeps)
    assert not exc.retryable
    assert "262144 bytes" in str(exc) and "fetch.max_bytes" in str(exc)
    assert sleeps.delays == []


def test_gzip_body_is_decoded(server: LocalServer) -> None:
    result = fetch(server.url("/gzip?size=5000"))
    assert result.body == b"a" * 5000


@pytest.mark.parametrize("hops", [1, 5])
def test_redirect_chains_are_followed(server: LocalServer, hops: int) -> None:
    result = fetch(server.url(f"/redirect?n={hops}"))
    assert result.final_url == server.url("/ok") and result.body == b"hello finews"
    assert result.url == server.url(f"/redirect?n={hops}")
    assert server.hits["/redirect"] == hops


def test_too_many_redirects_is_an_error(server: LocalServer, sleeps: Sleeps) -> None:
    exc = fetch_error(server.url("/redirect?n=6"), sleeps)
    assert not exc.retryable and "more than 5 times" in str(exc)
    assert server.hits["/ok"] == 0 and sleeps.delays == []


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_to_another_port(server: LocalServer, other_server: LocalServer,
                                  code: int) -> None:
    target = other_server.url("/ok")
    result = fetch(server.url(f"/redirect-to?code={code}&url={quote(target)}"))
    assert result.final_url == target and result.body == b"hello finews"
    assert other_server.hits["/ok"] == 1


def test_etag_conditional_get(server: LocalServer) -> None:
    first = fetch(server.url("/etag"))
    assert (first.status, first.body, first.etag) == (200, b"fresh", ETAG)
    assert first.last_modified == LAST_MODIFIED
    again = fetch(server.url("/etag"), etag=first.etag)
    assert again.not_modified and not again.ok
    assert (again.status, again.body, again.etag) == (304, b"", ETAG)
    assert server.headers_of("/etag")[1]["if-none-match"] == ETAG
    assert "if-none-match" not in server.headers_of("/etag")[0]


def test_304_without_validators_keeps_the_ones_sent(server: LocalServer) -> None:
    result = fetch(server.url("/lastmod"), last_modified=LAST_MODIFIED, etag='"old"')
    assert result.not_modified and result.status == 304
    assert (result.last_modified, result.etag) == (LAST_MODIFIED, '"old"')
    sent = server.headers_of("/lastmod")[0]
    assert sent["if-modified-since"] == LAST_MODIFIED and sent["if-none-match"] == '"old"'


def test_refused_connection_is_retryable(sleeps: Sleeps) -> None:
    with LocalServer() as closed:  # bound, then closed: nobody listens there
        url = closed.url("/ok")
    exc = fetch_error(url, sleeps)
    assert exc.retryable and any(issubclass(c, httpx.ConnectError) for c in causes(exc))
    assert len(sleeps.delays) == TEST_SETTINGS.retries
