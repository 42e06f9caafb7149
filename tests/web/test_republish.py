"""Pages are served whole while the publisher replaces them.

A real `finews serve` process answers many concurrent clients while this
test republishes the home page in a tight loop, the way the publisher does
(a complete new version written aside, then renamed over the page). Every
answer must be byte for byte one complete version: a server that takes the
length from one version and the bytes from another cuts answers short.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from .conftest import Site
from .live import finews_serve

CLIENTS = 16
REQUESTS = 4000
TIME_LIMIT = 60.0


def versions() -> list[bytes]:
    """Complete pages of very different lengths (below and above 64 KiB reads)."""
    out = []
    for n, size in enumerate((700, 9_000, 60_000, 70_000, 140_000, 300_000)):
        head = f"<!doctype html><title>version {n}</title><p>".encode()
        out.append(head + (b"%d" % n) * ((size - len(head)) // len(b"%d" % n)) + b"</p>\n")
    return out


def test_pages_are_whole_while_republished(site: Site, tmp_path: Path) -> None:
    config = tmp_path / "finews.toml"
    config.write_text('data_dir = "."\n[site]\nbase_url = "http://news.example/"\n',
                      encoding="utf-8")
    page = site.settings.site_dir / "index.html"
    pages = versions()
    complete = set(pages)
    stop = threading.Event()
    swaps = [0]

    def republish() -> None:
        n = 0
        while not stop.is_set():
            tmp = page.with_name(f".index.html.{n % 2}.part")
            tmp.write_bytes(pages[n % len(pages)])
            os.replace(tmp, page)
            n += 1
        swaps[0] = n

    with finews_serve(config) as base:
        done = [0]
        lock = threading.Lock()
        deadline = time.monotonic() + TIME_LIMIT

        def client(_: int) -> tuple[int, list[str]]:
            ok, bad = 0, []
            with httpx.Client(base_url=base, timeout=10) as http:
                while time.monotonic() < deadline:
                    with lock:
                        if done[0] >= REQUESTS:
                            break
                        done[0] += 1
                    try:
                        answer = http.get("/")
                    except httpx.HTTPError as exc:
                        bad.append(f"{type(exc).__name__}: {exc}")
                        continue
                    if answer.status_code == 200 and answer.content in complete:
                        ok += 1
                    else:
                        bad.append(f"{answer.status_code}, {len(answer.content)} bytes "
                                   f"(content-length {answer.headers.get('content-length')})")
            return ok, bad

        writer = threading.Thread(target=republish, daemon=True)
        writer.start()
        try:
            with ThreadPoolExecutor(CLIENTS) as pool:
                results = list(pool.map(client, range(CLIENTS)))
        finally:
            stop.set()
            writer.join(10)

    ok = sum(r[0] for r in results)
    bad = [b for r in results for b in r[1]]
    assert swaps[0] > 100, "the page was hardly republished: the test proves nothing"
    assert not bad, f"{len(bad)} of {ok + len(bad)} answers were not a whole page: {bad[:5]}"
    assert ok >= 1000
