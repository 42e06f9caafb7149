"""A real HTTP server on 127.0.0.1 with scripted behaviours for fetch tests.

Each path is one behaviour (see ``Handler.route_*``); query parameters tune
it. The server counts hits per path and keeps the headers of every request,
so tests can assert what the fetcher actually sent.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from finews.config import FetchSettings

#: Settings for tests: small timeouts and a small size cap keep the suite fast.
TEST_SETTINGS = FetchSettings(connect_timeout=0.2, read_timeout=0.3,
                              max_bytes=256 * 1024, retries=2, backoff_base=0.1,
                              backoff_max=5.0, per_host=2,
                              user_agent="finews-test/1")

ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


class Sleeps:
    """An injected ``sleep`` that records the delays and does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


class Handler(BaseHTTPRequestHandler):
    server: "LocalServer"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # keep test output clean

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        parts = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.server.lock:
            self.server.hits[parts.path] += 1
            self.hit = self.server.hits[parts.path]
            self.server.requests.append((parts.path, dict(self.headers.items())))
        route = getattr(self, "route_" + parts.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.reply(404, b"no such behaviour")
        else:
            route()

    def reply(self, status: int, body: bytes = b"", content_type: str = "text/plain; "
              "charset=utf-8", **headers: str) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    # --- behaviours -------------------------------------------------------

    def route_ok(self) -> None:
        self.reply(200, b"hello finews")

    def route_charset(self) -> None:
        body = json.dumps({"title": "沪指收涨"}, ensure_ascii=False).encode("gbk")
        self.reply(200, body, 'application/json; charset="GBK"')

    def route_echo(self) -> None:
        self.reply(200, json.dumps(dict(self.headers.items())).encode(), "application/json")

    def route_slow(self) -> None:
        self.server.stop.wait(float(self.query.get("delay", "1")))
        self.reply(200, b"too late")

    def route_drip(self) -> None:
        self.send_response(200)
        self.end_headers()
        every = float(self.query.get("every", "0.02"))
        for _ in range(int(5 / every)):
            if self.server.stop.wait(every):
                return
            self.wfile.write(b".")
            self.wfile.flush()

    def route_reset(self) -> None:
        # SO_LINGER 0 turns close() into a TCP reset.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()

    def route_status(self) -> None:
        headers = {}
        if "retry_after" in self.query:
            headers["Retry-After"] = self.query["retry_after"]
        self.reply(int(self.query["code"]), b"status", **headers)

    def route_flaky(self) -> None:
        if self.hit <= int(self.query.get("fail", "1")):
            self.reply(int(self.query.get("code", "503")), b"busy")
        else:
            self.reply(200, b"recovered")

    def route_endless(self) -> None:
        self.send_response(200)
        self.end_headers()  # no Content-Length: the body ends when we close
        chunk = b"x" * 65536
        try:
            for _ in range(1000):  # 64 MB at most, in case nobody hangs up
                if self.server.stop.is_set():
                    return
                self.wfile.write(chunk)
        except OSError:
            return  # the fetcher hung up, as it should

    def route_announce(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(10 ** 9))
        self.end_headers()
        self.wfile.write(b"x" * 1024)

    def route_gzip(self) -> None:
        size = int(self.query.get("size", "1000"))
        body = gzip.compress(b"a" * size)
        self.reply(200, body, Content_Encoding="gzip")

    def route_redirect(self) -> None:
        left = int(self.query.get("n", "1"))
        target = f"/redirect?n={left - 1}" if left > 1 else "/ok"
        self.reply(302, b"", Location=target)

    def route_redirect_to(self) -> None:
        self.reply(int(self.query.get("code", "302")), b"", Location=self.query["url"])

    def route_etag(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.reply(304, b"", "", ETag=ETAG)
        else:
            self.reply(200, b"fresh", ETag=ETAG, Last_Modified=LAST_MODIFIED)

    def route_lastmod(self) -> None:
        if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            self.reply(304, b"", "")  # no validators: the caller keeps its own
        else:
            self.reply(200, b"fresh", Last_Modified=LAST_MODIFIED)


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []

    @property
    def port(self) -> int:
        return self.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def headers_of(self, path: str) -> list[dict[str, str]]:
        """Headers of every request to ``path``, lower-cased names."""
        return [{k.lower(): v for k, v in h.items()} for p, h in self.requests if p == path]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # resets and hang-ups are what these tests provoke


def _serve():
    server = LocalServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)


@pytest.fixture
def server():
    yield from _serve()


@pytest.fixture
def other_server():
    yield from _serve()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
