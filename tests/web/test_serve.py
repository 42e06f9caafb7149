"""The app on a real uvicorn server on 127.0.0.1: raw requests, no client
normalisation of the path, live events, and a clean stop."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from finews.publish import build_site
from finews.web import create_app
from finews.web.serve import serve_async

from .conftest import SECRET, Site, article


class Running:
    def __init__(self, port: int, loop: asyncio.AbstractEventLoop, stop: asyncio.Event,
                 thread: threading.Thread) -> None:
        self.port, self.loop, self.stop, self.thread = port, loop, stop, thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def server(site: Site) -> Iterator[Running]:
    app = create_app(site.settings, site.store, events_interval=0.05)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started = threading.Event()
    done: list[BaseException | None] = []

    async def main() -> None:
        ready = asyncio.Event()
        task = asyncio.create_task(serve_async(app, "127.0.0.1", 0, should_stop=stop,
                                               sock=sock, started=ready))
        await ready.wait()
        started.set()
        await task

    def run() -> None:
        try:
            loop.run_until_complete(main())
            done.append(None)
        except BaseException as exc:  # reported by the test below
            done.append(exc)
            started.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(10), "server did not start"
    running = Running(sock.getsockname()[1], loop, stop, thread)
    yield running
    loop.call_soon_threadsafe(stop.set)
    thread.join(10)
    assert not thread.is_alive(), "server did not stop"
    assert done == [None]
    sock.close()
    loop.close()


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """Send the request line exactly as given; no client rewrites the path."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data


def test_pages_api_and_headers(server: Running) -> None:
    with httpx.Client(base_url=server.url) as client:
        home = client.get("/")
        assert home.status_code == 200 and "新闻 5 &amp; &lt;b&gt;" in home.text
        assert home.headers["x-frame-options"] == "DENY"
        assert "script-src 'self'" in home.headers["content-security-policy"]
        feed = client.get("/feed.xml")
        assert feed.headers["content-type"] == "application/atom+xml"
        latest = client.get("/latest.json").json()
        assert latest["seq"] == 6 and len(latest["stories"]) == 6
        assert client.get("/api/latest?limit=1").json()["stories"][0]["title"] == "新闻 5 & <b>"
        bad = client.get("/api/latest?limit=x")
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "query"
        missing = client.get("/nope.html")
        assert missing.status_code == 404 and "找不到这个页面" in missing.text


@pytest.mark.parametrize("target", [
    "/../secret.txt", "/static/../../secret.txt", "/%2e%2e/secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/static%2f..%2f..%2fsecret.txt",
    "/..%5csecret.txt", "/%00", "/static/./style.css", "/.%2e/secret.txt",
    "/static//../../secret.txt",
])
def test_raw_traversal_attempts_fail(server: Running, target: str) -> None:
    status, data = raw_get(server.port, target)
    assert status in (400, 404)
    assert SECRET.encode() not in data


def test_events_push_the_published_sequence(server: Running, site: Site) -> None:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/api/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()
            seqs = []
            for line in lines:
                if line.startswith("data: "):
                    seqs.append(json.loads(line[6:])["seq"])
                    if len(seqs) == 1:
                        store = site.store()
                        store.upsert_articles([(article(50), b"{}")])
                        build_site(store, site.settings.site_dir, site.settings.site)
                        store.close()
                    else:
                        break
            assert seqs == [6, 7]


def test_the_running_server_holds_one_store_open(server: Running, site: Site) -> None:
    """So search's read-only helper connections stay warm between requests."""
    import os
    fds = Path("/proc/self/fd")
    if not fds.is_dir():
        pytest.skip("needs /proc")
    held = []
    for fd in fds.iterdir():
        try:
            held.append(os.readlink(fd))
        except OSError:
            pass
    assert str(site.db.resolve()) in held   # with no request in flight
