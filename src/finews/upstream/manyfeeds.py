"""Hundreds of RSS feeds on 127.0.0.1, for fetch workers sharing the sources.

Feed ``k`` lives at ``/many/{k}.xml`` and has stories of its own (their
titles carry the feed's number, so no two feeds serve the same story): a
few at the start, then one more every ``every`` seconds, the newest
``shown`` of them in each answer, as a busy outlet's feed does. The server
remembers every item it served and when each feed was asked for, so a test
can check that every served item was stored exactly once and that no feed
was polled twice within its interval.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .generator import Story, StoryGenerator
from .shapes import rss


class ManyFeeds:
    def __init__(self, feeds: int = 300, *, start: int = 3, every: float = 2.0,
                 shown: int = 30, seed: int = 1, port: int = 0) -> None:
        self.feeds = feeds
        self._start = start
        self._every = every
        self._shown = shown
        self._seed = seed
        self._began = time.monotonic()
        self._epoch = datetime.now(timezone.utc).replace(microsecond=0)
        self._lock = threading.Lock()
        self._stories: dict[int, list[Story]] = {}
        self._generators: dict[int, StoryGenerator] = {}
        #: feed → the guids it served, and the monotonic times it was asked.
        self.served: dict[int, set[str]] = defaultdict(set)
        self.polls: dict[int, list[float]] = defaultdict(list)
        self._frozen: float | None = None
        #: Feeds that answer 503 (their polls are still counted).
        self.failing: set[int] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- life -------------------------------------------------------------------

    def start(self) -> "ManyFeeds":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> "ManyFeeds":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def freeze(self) -> None:
        """No new stories from now on (a test then waits for the last to be stored)."""
        with self._lock:
            self._frozen = time.monotonic()

    def source_settings(self, interval: int) -> list[dict[str, Any]]:
        """``[[sources]]`` tables for every feed."""
        return [{"name": f"many-{k}", "kind": "feed", "url": f"{self.url}/many/{k}.xml",
                 "interval": interval, "allow_private": True} for k in range(self.feeds)]

    def total_served(self) -> int:
        with self._lock:
            return sum(len(guids) for guids in self.served.values())

    # --- stories ----------------------------------------------------------------

    def _visible(self, feed: int) -> list[Story]:
        """The feed's stories so far, oldest first (made as time passes)."""
        now = self._frozen if self._frozen is not None else time.monotonic()
        due = self._start + int((now - self._began) / self._every) if self._every else self._start
        stories = self._stories.setdefault(feed, [])
        generator = self._generators.setdefault(
            feed, StoryGenerator(seed=self._seed * 100_003 + feed))
        while len(stories) < due:
            n = len(stories)
            when = self._epoch + timedelta(seconds=(n - self._start) * self._every)
            story = generator.make(when)
            # The feed's number in the code (the guid and the link) too: two
            # feeds never serve the same address, which would make them twins.
            stories.append(replace(story, title=f"{story.title}（{feed}号源第{n}条）",
                                   code=f"{story.code[:8]}{feed:04d}{n:06d}"))
        return stories

    def answer(self, feed: int) -> bytes | None:
        """The feed's RSS, or None for a feed told to fail."""
        with self._lock:
            self.polls[feed].append(time.monotonic())
            if feed in self.failing:
                return None
            shown = self._visible(feed)[-self._shown:][::-1]
            self.served[feed].update(story.code for story in shown)
        return rss(shown, self.url).encode()


def _handler(feeds: ManyFeeds) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            number = path.removeprefix("/many/").removesuffix(".xml")
            if not (path.startswith("/many/") and number.isdigit()
                    and int(number) < feeds.feeds):
                self.send_error(404)
                return
            body = feeds.answer(int(number))
            if body is None:
                self.send_error(503)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def fleet_config(feeds: ManyFeeds, *, store_url: str, interval: int, lease: float,
                 lease_batch: int = 4, port: int = 8000) -> str:
    """A finews.toml reading every feed of ``feeds`` into ``store_url``."""
    from ..demo import _toml_value
    lines = ['data_dir = "data"', "", "[store]", f"url = {_toml_value(store_url)}", "",
             "[fetch]", "retries = 0", f"lease = {lease}", f"lease_batch = {lease_batch}", "",
             "[serve]", 'host = "127.0.0.1"', f"port = {port}"]
    for source in feeds.source_settings(interval):
        lines += ["", "[[sources]]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in source.items()]
    return "\n".join(lines) + "\n"
