"""The demo upstream's HTTP handler: faults first, then the answer, with ETags."""

from __future__ import annotations

import hashlib
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .faults import apply_body, find_fault
from .shapes import JSON, dump_json


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "finews-upstream/0.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: tests and the demo print what matters themselves

    def do_GET(self) -> None:  # noqa: N802
        upstream = self.server.upstream  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fault = find_fault(upstream.faults, parts.path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.reset:
            self._reset()
            return
        if fault is not None and fault.redirect:
            self._send(302, JSON, b"", {"Location": fault.redirect})
            return
        if fault is not None and fault.status:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            self._send(fault.status, JSON, dump_json({"error": "fault", "status": fault.status}),
                       headers)
            return
        status, ctype, body = upstream.answer(parts.path, query)
        etag = f'"{_etag(body)}"'
        if status == 200 and etag in self.headers.get("If-None-Match", ""):
            self._send(304, ctype, b"", {"ETag": etag})
            return
        self._send(status, ctype, apply_body(fault, body), {"ETag": etag})

    def _send(self, status: int, ctype: str, body: bytes,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send a TCP reset instead of a clean FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_HEAD = do_GET


def _etag(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()[:20]
