"""Running the app with uvicorn: in the foreground, or inside ``finews run``."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import Iterator

import uvicorn
from starlette.types import ASGIApp

#: Seconds open connections (live event streams) get to finish on stop.
GRACE = 2


class _EmbeddedServer(uvicorn.Server):
    """A server that leaves signals alone: its owner decides when it stops
    (by setting ``should_stop``), so Ctrl-C stops the whole program in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _config(app: ASGIApp, host: str, port: int) -> uvicorn.Config:
    # The lifespan runs: the app holds one store open while it serves (web.app).
    return uvicorn.Config(app, host=host, port=port, lifespan="on", access_log=False,
                          timeout_graceful_shutdown=GRACE, log_level="info")


def serve(app: ASGIApp, host: str, port: int) -> None:
    """Serve until Ctrl-C (or SIGTERM); uvicorn stops cleanly on either."""
    server = uvicorn.Server(_config(app, host, port))
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


async def serve_async(app: ASGIApp, host: str, port: int, *, should_stop: asyncio.Event,
                      sock: socket.socket | None = None,
                      started: asyncio.Event | None = None) -> None:
    """Serve until ``should_stop`` is set; for the ``finews run`` orchestrator.

    ``sock`` is an already bound socket (tests bind port 0 and read the port
    back); ``started`` is set once the server accepts connections.
    """
    server = _EmbeddedServer(_config(app, host, port))
    task = asyncio.create_task(server.serve(sockets=[sock] if sock else None))
    stop = asyncio.create_task(should_stop.wait())
    try:
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if started is not None and server.started:
            started.set()
        await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        stop.cancel()
        await task
