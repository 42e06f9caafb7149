"""`finews serve` as a real process on 127.0.0.1, for tests that need a live server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import httpx

import finews

#: The folder holding the finews package the tests import, so the server
#: process runs the same code as the test (not another installed copy).
SOURCE_ROOT = str(Path(finews.__file__).resolve().parents[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def process_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINEWS_")}
    env["PYTHONPATH"] = os.pathsep.join(
        [SOURCE_ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])
    return {**env, **(extra or {})}


@contextmanager
def finews_serve(config: Path, *, command: str = "serve", timeout: float = 60,
                 env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``finews -c CONFIG serve --port N`` until the block ends; yields its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "finews.cli", "--config", str(config), command,
         "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=process_env(env))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"finews {command} ended early:\n{proc.stdout.read()}")
            try:
                httpx.get(base + "/api/latest?limit=1", timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"finews {command} did not answer in {timeout} s")
                time.sleep(0.1)
        yield base
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
