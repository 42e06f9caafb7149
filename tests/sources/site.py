"""A small news site on 127.0.0.1 for the page, discovery and OPML tests.

``site.pages[path] = (content type, body bytes)`` serves a page; a few paths
misbehave on purpose (see ``Handler.do_GET``). Requests are recorded so
tests can see what finews asked for.
"""

from __future__ import annotations

import functools
import gzip
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "article_pages"
HTML = "text/html; charset=utf-8"


@functools.lru_cache(maxsize=1)
def _bomb() -> bytes:
    # Made once, ahead of the request: compressing 40 MB takes longer than
    # the tests' read timeout.
    return gzip.compress(b"<p>" + b"0" * 40_000_000 + b"</p>", 9)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "Site"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        path = urlsplit(self.path).path
        self.server.requests.append(path)
        if path == "/huge":  # announced honestly, far over the cap
            body = b"<p>" + "很长的页面。".encode() * 200_000 + b"</p>"
            return self._send(200, HTML, body)
        if path == "/endless":  # no length, never ends (until finews hangs up)
            self.send_response(200)
            self.send_header("Content-Type", HTML)
            self.end_headers()
            try:
                while not self.server.stopping.is_set():
                    self.wfile.write(b"<p>" + "滴".encode() * 100 + b"</p>")
                    self.wfile.flush()
                    time.sleep(0.01)
            except OSError:
                pass
            self.close_connection = True
            return None
        if path == "/bomb":  # 40 KB of gzip that inflates to 40 MB
            return self._send(200, HTML, _bomb(), {"Content-Encoding": "gzip"})
        if path.startswith("/to/"):  # a redirect to wherever the rest says
            return self._send(302, HTML, b"", {"Location": self.server.redirects[path]})
        if path not in self.server.pages:
            return self._send(404, HTML, b"<p>not found</p>")
        ctype, body = self.server.pages[path]
        return self._send(200, ctype, body)

    def _send(self, status: int, ctype: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            self.close_connection = True


class Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        _bomb()
        super().__init__(("127.0.0.1", 0), Handler)
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.redirects: dict[str, str] = {}
        self.requests: list[str] = []
        self.stopping = threading.Event()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # hang-ups are what the hostile tests provoke


def fixture(name: str) -> tuple[bytes, str]:
    """(page bytes, expected article text) of a fixture page."""
    page = PAGES / f"{name}.html"
    return page.read_bytes(), page.with_suffix(".txt").read_text(encoding="utf-8")


def summary_feed(site: Site, items: list[tuple[str, str, str]]) -> bytes:
    """An RSS feed of (id, title, page path) items that carry only a summary."""
    entries = "".join(
        f"<item><title>{title}</title><link>{site.url(path)}</link>"
        f"<guid isPermaLink=\"false\">{ident}</guid>"
        f"<pubDate>Wed, 13 Mar 2024 01:21:00 GMT</pubDate>"
        f"<description>摘要：{title}</description></item>" for ident, title, path in items)
    return ("<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            f"<title>示例摘要源</title><link>{site.base}/</link><description>摘要</description>"
            f"{entries}</channel></rss>").encode()
