"""A live finews site and a headless Chromium to look at it with.

The site is the real thing: the local news upstream on 127.0.0.1 and
``finews run`` in a subprocess (poll, publish, serve), configured the way
``finews demo`` configures it but with short intervals so that live updates
show within seconds. The browser is Debian's Chromium, installed by
``scripts/ensure-chromium.sh`` and driven by Playwright; no test tool
downloads a browser of its own.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from finews.demo import prepare
from finews.upstream.server import UpstreamServer

REPO = Path(__file__).resolve().parents[2]
ENSURE = REPO / "scripts" / "ensure-chromium.sh"

#: Seconds between an open page's checks for news (``site.live_interval``).
LIVE_INTERVAL = 2
#: Seconds between polls of each upstream list.
SOURCE_INTERVAL = 1

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--disable-dev-shm-usage"]

#: Reported into the console by every page, so CSP violations are caught
#: even where Chromium would only count them.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + e.blockedURI);
});
"""


def _unavailable(reason: str) -> None:
    """Skip, except on CI, where a browser test that does not run is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run on CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    done = subprocess.run(["bash", str(ENSURE)], capture_output=True, text=True,
                          timeout=900)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        _unavailable("Chromium could not be installed: "
                     + (done.stderr.strip() or "scripts/ensure-chromium.sh failed"))
    return lines[-1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def site_config(directory: Path, upstream: UpstreamServer, port: int) -> Path:
    """The demo's finews.toml, with the intervals shortened for a test."""
    config = prepare(directory, upstream.source_settings(name_prefix="b"), port)
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^live_interval = \d+$", f"live_interval = {LIVE_INTERVAL}", text)
    text = re.sub(r"(?m)^interval = \d+$", f"interval = {SOURCE_INTERVAL}", text)
    config.write_text(text, encoding="utf-8")
    return config


@dataclass
class LiveSite:
    """A running ``finews run`` fed by ``upstream``; ``url`` ends with ``/``."""

    url: str
    upstream: UpstreamServer
    process: subprocess.Popen
    live_interval: int = LIVE_INTERVAL
    log: list[str] = field(default_factory=list)

    def latest(self) -> dict:
        return httpx.get(self.url + "latest.json", timeout=5).json()

    def wait_for_paths(self, count: int, *, after: set[str], timeout: float = 40) -> list[dict]:
        """Block until latest.json lists ``count`` stories not in ``after``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                fresh = [s for s in self.latest()["stories"] if s["path"] not in after]
            except (httpx.HTTPError, json.JSONDecodeError, KeyError):
                fresh = []
            if len(fresh) >= count:
                return fresh
            if self.process.poll() is not None:
                raise AssertionError(f"finews run exited with {self.process.returncode}")
            time.sleep(0.2)
        raise AssertionError(f"the site did not publish {count} new stories in {timeout} s")


@pytest.fixture(scope="session")
def chromium() -> str:
    return chromium_path()


# Module scope, not session: playwright's sync API keeps an event loop running
# in this thread while it is open, and tests after these ones call asyncio.run.
@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=chromium, headless=True,
                                          args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[LiveSite]:
    directory = tmp_path_factory.mktemp("browser-site")
    port = free_port()
    with UpstreamServer(port=0, seed=11, stories=40, republish=0.3) as upstream:
        site_config(directory, upstream, port)
        process = subprocess.Popen(
            [sys.executable, "-m", "finews.cli", "run"], cwd=directory,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        live = LiveSite(f"http://127.0.0.1:{port}/", upstream, process)
        try:
            live.wait_for_paths(30, after=set(), timeout=60)
            yield live
        finally:
            process.send_signal(signal.SIGINT)
            try:
                output, _ = process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                output, _ = process.communicate()
            live.log.append(output)


@dataclass
class Watched:
    """A browser page with everything it reported: console errors, CSP
    violations, uncaught exceptions, failed requests and navigations."""

    page: object
    errors: list[str] = field(default_factory=list)
    navigations: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser):
    """``open_page(width, height)`` → a fresh context's Watched page."""
    contexts = []

    def make(width: int = 1024, height: int = 768) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale="zh-CN", timezone_id="Europe/Berlin")
        contexts.append(context)
        context.add_init_script(CSP_LISTENER)
        page = context.new_page()
        watched = Watched(page)
        page.on("console", lambda m: m.type in ("error", "warning")
                and watched.errors.append(f"console {m.type}: {m.text}"))
        page.on("pageerror", lambda exc: watched.errors.append(f"uncaught: {exc}"))
        page.on("requestfailed", lambda r: watched.errors.append(
            f"request failed: {r.url} {r.failure}"))
        page.on("framenavigated", lambda f: f == page.main_frame
                and watched.navigations.append(f.url))
        return watched

    yield make
    for context in contexts:
        context.close()
