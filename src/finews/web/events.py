"""Server-Sent Events: ``{"seq": N}`` whenever the published sequence moves.

The stream watches ``latest.json`` (what the publisher wrote last), so it
needs no store connection and says exactly what a reader can already see.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import AsyncIterator

from starlette.requests import Request
from starlette.responses import StreamingResponse

#: A comment line this often keeps proxies from closing an idle stream.
KEEPALIVE = 15.0


def published_seq(latest: Path) -> int | None:
    try:
        data = json.loads(latest.read_bytes())
    except (OSError, ValueError):
        return None
    seq = data.get("seq") if isinstance(data, dict) else None
    return seq if isinstance(seq, int) else None


async def _events(request: Request, latest: Path, interval: float) -> AsyncIterator[bytes]:
    yield f"retry: {int(max(interval, 1) * 1000)}\n\n".encode()
    last: int | None = None
    quiet = 0.0
    while not await request.is_disconnected():
        seq = published_seq(latest)
        if seq is not None and seq != last:
            last = seq
            quiet = 0.0
            yield f"event: seq\ndata: {json.dumps({'seq': seq})}\n\n".encode()
        elif quiet >= KEEPALIVE:
            quiet = 0.0
            yield b": keep-alive\n\n"
        await asyncio.sleep(interval)
        quiet += interval


def event_stream(request: Request, latest: Path, interval: float) -> StreamingResponse:
    return StreamingResponse(_events(request, latest, interval),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
