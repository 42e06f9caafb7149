"""A local upstream on 127.0.0.1 that answers like the news lists finews reads.

It serves invented stories (see ``generator``) in each documented shape at
fixed paths, adds new stories over time, supports conditional GET, and can
be told to misbehave per path (see ``faults``). The demo and the tests point
finews at it; nothing here reaches the internet.
"""

from __future__ import annotations

import random
import sys
import threading
from collections import deque
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import ThreadingHTTPServer
from typing import Any, Iterable

from . import lists, shapes
from .faults import Fault, find_fault, find_prefix
from .generator import CHINA, Story, StoryGenerator
from .republish import republish
from .handler import Handler
from .shapes import JSON

SCRIPT = "application/javascript; charset=utf-8"

#: List paths: path → (list name, query parameter for the page size).
LIST_PATHS = {
    "/em/rolling": ("rolling", "count"),
    "/em/media": ("media", "count"),
    "/em/market": ("market", "count"),
    "/em/fast": ("fast", "pageSize"),
    "/em/columns": ("columns", "page_size"),
    "/sina/zhibo": ("zhibo", "page_size"),
}
#: Full-text paths: path → (query parameter, key kind, body field).
TEXT_PATHS = {
    "/em/rolling/text": ("id", "info_code", "content"),
    "/em/media/text": ("id", "info_code", "text"),
    "/em/market/text": ("id", "info_code", "text"),
    "/em/getnews": ("newsid", "code", "news.body"),
}
#: Offset of the summary-only site's seed from the server's.
NEWS_SEED = 7919
DEFAULT_COUNT = 100
MAX_COUNT = 500
#: How many requests the server remembers (path, headers) for tests to inspect.
REQUEST_LOG = 2000
_LOOK_UP = object()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (finews giving up on a slow answer, a reset
        # fault) is expected here; anything else is still reported.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class UpstreamServer:
    """``with UpstreamServer(seed=1) as up: httpx.get(up.url + "/em/rolling")``."""

    def __init__(self, port: int = 0, seed: int = 1, rate: float | None = None,
                 stories: int = 150, per_tick: int = 1, host: str = "127.0.0.1",
                 start: datetime | None = None,
                 step: timedelta = timedelta(minutes=2), republish: float = 0.0) -> None:
        self._host, self._port = host, port
        self._rate, self._per_tick, self._step = rate, per_tick, step
        self._live_clock = start is None
        self._gen = StoryGenerator(seed)
        self._lock = threading.Lock()
        # Re-worded copies of recent stories by other outlets (``republish``:
        # their share of new stories), from a random source of their own so
        # the other stories stay those of the seed.
        self._republish = republish
        self._copy_rng = random.Random(seed * 7919 + 1)
        self._copies = 0
        self._stories: list[Story] = []
        end = start or datetime.now(CHINA)
        for i in range(stories):
            self._stories.append(self._make(end - step * (stories - 1 - i)))
        # The summary-only site's stories come from a generator of their own,
        # so the lists above stay the same for a given seed.
        self._news_gen = StoryGenerator(seed + NEWS_SEED)
        self._news: list[Story] = self._news_gen.batch(max(1, stories // 10), end, step)
        self.faults: dict[str, Fault] = {}
        self._uses: dict[str, int] = {}
        #: (path with query, request headers) of the latest requests, oldest first.
        self.requests: deque[tuple[str, dict[str, str]]] = deque(maxlen=REQUEST_LOG)
        self._modified: dict[str, tuple[str, datetime]] = {}
        self._httpd: ThreadingHTTPServer | None = None
        self._base = ""
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> "UpstreamServer":
        httpd = _Server((self._host, self._port), Handler)
        httpd.daemon_threads = True
        host, port = httpd.server_address[:2]
        self._base = f"http://{host}:{port}"
        httpd.upstream = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._stopping.clear()
        serve = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                 name="finews-upstream", daemon=True)
        serve.start()
        self._threads = [serve]
        if self._rate:
            tick = threading.Thread(target=self._tick, name="finews-upstream-tick",
                                    daemon=True)
            tick.start()
            self._threads.append(tick)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def __enter__(self) -> "UpstreamServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("the upstream server is not running: call start() first")
        return self._base

    def _link_base(self) -> str:
        # Requests still in flight while the server stops keep their base URL.
        return self._base

    # -- stories -----------------------------------------------------------

    def _tick(self) -> None:
        while not self._stopping.wait(self._rate):
            self.add_stories(self._per_tick)
            self.add_news(1)

    def add_news(self, n: int) -> list[Story]:
        """Publish ``n`` new stories on the summary-only site (``/feed/summary.xml``)."""
        with self._lock:
            added = []
            for _ in range(n):
                last = self._news[-1].published
                when = max(datetime.now(CHINA), last + timedelta(seconds=1)) \
                    if self._live_clock else last + self._step
                added.append(self._news_gen.make(when))
            self._news.extend(added)
        return added

    def news(self) -> list[Story]:
        """The summary-only site's stories, newest first."""
        with self._lock:
            return self._news[::-1]

    def add_stories(self, n: int) -> list[Story]:
        """Publish ``n`` new stories now; returns them, oldest first."""
        added = []
        with self._lock:
            for _ in range(n):
                last = self._stories[-1].published if self._stories else datetime.now(CHINA)
                when = last + self._step
                if self._live_clock:
                    when = max(datetime.now(CHINA), last + timedelta(seconds=1))
                story = self._make(when)
                self._stories.append(story)
                added.append(story)
        return added

    def _make(self, when: datetime) -> Story:
        """The next story: new, or now and then another outlet's re-worded copy."""
        rng = self._copy_rng
        if self._republish and self._stories and rng.random() < self._republish:
            recent = [s for s in self._stories[-20:] if s.seq < 10_000_000]
            if recent:
                self._copies += 1
                original = rng.choice(recent)
                when = when.astimezone(CHINA).replace(microsecond=0)
                return republish(original, rng, seq=10_000_000 + self._copies,
                                 delay=max(timedelta(0), when - original.published))
        return self._gen.make(when)

    def stories(self, list_name: str | None = None) -> list[Story]:
        """The stories a list carries (all if None), newest first."""
        with self._lock:
            found = [s for s in self._stories if list_name is None or list_name in s.lists]
        return found[::-1]

    def find(self, key: str, kind: str) -> Story | None:
        with self._lock:
            for story in reversed(self._stories):
                if getattr(story, kind) == key:
                    return story
        return None

    def set_fault(self, prefix: str, fault: Fault | None) -> None:
        """Make every path starting with ``prefix`` misbehave (None: behave again)."""
        with self._lock:
            faults = dict(self.faults)
            self._uses.pop(prefix, None)
            if fault is None:
                faults.pop(prefix, None)
            else:
                faults[prefix] = fault
                if fault.times is not None:
                    self._uses[prefix] = fault.times
            self.faults = faults  # replaced whole, so handlers read a consistent dict

    def clear_faults(self) -> None:
        with self._lock:
            self.faults = {}
            self._uses = {}

    def take_fault(self, path: str) -> Fault | None:
        """The fault for one request to ``path``; a limited fault counts this use."""
        with self._lock:
            prefix = find_prefix(self.faults, path)
            if prefix is None:
                return None
            fault = self.faults[prefix]
            if prefix in self._uses:
                self._uses[prefix] -= 1
                if self._uses[prefix] <= 0:
                    del self._uses[prefix]
                    faults = dict(self.faults)
                    del faults[prefix]
                    self.faults = faults
            return fault

    def note_request(self, target: str, headers: dict[str, str]) -> None:
        self.requests.append((target, headers))

    def publish(self, stories: Iterable[Story]) -> None:
        """Serve these ready-made stories too (hostile corpora, edge cases), as newest."""
        with self._lock:
            self._stories.extend(stories)

    def last_modified(self, key: str, etag: str) -> str:
        """The HTTP date when the answer for ``key`` last changed (by its ETag)."""
        with self._lock:
            known = self._modified.get(key)
            if known is None or known[0] != etag:
                when = datetime.now(timezone.utc).replace(microsecond=0)
                if known is not None:  # HTTP dates count seconds: a change must show
                    when = max(when, known[1] + timedelta(seconds=1))
                known = self._modified[key] = (etag, when)
            return format_datetime(known[1], usegmt=True)

    # -- finews configuration ------------------------------------------------

    def source_settings(self, name_prefix: str = "demo", interval: int = 60,
                        pages: bool = False) -> list[dict[str, Any]]:
        """``[[sources]]`` tables that point finews at this server.

        ``pages`` adds the summary-only feed whose stories finews completes
        from their article pages (``fulltext = "page"``).
        """
        base = self.url

        def json_source(suffix: str, path: str, preset: str,
                        mapping: dict[str, str]) -> dict[str, Any]:
            return {"name": f"{name_prefix}-{suffix}", "kind": "json", "url": base + path,
                    "preset": preset, "interval": interval, "allow_private": True,
                    "mapping": mapping}

        page = base + "/a/{id}.html"
        sources = [
            json_source("rolling", "/em/rolling?count=100", "em-rolling",
                        {"fulltext_url": base + "/em/rolling/text?id={infoCode}"}),
            json_source("media", "/em/media?count=100", "em-media",
                        {"fulltext_url": base + "/em/media/text?id={id}"}),
        ]
        for market in ("37", "38", "39"):
            sources.append(json_source(
                f"market{market}", f"/em/market?marketType={market}&count=100",
                "em-market", {"fulltext_url": base + "/em/market/text?id={id}"}))
        sources += [
            json_source("fast", "/em/fast?client=web&biz=web_724&fastColumn=102&sortEnd="
                        "&pageSize=100&req_trace=demo", "em-fast", {"url_template": page}),
            json_source("columns", "/em/columns?client=web&column=350&page_index=1"
                        "&page_size=100", "em-columns",
                        {"url_template": page,
                         "fulltext_url": base + "/em/getnews?newsid={id}"}),
            json_source("zhibo", "/sina/zhibo?zhibo_id=152&page=1&page_size=100",
                        "sina-zhibo", {}),
        ]
        for kind in ("rss", "atom"):
            sources.append({"name": f"{name_prefix}-{kind}", "kind": "feed",
                            "url": f"{base}/feed/{kind}.xml", "interval": interval,
                            "allow_private": True})
        if pages:
            sources.append({"name": f"{name_prefix}-pages", "kind": "feed",
                            "url": f"{base}/feed/summary.xml", "interval": interval,
                            "fulltext": "page", "allow_private": True})
        return sources

    # -- answers -------------------------------------------------------------

    def answer(self, path: str, query: dict[str, str],
               fault: Fault | None | object = _LOOK_UP) -> tuple[int, str, bytes]:
        """(status, content type, body) for a request, with the list-content faults.

        The HTTP-level faults (status, reset, delay…) are the handler's.
        """
        if fault is _LOOK_UP:
            fault = find_fault(self.faults, path)
        assert fault is None or isinstance(fault, Fault)
        if path in LIST_PATHS:
            return self._list_answer(path, query, fault)
        if path in TEXT_PATHS:
            param, kind, field = TEXT_PATHS[path]
            story = self.find(query.get(param, ""), kind)
            if story is None:
                return 404, JSON, shapes.dump_json({"error": "no such story", param: query.get(param)})
            return 200, JSON, shapes.dump_json(shapes.fulltext(story, field))
        if path in ("/feed/rss.xml", "/feed/atom.xml"):
            render = shapes.rss if path.endswith("rss.xml") else shapes.atom
            kind = "rss" if path.endswith("rss.xml") else "atom"
            stories = lists.faulty_stories(self.stories()[:_count(query, "count")], fault)
            body = render(stories, self._link_base())
            return 200, f"application/{kind}+xml; charset=utf-8", body.encode()
        if path.startswith("/a/") and path.endswith(".html"):
            story = self.find(path[3:-5], "code")
            if story is not None:
                return 200, "text/html; charset=utf-8", shapes.article_page(story).encode()
        if path == "/feed/summary.xml":
            stories = lists.faulty_stories(self.news()[:_count(query, "count")], fault)
            body = shapes.summary_rss(stories, self._link_base())
            return 200, "application/rss+xml; charset=utf-8", body.encode()
        if path.startswith("/news/") and path.endswith(".html"):
            news = self.news()
            for i, story in enumerate(news):
                if story.code == path[6:-5]:
                    page = shapes.news_page(story, news[i + 1:i + 4], self._link_base())
                    return 200, "text/html; charset=utf-8", page.encode()
        if path == "/":
            index = {"lists": sorted(LIST_PATHS), "fulltext": sorted(TEXT_PATHS),
                     "feeds": ["/feed/rss.xml", "/feed/atom.xml", "/feed/summary.xml"]}
            return 200, JSON, shapes.dump_json(index)
        return 404, JSON, shapes.dump_json({"error": "not found", "path": path})

    def _list_answer(self, path: str, query: dict[str, str],
                     fault: Fault | None) -> tuple[int, str, bytes]:
        name, size_param = LIST_PATHS[path]
        stories = self.stories(name)
        if name == "market" and query.get("marketType"):
            stories = [s for s in stories if s.market_type == query["marketType"]]
        stories = lists.faulty_stories(stories[:_count(query, size_param)], fault)
        body = lists.list_body(name, stories, self._link_base(), fault)
        callback = query.get("callback", "")
        if callback and name in ("fast", "zhibo"):
            # Only a plain identifier is echoed back: the callback is attacker input.
            callback = "".join(c for c in callback if c.isalnum() or c in "_$.")[:64]
            text = body.decode()
            wrapped = (f"try{{{callback}({text});}}catch(e){{}};" if name == "zhibo"
                       else f"{callback}({text})")
            return 200, SCRIPT, wrapped.encode()
        return 200, JSON, body

def _count(query: dict[str, str], param: str) -> int:
    for key in (param, "count", "pageSize", "page_size", "pagesize"):
        raw = query.get(key, "")
        if raw.isdigit() and int(raw) > 0:
            return min(int(raw), MAX_COUNT)
    return DEFAULT_COUNT
