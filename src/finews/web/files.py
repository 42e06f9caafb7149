"""Sending one file of the site whole, even while the publisher replaces it.

The publisher replaces a page by renaming a complete new version over it.
A response that takes the size from the path and then opens the path can
announce one version's length and send another's bytes (the connection is
then cut short). Here the file is opened once; the length and the bytes both
come from that one open file, which keeps the version it was opened on
whatever is renamed over its path afterwards.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path
from typing import BinaryIO, Mapping

import anyio
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

#: Files up to this size are read whole when opened and sent as the bytes
#: read; larger ones are streamed from the open file.
WHOLE = 8 * 1024 * 1024
CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class OpenedFile:
    """One version of a file: its bytes (small files) or its open handle."""

    size: int
    mtime: float
    etag: str
    body: bytes | None = None
    handle: BinaryIO | None = None

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def open_file(path: Path) -> OpenedFile | None:
    """The file at ``path`` as it is now; None when it is gone or not a file.

    Blocking: call it in a worker thread.
    """
    try:
        handle = open(path, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None
    try:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            handle.close()
            return None
        tag = f"{info.st_ino}-{info.st_mtime_ns}-{info.st_size}".encode()
        etag = f'"{hashlib.md5(tag, usedforsecurity=False).hexdigest()}"'
        if info.st_size <= WHOLE:
            body = handle.read()
            handle.close()
            return OpenedFile(len(body), info.st_mtime, etag, body=body)
        return OpenedFile(info.st_size, info.st_mtime, etag, handle=handle)
    except BaseException:
        handle.close()
        raise


class OpenedFileResponse(Response):
    """Sends an :class:`OpenedFile`; Content-Length is the length of what is sent."""

    def __init__(self, opened: OpenedFile, *, status_code: int = 200, media_type: str,
                 headers: Mapping[str, str] | None = None) -> None:
        self.opened = opened
        self.status_code = status_code
        self.media_type = media_type
        self.background = None
        self.body = b""
        self.init_headers(headers)
        self.headers["content-length"] = str(opened.size)
        self.headers.setdefault("last-modified", formatdate(opened.mtime, usegmt=True))
        self.headers.setdefault("etag", opened.etag)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        opened = self.opened
        try:
            await send({"type": "http.response.start", "status": self.status_code,
                        "headers": self.raw_headers})
            if scope.get("method", "GET").upper() == "HEAD":
                await send({"type": "http.response.body", "body": b""})
            elif opened.body is not None:
                await send({"type": "http.response.body", "body": opened.body})
            else:
                await _stream(opened, send)
        finally:
            opened.close()


async def _stream(opened: OpenedFile, send: Send) -> None:
    assert opened.handle is not None
    left = opened.size
    while left > 0:
        chunk = await anyio.to_thread.run_sync(opened.handle.read, min(CHUNK, left))
        if not chunk:
            # Only a file rewritten in place (never one finews publishes) gets
            # shorter under an open handle; the answer cannot be completed.
            raise OSError(f"{opened.handle.name} became shorter while it was sent")
        left -= len(chunk)
        await send({"type": "http.response.body", "body": chunk, "more_body": left > 0})
