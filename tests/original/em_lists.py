"""Local stand-ins of the three lists the original finews polled, on 127.0.0.1.

Answers in the documented shapes (upstream field names): the rolling list
(``records[]``), the per-media list (``nodeList[]``), a market list
(``record[]``), and full text by info code at the original's
``/NewsData/GetNewsText.do?id=…`` (``content`` and ``text``). The presets are
pointed here with their ``fulltext_host`` option.
"""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from finews.config import from_mapping
from finews.fetch import Fetcher
from finews.ingest import fetch_pass

PATHS = {"rolling": "/web/webapi?type=102&count=100&newsid=1",
         "media": "/web/webapi?type=45&count=100&newsid=1",
         "market": "/information/newmarket/web/webapi?marketType=37&count=100"}
PRESETS = {"rolling": "em-rolling", "media": "em-media", "market": "em-market"}


class EMLists:
    """``rolling``, ``media``, ``market``: item lists; ``texts``: info code → body."""

    def __init__(self, rolling: list[dict], media: list[dict], market: list[dict],
                 texts: dict[str, str]) -> None:
        self.lists = {"rolling": {"records": rolling}, "media": {"nodeList": media},
                      "market": {"record": market}}
        self.texts = texts
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                body: Any = {"error": "not found"}
                status = 404
                if parts.path == "/NewsData/GetNewsText.do":
                    text = owner.texts.get(query.get("id", [""])[0])
                    if text is not None:
                        status, body = 200, {"content": text, "text": text, "title": ""}
                elif parts.path == "/web/webapi":
                    name = {"102": "rolling", "45": "media"}.get(query.get("type", [""])[0])
                    if name:
                        status, body = 200, owner.lists[name]
                elif parts.path == "/information/newmarket/web/webapi":
                    status, body = 200, owner.lists["market"]
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "EMLists":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def settings(self, root: Path, order: tuple[str, ...] = ("rolling", "media", "market"),
                 site: dict | None = None):
        """Settings polling these lists with the real presets, in ``order``."""
        sources = [{"name": name, "kind": "json", "url": self.base + PATHS[name],
                    "preset": PRESETS[name], "fulltext_host": self.base,
                    "allow_private": True} for name in order]
        return from_mapping({"data_dir": "data", "site": site or {}, "sources": sources},
                            base=root)


def poll(settings, store, names: tuple[str, ...] | None = None):
    """One real fetch pass (all sources, or those named)."""
    chosen = [s for s in settings.sources if names is None or s.name in names]

    async def go():
        async with Fetcher(settings.fetch) as fetcher:
            return await fetch_pass(settings, store, fetcher, sources=chosen)
    report = asyncio.run(go())
    assert all(src.error is None for src in report.sources), report.summary()
    return report
