"""The demo upstream's HTTP handler: faults first, then the answer, with ETags."""

from __future__ import annotations

import hashlib
import socket
import struct
import time
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .faults import Fault, apply_body
from .shapes import JSON, dump_json


#: Bytes per piece when a fault drips a body out slowly.
DRIP_CHUNK = 256


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "finews-upstream/0.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body
    # waits for the client's delayed ACK of the headers (~40 ms on Linux), which
    # capped a kept-alive connection at about 25 answers a second.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: tests and the demo print what matters themselves

    def do_GET(self) -> None:  # noqa: N802
        upstream = self.server.upstream  # type: ignore[attr-defined]
        upstream.note_request(self.path, dict(self.headers.items()))
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fault = upstream.take_fault(parts.path)
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
        if fault is None:
            status, ctype, body = upstream.answer(parts.path, query)
        else:
            status, ctype, body = upstream.answer(parts.path, query, fault)
        self._answer(upstream, status, ctype, body, fault)

    def _answer(self, upstream: Any, status: int, ctype: str, body: bytes,
                fault: Fault | None) -> None:
        """Send an answer with its validators, or 304 when the client has it already."""
        etag = f'"{_etag(body)}"'
        modified = upstream.last_modified(self.path, etag)
        validators = {"Last-Modified": modified}
        if fault is None or not fault.no_etag:
            validators["ETag"] = etag
        if status == 200 and _fresh(self.headers, validators):
            self._send(304, ctype, b"", validators)
            return
        if fault is not None and fault.content_type is not None:
            ctype = fault.content_type
        self._send(status, ctype, apply_body(fault, body), validators,
                   drip=fault.drip if fault is not None else 0.0)

    def _send(self, status: int, ctype: str, body: bytes,
              headers: dict[str, str] | None = None, drip: float = 0.0) -> None:
        self.send_response(status)
        if ctype:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not body or self.command == "HEAD":
            return
        if not drip:
            self.wfile.write(body)
            return
        try:
            for start in range(0, len(body), DRIP_CHUNK):
                self.wfile.write(body[start:start + DRIP_CHUNK])
                self.wfile.flush()
                time.sleep(drip)
        except OSError:
            self.close_connection = True  # the client gave up waiting: fine

    def _reset(self) -> None:
        # SO_LINGER 0 makes close() send a TCP reset instead of a clean FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    do_HEAD = do_GET


def _fresh(headers: Any, validators: dict[str, str]) -> bool:
    """True when the request's validators match the answer's (a 304 will do)."""
    etag = validators.get("ETag")
    if etag is not None and headers.get("If-None-Match") is not None:
        return etag in headers.get("If-None-Match", "")
    since = headers.get("If-Modified-Since")
    return since is not None and since == validators["Last-Modified"]


def _etag(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()[:20]
